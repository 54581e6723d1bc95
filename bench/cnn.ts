// CPU-time ratios of Prunescope's runtime to onnxruntime-node (one thread) on the three CNN fixtures
// (test/models/cnn: LeNet, ResNet-style, MobileNet-style) at batch 1, unpruned and magnitude-pruned
// (layer mode) at several ratios, on the Fashion-MNIST test images. Not a test, not in CI: a
// measurement on a shared machine, so CPU time of this process (steadier than wall time), several
// repetitions, medians, our runs and onnxruntime's interleaved. Also prints the largest output
// difference to onnxruntime on the unpruned model (a sanity check, the tests hold the 1e-4 bound).
// Before timing, each runtime (onnxruntime and every one of our sessions alike) is warmed up in
// rounds of at least WARM_MS of CPU time each (the test images in turn) until two successive
// rounds' time per image agree within 5% (at most WARM_MAX rounds): V8's WebAssembly tier-up and
// onnxruntime's first-run allocations then sit in no timed run. The rounds each took are printed
// (a capped one is marked "cap").
// Run: npx tsx bench/cnn.ts   (env: N=500 REPS=5 RATIOS=0,0.5,0.9,0.97 MODELS=lenet,resnet,mobilenet;
// WARM_MS=100 WARM_MAX=30; SPARSE_MIN=s sets the session's sparseMinSparsity, e.g. 1 for dense
// kernels only; FUSED=0: conv kernels multiply then add even where relaxed SIMD's fused
// multiply-add is there, as the engine enables it)
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
const WARM_TOLERANCE = 0.05;
const warmMax = Number(process.env.WARM_MAX ?? 30);
const warmUs = 1000 * Number(process.env.WARM_MS ?? 100);

/**
 * Runs `runOne` (image i of `n`) in rounds of at least WARM_MS of CPU time until two successive
 * rounds' µs per image agree within 5%, or `warmMax` rounds: the rounds it took (`warmMax`: never settled).
 */
async function warmUp(runOne: (i: number) => Promise<unknown> | unknown, n: number): Promise<number> {
  let i = 0;
  const round = async (): Promise<number> => {
    const t = cpu();
    let count = 0;
    do {
      const out = runOne(i);
      if (out instanceof Promise) await out;
      i = (i + 1) % n;
      count++;
    } while (cpu() - t < warmUs);
    return (cpu() - t) / count;
  };
  let last = await round();
  for (let k = 2; k <= warmMax; k++) {
    const t = await round();
    if (Math.abs(t - last) <= WARM_TOLERANCE * last) return k;
    last = t;
  }
  return warmMax;
}
const roundsText = (k: number): string => (k >= warmMax ? `${k} (cap)` : String(k));

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
    const runOrt = (i: number): Promise<unknown> => os.run({ [inName]: new ort.Tensor('float32', X.subarray(i * K, i * K + K), [1, 1, 28, 28]) });
    const timeOrt = async (): Promise<number> => {
      const t = cpu();
      for (let i = 0; i < n; i++) await runOrt(i);
      return (cpu() - t) / n;
    };
    const timeOurs = (s: Session): number => {
      const t = cpu();
      for (let i = 0; i < n; i++) s.runFloat(X.subarray(i * K, i * K + K), 1);
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
    const warmed = [`ort ${roundsText(await warmUp(runOrt, n))}`];
    for (const e of sessions) warmed.push(`${e.r}: ${roundsText(await warmUp((i) => e.s.runFloat(X.subarray(i * K, i * K + K), 1), n))}`);
    console.log(`${name.padEnd(9)} warm-up rounds of ≥ ${warmUs / 1000} ms CPU until two agree within ${100 * WARM_TOLERANCE}%: ${warmed.join(', ')}`);
    const rival: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      rival.push(await timeOrt());
      for (const e of sessions) e.times.push(timeOurs(e.s));
    }
    const o = median(rival);
    const cells = sessions.map((e) => `${e.r}: ${median(e.times).toFixed(1)} µs ${(median(e.times) / o).toFixed(2)}×`);
    console.log(`${name.padEnd(9)} ort ${o.toFixed(1)} µs | ${cells.join(' | ')} | max |Δ| ${diff.toExponential(1)}`);
    await os.release();
  }
}

void main();
