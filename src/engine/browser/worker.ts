// The Web Worker entry of the browser build: the same EngineHost, with a browser platform. The
// sample model and the MNIST test and train splits are fetched next to the page (the web build copies them there);
// paths do not exist here. onnxruntime is onnxruntime-web on its WebAssembly backend
// (browser/ort-web-runner.ts), loaded from the app's own copy of its files (ort/ beside assets/:
// vite.web.config.ts puts them there; never a CDN). Large batches run on several Web Workers when
// the page is cross-origin isolated (browser/parallel.ts); so does onnxruntime-web, else on one thread.

import { EngineHost, type Send } from '../host';
import type { EnginePlatform } from '../platform';
import type { ReadyMessage } from '../protocol';
import * as ort from 'onnxruntime-web/wasm';
import { browserParallelRunner, browserParallelWorkers, canShareMemory } from './parallel';
import { ortWebRuntime } from './ort-web-runner';

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  location: { href: string };
}

const scope = self as unknown as WorkerScope;

/** Fetches the first of these URLs (relative to the worker) that answers 200. */
async function fetchFirst(names: string[]): Promise<Uint8Array> {
  const tried: string[] = [];
  for (const n of names) {
    const url = new URL(n, scope.location.href).href;
    tried.push(url);
    try {
      const r = await fetch(url);
      // A dev server answers unknown paths with its index page: never take HTML for a data file.
      if (r.ok && !(r.headers.get('content-type') ?? '').includes('text/html')) return new Uint8Array(await r.arrayBuffer());
    } catch {
      // try the next place
    }
  }
  throw Object.assign(new Error(`${names[0].replace(/^.*\//, '')}: not found (tried ${tried.join(', ')})`), { name: 'EngineFailure', code: 'not-found' });
}

function here(name: string): string[] {
  // The web build puts the worker in assets/ and the data files at the top, beside index.html.
  return [`../${name}`, name];
}

function noPaths(): never {
  throw Object.assign(new Error('files are opened by picking them in the browser; paths are not available here'), {
    name: 'EngineFailure',
    code: 'bad-request',
  });
}

const ortWeb = ortWebRuntime(ort, {
  threads: browserParallelWorkers(),
  singleThreadReason: canShareMemory() ? undefined : 'the page is not cross-origin isolated, so WebAssembly threads cannot share memory',
  // The worker is built into assets/; onnxruntime-web's .mjs and .wasm are copied to ort/ beside it.
  wasmPaths: new URL(/* @vite-ignore */ '../ort/', import.meta.url).href,
});

/**
 * Bytes of model data the browser build opens (picked external data files, refused above it at
 * open) and loads whole (evaluation): 1.5 GB, so an export still fits in one .onnx file (protobuf's
 * 2 GB) and evaluation in onnxruntime-web's 4 GB WebAssembly memory, or a quarter of the device's
 * memory where the browser says it is less. Measured in this machine's Chromium (a module worker,
 * 23 GB of RAM): single ArrayBuffers up to 4 GB allocate, 8 GB fails; about 11 GB in all.
 */
export function browserDataLimit(): number {
  const device = (self.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  const cap = 1.5 * 2 ** 30;
  return typeof device === 'number' && device > 0 ? Math.min(cap, (device * 2 ** 30) / 4) : cap;
}

const platform: EnginePlatform = {
  readFile: async () => noPaths(),
  writeFileAtomic: async () => noPaths(),
  sample: () => fetchFirst(here('sample-mlp.onnx')),
  sampleDataset: async (split = 'test') => [
    { name: `${split}-images-idx3-ubyte.gz`, bytes: await fetchFirst(here(`mnist/${split}-images-idx3-ubyte.gz`)) },
    { name: `${split}-labels-idx1-ubyte.gz`, bytes: await fetchFirst(here(`mnist/${split}-labels-idx1-ubyte.gz`)) },
  ],
  reportViewer: async () => new TextDecoder().decode(await fetchFirst(here('report/viewer.js'))),
  ort: ortWeb.factory,
  ortLabel: ortWeb.label,
  now: () => performance.now(),
  allow: () => false,
  // Large batches on several Web Workers where memory can be shared (a cross-origin isolated page).
  parallelWorkers: browserParallelWorkers,
  parallelRunner: browserParallelRunner,
  memoryLimit: browserDataLimit,
};

const host = new EngineHost(platform);
const send: Send = (message, transfer) => scope.postMessage(message, transfer ?? []);
scope.onmessage = (e: MessageEvent) => host.handle(e.data, send);
const ready: ReadyMessage = { type: 'ready', id: -1 };
scope.postMessage(ready);
