// The report viewer: reads the ReportData the page carries (<script type="application/json"
// id="prunescope-report">) and draws it with the app's own views: a title and the model's facts,
// then one section per entry of SECTIONS that the data has. Built by vite.report.config.ts into ONE
// classic script (CSS inlined) that core/report/html.ts puts in the page.

import '../styles.css';
import './report.css';
import { REPORT_FORMAT, type ReportData } from '../../engine/protocol';
import { h } from '../dom';
import { sectionTitle, SECTIONS } from './sections';

function readData(): ReportData {
  const el = document.getElementById('prunescope-report');
  if (!el?.textContent) throw new Error('This page holds no report data.');
  const data = JSON.parse(el.textContent) as ReportData;
  if (data.format !== REPORT_FORMAT) throw new Error(`This report is format ${String(data.format)}; this viewer reads format ${REPORT_FORMAT}.`);
  return data;
}

function header(data: ReportData): HTMLElement {
  const created = new Date(data.created);
  const when = Number.isNaN(created.getTime()) ? data.created : created.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return h(
    'header',
    { class: 'rp-header' },
    h('h1', { 'data-testid': 'report-title' }, data.model.fileName),
    h('div', { class: 'rp-sub' }, `Prunescope report · written ${when} by ${data.tool}`),
  );
}

function start(): void {
  document.title = document.title || 'Prunescope report';
  // The reader's light or dark preference, as the app starts (before any chart reads the colours).
  if (typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches) document.documentElement.dataset.theme = 'dark';
  let data: ReportData;
  try {
    data = readData();
  } catch (error) {
    document.body.append(h('div', { class: 'rp-error', role: 'alert' }, `The report could not be read: ${(error as Error).message}`));
    return;
  }
  const present = SECTIONS.filter((s) => s.present(data));
  const nav = h('nav', { class: 'rp-nav', 'aria-label': 'Sections' }, present.map((s) => h('a', { href: `#${s.id}` }, s.title)));
  const omitted = data.omitted ?? [];
  const left = omitted.length === 0 ? [] : h('details', { class: 'rp-omitted', 'data-testid': 'report-omitted' },
    h('summary', {}, `Not in this report: ${omitted.map((o) => sectionTitle(o.section)).join(', ')}`),
    h('ul', {}, omitted.map((o) => h('li', {}, h('b', {}, sectionTitle(o.section)), ` — ${o.why}`))));
  const main = h('main', { class: 'rp-main' }, header(data), nav, left);
  document.body.append(main);
  for (const s of present) {
    const body = h('div', { class: 'rp-body' });
    main.append(h('section', { class: 'rp-section', id: s.id, 'data-section': s.id }, h('h2', {}, s.title), body));
    try {
      s.draw(body, data);
    } catch (error) {
      body.append(h('div', { class: 'rp-error' }, `This section could not be drawn: ${(error as Error).message}`));
    }
  }
  document.body.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
