// CPU-time ratios of Prunescope's runtime to onnxruntime-node (one thread) on the three CNN fixtures
// (test/models/cnn: LeNet, ResNet-style, MobileNet-style) at batch 1, unpruned and magnitude-pruned
// (layer mode) at several ratios, on the Fashion-MNIST test images. Not a test, not in CI: a
// measurement on a shared machine, so CPU time of this process (steadier than wall time), several
// repetitions, medians, our runs and onnxruntime's interleaved. Also prints the largest output
// difference to onnxruntime on the unpruned model (a sanity check, the tests hold the 1e-4 bound).
// Run: npx tsx bench/cnn.ts   (env: N=500 REPS=5 RATIOS=0,0.5,0.9,0.97 MODELS=lenet,resnet,mobilenet;
// SPARSE_MIN=s sets the session's sparseMinSparsity, e.g. 1 for dense kernels only; FUSED=0: conv
// kernels multiply then add even where relaxed SIMD's fused multiply-add is there, as the engine enables it)
import { setFlagsFromString } from 'node:v8';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { applyPrune, planPrune } from '../src/core/prune';
import { Session } from '../src/core/runtime';
import { convKernelOptions, fusedMadd } from '../src/core/runtime/kernels/conv-wasm';

setFlagsFromString('--experimental-wasm-relaxed-simd');
if (process.env.FUSED === '0') convKernelOptions.fused = false;

const DIR = join(__dirname, '../test/models/cnn');
const DATA = '/usr/share/datasets/fashion-mnist';
const reps = Number(process.env.REPS ?? 5);
const ratios = (process.env.RATIOS ?? '0,0.5,0.9,0.97').split(',').map(Number);
const names = (process.env.MODELS ?? 'lenet,resnet,mobilenet').split(',');
const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];

async function main(): Promise<void> {
  const files = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const ds = parseDataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(DATA, f))) })));
  const n = Math.min(ds.count, Number(process.env.N ?? 500));
  const K = ds.sampleSize;
  const X = ds.images;
  console.log(`${n} images, batch 1, ${reps} reps, median CPU µs per image; ratio = ours / onnxruntime (1 thread, unpruned); conv multiply-add ${fusedMadd() ? 'fused (relaxed SIMD)' : 'mul + add'}`);
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
    const model = decodeModel(bytes, `${name}.onnx`);
    const os = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const inName = model.graph.inputs[0].name;
    const outName = model.graph.outputs[0].name;
    const timeOrt = async (): Promise<number> => {
      const t = cpu();
      for (let i = 0; i < n; i++) await os.run({ [inName]: new ort.Tensor('float32', X.subarray(i * K, i * K + K), [1, 1, 28, 28]) });
      return (cpu() - t) / n;
    };
    const sessions = ratios.map((r) => ({
      r,
      s: Session.create(r === 0 ? model : applyPrune(model, planPrune(model, { ratio: r, mode: 'layer' })), {
        kernels: 'sparse',
        ...(process.env.SPARSE_MIN ? { sparseMinSparsity: Number(process.env.SPARSE_MIN) } : {}),
      }),
      times: [] as number[],
    }));
    let diff = 0;
    for (let i = 0; i < Math.min(n, 50); i++) {
      const x = X.subarray(i * K, i * K + K);
      const want = (await os.run({ [inName]: new ort.Tensor('float32', x, [1, 1, 28, 28]) }))[outName].data as Float32Array;
      const got = sessions[0].s.runFloat(x, 1);
      for (let j = 0; j < want.length; j++) diff = Math.max(diff, Math.abs(want[j] - got[j]));
    }
    const rival: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      rival.push(await timeOrt());
      for (const e of sessions) {
        const t = cpu();
        for (let i = 0; i < n; i++) e.s.runFloat(X.subarray(i * K, i * K + K), 1);
        e.times.push((cpu() - t) / n);
      }
    }
    const o = median(rival);
    const cells = sessions.map((e) => `${e.r}: ${median(e.times).toFixed(1)} µs ${(median(e.times) / o).toFixed(2)}×`);
    console.log(`${name.padEnd(9)} ort ${o.toFixed(1)} µs | ${cells.join(' | ')} | max |Δ| ${diff.toExponential(1)}`);
    await os.release();
  }
}

void main();
