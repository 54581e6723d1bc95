// `npm run bench -- --external-gb N [--external-dir DIR]` or `npx tsx bench/external.ts --external-gb N [--dir DIR] [--keep] [--cold]`
// (skipped without --external-gb):
// a transformer-shaped float32 model of about N GB whose weights are in one external data file,
// written to a temporary folder, then, in a fresh engine process (out/cli/utility.js: npm run
// build:cli), open, statistics of every weight, and a 50% magnitude export per layer and global
// (tensor by tensor into a new data file), each with the engine's peak resident memory (/proc
// VmHWM). The disk is measured first with a plain sequential read and a sequential copy of the
// data file (8 MB chunks), the yardsticks of the ratios. Issue 17's targets at 8 GB: open < 3 s
// with RSS < 1 GB; statistics < 2× one read of the bytes from disk; export memory < 2 GB. The file
// was just written, so both the read and the statistics read it from the page cache; `--cold`
// (root only: it writes /proc/sys/vm/drop_caches) empties the cache before each, so both read the
// disk, as the target says.

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { encodeModel } from '../src/core/onnx/encode';
import { DataType, type Model, type Tensor } from '../src/core/onnx/model';
import { memoryOf, timedOpen, withEngine } from './engine-process';
import { findRepo, printTable } from './table';

const CHUNK = 8 << 20;

/** Empties the page cache (root); false when not permitted. */
function dropCaches(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}
const now = (): number => performance.now() / 1000;
const gb = (n: number): string => `${(n / 2 ** 30).toFixed(2)} GB`;

/** Writes the model (hidden size H, `layers` blocks of q,k,v,o [H,H], up [H,4H], down [4H,H], an embedding) and its data file. */
function writeModel(dir: string, bytes: number): { path: string; dataBytes: number; params: number } {
  const h = bytes > 3 * 2 ** 30 ? 4096 : 2048;
  const vocab = 32000;
  const layers = Math.max(1, Math.round((bytes / 4 - vocab * h) / (12 * h * h)));
  const dataPath = join(dir, 'model.onnx.data');
  const fd = openSync(dataPath, 'w');
  let at = 0;
  let seed = 7;
  const buf = new Float32Array(CHUNK / 4);
  const initializers: Tensor[] = [];
  const add = (name: string, dims: number[]): void => {
    const n = dims[0] * dims[1];
    const offset = at;
    for (let done = 0; done < n; done += buf.length) {
      const m = Math.min(buf.length, n - done);
      for (let i = 0; i < m; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
        buf[i] = (seed / 2147483648) * 0.05;
      }
      writeSync(fd, new Uint8Array(buf.buffer, 0, m * 4), 0, m * 4, at);
      at += m * 4;
    }
    initializers.push({ name, dataType: DataType.FLOAT, dims, external: { location: 'model.onnx.data', offset, length: n * 4, entries: [] } });
  };
  const nodes: Model['graph']['nodes'] = [];
  add('embed', [vocab, h]);
  nodes.push({ name: 'embed', opType: 'Gather', domain: '', inputs: ['embed', 'ids'], outputs: ['h0'], attributes: [] });
  let prev = 'h0';
  for (let l = 0; l < layers; l++) {
    for (const [w, dims] of [['q', [h, h]], ['k', [h, h]], ['v', [h, h]], ['o', [h, h]], ['up', [h, 4 * h]], ['down', [4 * h, h]]] as const) {
      const name = `layer${l}.${w}`;
      add(name, [...dims]);
      nodes.push({ name, opType: 'MatMul', domain: '', inputs: [prev, name], outputs: [`${name}.out`], attributes: [] });
      prev = `${name}.out`;
    }
  }
  closeSync(fd);
  const model: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'prunescope-bench', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'transformer-shaped', valueInfo: [], nodes, initializers, sparseInitializers: [],
      inputs: [{ name: 'ids', type: { kind: 'tensor', elemType: DataType.INT64, shape: ['N'] } }],
      outputs: [{ name: prev, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', h] } }],
    },
  };
  const path = join(dir, 'model.onnx');
  writeFileSync(path, encodeModel(model));
  return { path, dataBytes: at, params: at / 4 };
}

