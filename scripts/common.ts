// What the measuring scripts share: their arguments, the Fashion-MNIST splits and CNN fixtures,
// top-1 accuracy (by onnxruntime-node or from logits), CPU time and how they print.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model } from '../src/core/onnx';
import { parseDataset, type Dataset } from '../src/core/data';

export const ROOT = join(__dirname, '..');
export const FASHION = '/usr/share/datasets/fashion-mnist';

/** Whether `--name` is on the command line. */
export const has = (name: string): boolean => process.argv.includes(`--${name}`);

/** The value after `--name`, or `dflt`. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

export const pct = (a: number): string => `${(100 * a).toFixed(2)}%`;

/** CPU seconds (user + system) of this process so far. */
export function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A Fashion-MNIST split from the machine's copy. */
export function fashion(split: 'train' | 't10k'): Dataset {
  return parseDataset([`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map((n) => ({ name: join(FASHION, n), bytes: new Uint8Array(readFileSync(join(FASHION, n))) })));
}

/** One of the CNNs of test/models/cnn (lenet, resnet, mobilenet). */
export function cnnModel(name: string): Model {
  const path = join(ROOT, 'test', 'models', 'cnn', `${name}.onnx`);
  return decodeModel(new Uint8Array(readFileSync(path)), path);
}

/** The share of samples whose largest logit (the first on ties) is the label. */
export function top1(logits: ArrayLike<number>, labels: ArrayLike<number>, count: number): number {
  const classes = logits.length / count;
  let correct = 0;
  for (let s = 0; s < count; s++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[s * classes + c] > logits[s * classes + best]) best = c;
    if (best === labels[s]) correct++;
  }
  return correct / count;
}

/** Top-1 accuracy of a [N, 1, 28, 28] → [N, classes] model on `test`, by onnxruntime-node. */
export async function ortAccuracy(m: Model, test: Dataset): Promise<number> {
  const session = await ort.InferenceSession.create(encodeModel(m));
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', test.images, [test.count, 1, 28, 28]) });
    return top1(out[session.outputNames[0]].data as Float32Array, test.labels, test.count);
  } finally {
    await session.release();
  }
}

/** Runs a script's main, printing a failure and setting the exit code. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
