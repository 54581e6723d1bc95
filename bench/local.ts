// Quick local timing (not a test, not in CI): the bundled sample MLP on the bundled MNIST test set,
// Prunescope's sparse runtime at several magnitude-pruning ratios against onnxruntime-node on the
// unpruned model (one thread), back to back in one process, several repetitions, medians.
// Times are per sample, at batch 1 (one sample per call) and at a large batch; CPU time of this
// process by default (steadier than wall time on a shared machine), wall time with WALL=1.
// Run: npx tsx bench/local.ts   (env: REPS=5 BATCH=1000 RATIOS=0,0.9,0.95,0.97 N=2000)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { applyPrune, planPrune } from '../src/core/prune';
import { Session } from '../src/core/runtime';

const RES = join(__dirname, '../resources');
const reps = Number(process.env.REPS ?? 5);
const big = Number(process.env.BATCH ?? 1000);
const ratios = (process.env.RATIOS ?? '0,0.9,0.95,0.97').split(',').map(Number);
const clock = (): number => {
  if (process.env.WALL === '1') return performance.now() * 1000;
  const c = process.cpuUsage();
  return c.user + c.system;
};
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];

async function main(): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(RES, 'sample-mlp.onnx')));
  const model = decodeModel(bytes, 'sample-mlp.onnx');
  const files = ['mnist/test-images-idx3-ubyte.gz', 'mnist/test-labels-idx1-ubyte.gz'];
  const ds = parseDataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(RES, f))) })));
  const n = Math.min(ds.count, Number(process.env.N ?? ds.count));
  const K = ds.sampleSize;
  const X = ds.images;
  const input = model.graph.inputs[0];
  const rank = input.type?.kind === 'tensor' ? (input.type.shape ?? []).length : 2;
  const dims = (b: number): number[] => (rank === 4 ? [b, 1, 28, 28] : [b, K]);
  const os = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const timeOrt = async (batch: number): Promise<number> => {
    const t = clock();
    for (let i = 0; i < n; i += batch) {
      const m = Math.min(batch, n - i);
      await os.run({ [input.name]: new ort.Tensor('float32', X.subarray(i * K, (i + m) * K), dims(m)) });
    }
    return (clock() - t) / n;
  };
  const timeOurs = (s: Session, batch: number): number => {
    const t = clock();
    for (let i = 0; i < n; i += batch) {
      const m = Math.min(batch, n - i);
      s.runFloat(X.subarray(i * K, (i + m) * K), m);
    }
    return (clock() - t) / n;
  };
  const runs = ratios.map((r) => {
    const s = Session.create(r === 0 ? model : applyPrune(model, planPrune(model, { ratio: r, mode: 'layer' })), { kernels: 'sparse' });
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const y = s.runFloat(X.subarray(i * K, i * K + K), 1);
      let best = 0;
      for (let j = 1; j < y.length; j++) if (y[j] > y[best]) best = j;
      if (best === ds.labels[i]) ok++;
    }
    return { label: `sparse ${r}`, s, accuracy: ok / n, b1: [] as number[], big: [] as number[] };
  });
  const rival = { b1: [] as number[], big: [] as number[] };
  for (let rep = 0; rep < reps; rep++) {
    rival.b1.push(await timeOrt(1));
    rival.big.push(await timeOrt(big));
    for (const r of runs) {
      r.b1.push(timeOurs(r.s, 1));
      r.big.push(timeOurs(r.s, big));
    }
  }
  const o1 = median(rival.b1);
  const ob = median(rival.big);
  console.log(`${n} samples, ${reps} reps, medians, ${process.env.WALL === '1' ? 'wall' : 'CPU'} µs per sample`);
  console.log(`onnxruntime 1 thread, unpruned: batch 1 ${o1.toFixed(1)}  batch ${big} ${ob.toFixed(2)}`);
  for (const r of runs) {
    const b1 = median(r.b1);
    const bb = median(r.big);
    console.log(
      `${r.label.padEnd(12)} accuracy ${r.accuracy.toFixed(4)}  batch 1 ${b1.toFixed(1).padStart(6)} (${(b1 / o1).toFixed(3)}×)` +
        `  batch ${big} ${bb.toFixed(2).padStart(6)} (${(bb / ob).toFixed(3)}×)`,
    );
  }
  await os.release();
}

void main();
