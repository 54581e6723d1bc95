// The "Graph, repeated blocks" part of `npm run bench` (issue 17): generated BERT-shaped encoders
// (test/support/bert-graph.ts, torch-style names, tiny weights) opened in the browser build in
// Chromium, the same way and with the same 'gv:' marks as the graph bench (graph.ts): 24 layers
// (about 2,000 ops) with the layers collapsed (how it opens) and expanded, and 128 layers (10,000+
// ops) collapsed and expanded. Figures: time from the file choice to the first painted frame, the
// view's marks (block finding, layout, drawing), and frame times while panning the big one.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from '@playwright/test';
import { bertGraph, bertGraphBytes } from '../test/support/bert-graph';
import { CHROMIUM, FLAGS, median, type OpenTiming, openOnce, panFrames, percentile, serve } from './graph';
import { findRepo } from './table';

const TARGET_MS = 2000;

/** Clicks the collapsed run and times until every op box is drawn and painted. */
async function expandOnce(page: Page, all: number): Promise<OpenTiming> {
  await page.evaluate('performance.clearMeasures(); window.benchT0 = performance.now();');
  await page.locator('[data-testid=graph] .gv-node[data-group]').first().click();
  type Doc = { document: { querySelectorAll(selector: string): { length: number } } };
  await page.waitForFunction((n) => (globalThis as unknown as Doc).document.querySelectorAll('[data-testid=graph] .gv-node[data-index]').length >= n, all, { polling: 'raf', timeout: 600_000 });
  return page.evaluate<OpenTiming>(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const marks = {};
    for (const m of performance.getEntriesByType('measure')) if (m.name.startsWith('gv:')) marks[m.name] = m.duration;
    return { total: performance.now() - window.benchT0, marks };
  })()`);
}

function line(label: string, runs: OpenTiming[], target?: number): void {
  const total = median(runs.map((r) => r.total));
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.marks)))].filter((n) => n !== 'gv:until the view gets the summary');
  const parts = names.map((n) => `${n.slice(3)} ${median(runs.map((r) => r.marks[n] ?? NaN)).toFixed(0)} ms`);
  console.log(`${label.padEnd(44)} ${runs.map((r) => r.total.toFixed(0)).join(', ')} ms; median ${total.toFixed(0)} ms (${parts.join(', ')})${target ? ` target < ${target} ms: ${total < target ? 'met' : 'missed'}` : ''}`);
}

export async function runBlocksBench(opts: { reps?: number; bigLayers?: number } = {}): Promise<void> {
  const reps = Math.max(1, opts.reps ?? 3);
  const repo = findRepo();
  const web = process.env.PRUNESCOPE_WEB ?? join(repo, 'dist/web');
  console.log('\nGraph view, repeated blocks: generated BERT-shaped encoders in Chromium (browser build), file choice to first painted frame');
  const skip = !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM}` : !existsSync(join(web, 'index.html')) ? 'dist/web is missing (npm run build:web)' : undefined;
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  let pw: typeof import('@playwright/test');
  try {
    pw = await import('@playwright/test');
  } catch (e) {
    console.log(`skipped: @playwright/test cannot be loaded (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'prunescope-blocks-'));
  const models = [24, opts.bigLayers ?? 128].map((layers) => {
    const file = join(dir, `bert-${layers}-layers.onnx`);
    writeFileSync(file, bertGraphBytes({ layers }));
    const nodes = bertGraph({ layers }).graph.nodes;
    return { layers, file, all: nodes.length, outside: nodes.filter((n) => !n.name.startsWith('/encoder/layer.')).length };
  });
  const server = await serve(web);
  let browser: Browser | undefined;
  try {
    browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    for (const m of models) {
      const opened: OpenTiming[] = [];
      const expanded: OpenTiming[] = [];
      for (let r = 0; r < (m.layers > 24 ? 1 : reps); r++) {
        opened.push(await openOnce(page, m.file, m.outside));
        expanded.push(await expandOnce(page, m.all));
      }
      line(`${m.layers} layers, ${m.all} ops, collapsed (opens so)`, opened, TARGET_MS);
      line(`${m.layers} layers, ${m.all} ops, expanded by a click`, expanded, m.layers === 24 ? TARGET_MS : undefined);
      if (m.layers > 24) {
        const frames = await panFrames(page);
        console.log(`  pan, all ${m.all} ops drawn: frame time median ${median(frames).toFixed(1)} ms, p95 ${percentile(frames, 0.95).toFixed(1)} ms over ${frames.length} frames`);
      }
    }
  } finally {
    await browser?.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
