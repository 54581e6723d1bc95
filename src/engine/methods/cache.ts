// The pruned models the engine keeps so that evaluate / export / dumps after a 'prune' job with an
// equal spec reuse the result of a slow method instead of running it again. Bounded: a few entries
// and a byte budget over their pruned tensors; the least recently used go first.

import type { Model } from '../../core/onnx/model';
import { METHOD_REGISTRY, resolveSpec, type PrunePlan } from '../../core/prune';
import { datasetKey } from '../datasets';
import type { PruneMethod, PruneSpec } from '../protocol';

export interface PrunedEntry {
  model: Model;
  plan: PrunePlan;
  method: PruneMethod;
  notes: string[];
}

/** The default data of a method: the bundled training split. */
export const DEFAULT_METHOD_DATA = { kind: 'sample', split: 'train' } as const;

/**
 * A string equal for two specs that give the same pruned model: defaults filled in, fields a method
 * does not use left out (a magnitude spec ignores its data; reconstruct ignores `train` and `epochs`).
 */
export function specKey(given: PruneSpec): string {
  const spec = resolveSpec(given);
  const method = spec.method ?? 'magnitude';
  const overrides = spec.overrides ? Object.entries(spec.overrides).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
  const need = METHOD_REGISTRY[method].data;
  const data = need === 'none' ? undefined : ((need === 'calibration' ? spec.calibration : spec.train) ?? DEFAULT_METHOD_DATA);
  // resolveSpec has dropped the fields the method does not use.
  return JSON.stringify([method, spec.ratio, spec.mode, spec.select ?? null, overrides, spec.structure ?? null, spec.importance ?? null, spec.channelMultiple ?? null, data ? datasetKey(data) : null, spec.dataLimit ?? null, spec.epochs ?? null, spec.allocateBlocks === true, spec.allocation ?? null, spec.distill ?? null, spec.learningRate ?? null, spec.start ?? null]);
}

function prunedBytes(e: PrunedEntry): number {
  const pruned = new Set(e.plan.layers.map((l) => l.tensor));
  let n = 0;
  for (const t of e.model.graph.initializers) {
    if (pruned.has(t.name) && t.data !== undefined && !Array.isArray(t.data)) n += (t.data as ArrayBufferView).byteLength;
  }
  return n;
}

export class PrunedCache {
  private entries: { modelId: number; key: string; entry: PrunedEntry; bytes: number }[] = [];
  /** Methods actually run (cache misses) and answers from the cache, for tests and diagnostics. */
  runs = 0;
  hits = 0;

  constructor(
    private readonly capacity = 4,
    private readonly maxBytes = 512 * 1024 * 1024,
  ) {}

  get(modelId: number, key: string): PrunedEntry | undefined {
    const i = this.entries.findIndex((e) => e.modelId === modelId && e.key === key);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.unshift(e);
    this.hits++;
    return e.entry;
  }

  put(modelId: number, key: string, entry: PrunedEntry): void {
    this.entries = this.entries.filter((e) => !(e.modelId === modelId && e.key === key));
    this.entries.unshift({ modelId, key, entry, bytes: prunedBytes(entry) });
    let total = 0;
    let keep = 0;
    for (const e of this.entries) {
      if (keep > 0 && (keep >= this.capacity || total + e.bytes > this.maxBytes)) break;
      total += e.bytes;
      keep++;
    }
    this.entries.length = keep;
  }

  /** The entries of a model, most recently used first (tests and diagnostics). */
  entriesOf(modelId: number): { key: string; entry: PrunedEntry }[] {
    return this.entries.filter((e) => e.modelId === modelId).map(({ key, entry }) => ({ key, entry }));
  }

  /** Forgets every entry of a closed model. */
  dropModel(modelId: number): void {
    this.entries = this.entries.filter((e) => e.modelId !== modelId);
  }

  get size(): number {
    return this.entries.length;
  }
}
