// Fine-tuned block-pruned sample MLPs for bench/structured.ts: a cascade up the ratios (as the main
// bench's finetune method), each ratio zeroing blocks (bench/block-zeros.ts) in the model fine-tuned
// at the ratio below, then `epochs` epochs of Adam (lr 5e-4, as core/prune/finetune.ts) with those
// zeros frozen. Cached as ONNX under os.tmpdir() (an epoch on the 60,000 training images takes
// about a minute), keyed by the model's hash, the shape, the ratio and the epochs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { encodeModel } from '../src/core/onnx/encode';
import type { Model } from '../src/core/onnx/model';
import { masksFromZeros, mlpFromModel, trainMlp, updateModelWeights } from '../src/core/train';
import { withStructuredZeros, type ZeroPattern } from './block-zeros';
import { CACHE_DIR } from './pruned';

export async function blockCascade(
  base: Model, baseBytes: Uint8Array, train: Dataset, shape: string, pattern: ZeroPattern, ratios: readonly number[], epochs: number,
): Promise<{ ratio: number; model: Model }[]> {
  const out: { ratio: number; model: Model }[] = [];
  let from = base;
  let key = createHash('sha256').update(baseBytes).digest('hex').slice(0, 16);
  for (const ratio of [...ratios].sort((a, b) => a - b)) {
    key = createHash('sha256').update(`${key}/${shape}/${ratio}/${epochs}`).digest('hex').slice(0, 16);
    const file = join(CACHE_DIR, `blocks-${shape}-${ratio}-${key}.onnx`);
    let model: Model;
    if (existsSync(file)) {
      model = decodeModel(new Uint8Array(readFileSync(file)), file);
    } else {
      const t0 = Date.now();
      const zeroed = withStructuredZeros(from, pattern, ratio);
      const layers = mlpFromModel(zeroed);
      trainMlp(layers, train, { epochs, masks: masksFromZeros(layers), learningRate: 5e-4, seed: 1 });
      model = updateModelWeights(zeroed, layers);
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(`${file}.part`, encodeModel(model));
      renameSync(`${file}.part`, file);
      process.stderr.write(`structured: ${shape} at ${ratio} fine-tuned in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    out.push({ ratio, model });
    from = model;
    await new Promise((r) => setImmediate(r));
  }
  return out;
}
