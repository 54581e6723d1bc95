import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseDataset } from '/work/wt-h4/src/core/data';
import { decodeModel } from '/work/wt-h4/src/core/onnx/decode';
import { encodeModel } from '/work/wt-h4/src/core/onnx/encode';
import { applyPrune, planPrune } from '/work/wt-h4/src/core/prune';
import { Session } from '/work/wt-h4/src/core/runtime';
import { SessionPool, sharedCopy } from '/work/wt-h4/src/engine/node/parallel';
const R = '/work/wt-h4/resources/';
async function main() {
  const model = decodeModel(new Uint8Array(readFileSync(R + 'sample-mlp.onnx')), 'm');
  const ds = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(R + 'mnist/' + f)) })));
  const shared = sharedCopy(ds.images);
  const pool = await SessionPool.create(encodeModel(model), { workers: 2, workerFile: '/work/wt-h4/out/cli/parallel-worker.js' });
  for (const ratio of [0, 0.95]) {
    const m = ratio ? applyPrune(model, planPrune(model, { ratio, mode: 'layer' })) : model;
    await pool.load(encodeModel(m));
    const s = Session.create(m, { kernels: 'sparse' });
    const batch = Number(process.env.B ?? 1000);
    const time = async (f: (x: Float32Array, b: number) => unknown, reps: number) => {
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) for (let st = 0; st < 2000; st += batch) await f(shared.subarray(st * 784, (st + batch) * 784), batch);
      return (2000 * reps) / ((performance.now() - t0) / 1000);
    };
    await time((x, b) => pool.runBatch(x, b), 1);
    for (let k = 0; k < 3; k++) {
      let b1 = 0, b2 = 0; const all1: number[] = [], all2: number[] = [];
      for (let r = 0; r < 10; r++) {
        const w1 = await time((x, b) => pool.runBatch(x, b, 1), 1);
        const w2 = await time((x, b) => pool.runBatch(x, b), 1);
        all1.push(Math.round(w1/1000)); all2.push(Math.round(w2/1000));
        b1 = Math.max(b1, w1); b2 = Math.max(b2, w2);
      }
      console.log(ratio, 'best w1', b1.toFixed(0), 'w2', b2.toFixed(0), 'x', (b2 / b1).toFixed(2), 'k/s', all1.join(','), '|', all2.join(','));
    }
  }
  await pool.dispose();
}
main();