/** Seconds to read `file` once, sequentially, and to copy it to `to` (read + write + fsync). */
function diskYardsticks(file: string, to: string, cold: boolean): { read: number; copy: number } {
  const buf = Buffer.alloc(CHUNK);
  const readAll = (): number => {
    const t0 = now();
    const fd = openSync(file, 'r');
    for (let at = 0; ; ) {
      const n = readSync(fd, buf, 0, CHUNK, at);
      if (n === 0) break;
      at += n;
    }
    closeSync(fd);
    return now() - t0;
  };
  let read = cold ? 0 : readAll();
  const t0 = now();
  const fd = openSync(file, 'r');
  const out = openSync(to, 'w');
  for (let at = 0; ; ) {
    const n = readSync(fd, buf, 0, CHUNK, at);
    if (n === 0) break;
    writeSync(out, buf, 0, n, at);
    at += n;
  }
  closeSync(fd);
  fsyncSync(out);
  closeSync(out);
  rmSync(to);
  const copy = now() - t0;
  // Cold: the read last, after the copy's writes, as the statistics will find the disk and caches.
  if (cold) {
    if (!dropCaches()) throw new Error('--cold: cannot write /proc/sys/vm/drop_caches (needs root)');
    read = readAll();
  }
  return { read, copy };
}

/** The external-data table for a model of `gb` GB (written in `dir`, default the temporary folder; removed unless `keep`). */
export async function runExternalBench(values: { gb: number; dir?: string; keep?: boolean; cold?: boolean }): Promise<void> {
  if (!(values.gb > 0)) throw new Error(`--external-gb ${values.gb}: expected a size in GB above 0`);
  const size = values.gb * 2 ** 30;
  const utility = join(findRepo(), 'out/cli/utility.js');
  if (!existsSync(utility)) throw new Error(`${utility} is missing: npm run build:cli`);
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'prunescope-external-'));
  try {
    let t0 = now();
    const made = writeModel(dir, size);
    console.log(`wrote ${made.path} + ${gb(made.dataBytes)} of external data (${(made.params / 1e9).toFixed(2)} B parameters) in ${(now() - t0).toFixed(1)} s`);
    const cold = values.cold === true;
    const disk = diskYardsticks(join(dir, 'model.onnx.data'), join(dir, 'copy.data'), cold);
    const rows: string[][] = [
      ['sequential read of the data file', disk.read.toFixed(2), `${(made.dataBytes / 2 ** 20 / disk.read).toFixed(0)} MB/s (${cold ? 'from disk: page cache emptied' : 'page cache permitting'})`],
      ['sequential copy (read + write + fsync)', disk.copy.toFixed(2), `${(made.dataBytes / 2 ** 20 / disk.copy).toFixed(0)} MB/s`],
    ];
    await withEngine(utility, async (c, pid) => {
      const { summary, seconds: open } = await timedOpen(c, made.path);
      rows.push(['open (summary, graph, info)', open.toFixed(2), `engine RSS ${gb(memoryOf(pid).rss)}, peak ${gb(memoryOf(pid).peak)} (targets at 8 GB: < 3 s, < 1 GB)`]);
      if (cold) dropCaches();
      t0 = now();
      await c.request({ type: 'stats', modelId: summary.modelId, bins: 64 }).promise;
      const stats = now() - t0;
      rows.push(['statistics of every weight', stats.toFixed(2), `${(stats / disk.read).toFixed(2)}× the read${cold ? ' (both from disk)' : ' (both from the page cache)'} (target < 2×); peak RSS ${gb(memoryOf(pid).peak)}`]);
      for (const mode of ['layer', 'global'] as const) {
        const out = join(dir, `pruned-${mode}.onnx`);
        t0 = now();
        const r = await c.request({ type: 'export', modelId: summary.modelId, spec: { ratio: 0.5, mode }, format: 'dense', path: out }).promise;
        const t = now() - t0;
        const written = statSync(`${out}.data`).size;
        rows.push([
          `export pruned 50% (${mode})`,
          t.toFixed(2),
          `${(t / disk.copy).toFixed(2)}× the copy; ${gb(written)} written; kept ${r.report.keptParams} of ${r.report.prunableParams}; peak RSS ${gb(memoryOf(pid).peak)} (target < 2 GB)`,
        ]);
        if (!values.keep) rmSync(`${out}.data`);
      }
    });
    console.log(`\nExternal data: a ${gb(made.dataBytes)} transformer-shaped model in ${dir}`);
    printTable(['measure', 'seconds', 'note'], rows);
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'external-gb': { type: 'string' }, dir: { type: 'string' }, keep: { type: 'boolean' }, cold: { type: 'boolean' } } });
  if (values['external-gb'] === undefined) {
    console.log('external-data bench skipped (give --external-gb N to write an N GB model to a temporary folder)');
    return;
  }
  await runExternalBench({ gb: Number(values['external-gb']), dir: values.dir, keep: values.keep, cold: values.cold });
}

// Run directly (npx tsx bench/external.ts); npm run bench calls runExternalBench (bench/main.ts).
if (/[\\/]external\.ts$/.test(process.argv[1] ?? '')) {
  void main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  });
}
