// The deployment question in `npm run bench`: the exported file (the pruned model encoded, for
// channels the smaller dense model) run in onnxruntime-node at batch 1 (one intra-op thread) and at
// the large batch (`workers` intra-op threads), timed back to back with the unpruned model in the same
// runtime, with the file's parameters, MACs and sizes (core/eval/exported.ts, as sweeps report them).

import { exportedFacts, type Runner } from '../src/core/eval';
import type { Model } from '../src/core/onnx/model';
import type { EnginePlatform } from '../src/engine/platform';
import { printTable } from './table';

export interface OrtPair {
  /** One intra-op thread (batch 1). */
  one: Runner & { dispose(): Promise<void> | void };
  /** `workers` intra-op threads (the large batch). */
  many: Runner & { dispose(): Promise<void> | void };
}

/** onnxruntime-node sessions of an encoded model: one thread for batch 1, `workers` for the large batch. */
export async function ortPair(engine: EnginePlatform, bytes: Uint8Array, io: { name: string; sampleDims: number[] }, workers: number): Promise<OrtPair> {
  const one = await engine.ort!(bytes, io, { threads: 1 });
  const many = await engine.ort!(bytes, io, { threads: workers });
  return { one, many };
}

export async function disposePair(p: OrtPair): Promise<void> {
  await p.one.dispose();
  await p.many.dispose();
}

/** One row of the exported-file table: what was measured of one model. */
export interface ExportedRow {
  label: string;
  accuracy: number;
  model: Model;
  /** Its encoded file (what onnxruntime ran). */
  bytes: Uint8Array;
  /** Tensors the sparse export stores as COO (the plan's layers; none for the unpruned model). */
  pruned: readonly string[];
  batch1: number;
  batch: number;
}

function mb(n: number): string {
  return `${(n / 2 ** 20).toFixed(2)} MB`;
}

function short(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/**
 * Prints the table: per row, accuracy, parameters (nonzero / all), MACs at batch 1, dense and sparse
 * file sizes, and onnxruntime-node's seconds at batch 1 and at the large batch with their ratio to the
 * first row (the unpruned model); `targets` (batch 1, large batch) add a "met?" column for the last row.
 */
export function printExportedTable(rows: ExportedRow[], count: number, batch: number, workers: number, targets?: { batch1: number; batch: number }): void {
  const [orig] = rows;
  const head = ['model', 'accuracy', 'params (nonzero / all)', 'MACs b1', 'file', 'sparse file', `ort b1 s (${count})`, '×orig', `ort b${batch} ×${workers} s`, '×orig'];
  if (targets) head.push('target b1 / large', 'met?');
  const body = rows.map((r, i) => {
    const f = exportedFacts(r.model, r.pruned, r.bytes);
    const x1 = r.batch1 / orig.batch1;
    const xb = r.batch / orig.batch;
    const row = [r.label, r.accuracy.toFixed(4), `${short(f.nonzeroParams)} / ${short(f.params)}`, short(f.macs), mb(f.denseBytes), mb(f.sparseBytes), r.batch1.toFixed(3), `${x1.toFixed(2)}×`, r.batch.toFixed(3), `${xb.toFixed(2)}×`];
    if (targets) {
      const last = i === rows.length - 1 && i > 0;
      row.push(last ? `≤ ${targets.batch1}× / ≤ ${targets.batch}×` : '', last ? (x1 <= targets.batch1 && xb <= targets.batch ? 'yes' : 'NO') : '');
    }
    return row;
  });
  printTable(head, body);
}
