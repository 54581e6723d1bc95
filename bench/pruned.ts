// The pruned models of `npm run bench`: one per (method, ratio), made with pruneWithMethod on the
// training split and cached as ONNX files under os.tmpdir(), keyed by the model file's hash, the
// training data's hash, the method, the ratio and the options (fine-tuning takes minutes).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { encodeModel } from '../src/core/onnx/encode';
import type { Model } from '../src/core/onnx/model';
import { methodSpecOf, pruneWithMethod, type MethodSpec, type PruneMethod } from '../src/core/prune';

export const CACHE_DIR = join(tmpdir(), 'prunescope-bench-cache');

export interface PrunedModel {
  method: PruneMethod;
  ratio: number;
  model: Model;
  bytes: Uint8Array;
  cached: boolean;
}

function hash(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
}

/**
 * Prunes (or loads from the cache) `model` at `ratio` with `method`; `train` is both calibration
 * and training data. `model` may be an earlier result (a fine-tuning cascade): its bytes are in the key.
 */
export async function prunedModel(
  model: Model,
  modelBytes: Uint8Array,
  train: Dataset,
  method: PruneMethod,
  ratio: number,
  options: Pick<MethodSpec, 'dataLimit' | 'epochs' | 'finetune' | 'structure'> = {},
): Promise<PrunedModel> {
  if (ratio === 0) return { method, ratio, model, bytes: modelBytes, cached: false };
  // The spec as the engine resolves it (the product's defaults, e.g. the channel multiple), in the key too.
  const { finetune, ...fields } = options;
  const spec: MethodSpec = { ...methodSpecOf({ ratio, mode: 'layer', method, ...fields }), ...(finetune ? { finetune } : {}) };
  const key = hash(modelBytes, new Uint8Array(train.images.buffer, train.images.byteOffset, train.images.byteLength), method, String(ratio), JSON.stringify(spec));
  const file = join(CACHE_DIR, `${method}-${ratio}-${key}.onnx`);
  if (method !== 'magnitude' && existsSync(file)) {
    const bytes = new Uint8Array(readFileSync(file));
    return { method, ratio, model: decodeModel(bytes, file), bytes, cached: true };
  }
  const res = await pruneWithMethod(model, spec, { calibration: train, train });
  const bytes = encodeModel(res.model);
  if (method !== 'magnitude') {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(`${file}.part`, bytes);
    renameSync(`${file}.part`, file);
  }
  return { method, ratio, model: res.model, bytes, cached: false };
}
