// Batch-1 CPU time of ONNX files in Prunescope's sparse runtime against onnxruntime-node (one
// thread) on a reference model, all timed back to back in each repetition on the bundled MNIST test
// digits (e.g. fine-tuned block-pruned sample MLPs written by `prunescope prune … -o`, against the
// unpruned sample). CPU time of this process (the machine is shared), medians over repetitions of
// the per-repetition ratios. Not a test.
// Run: npx tsx bench/files-b1.ts FILE.onnx... [--reference resources/sample-mlp.onnx]  (env: REPS=7)
import { setFlagsFromString } from 'node:v8';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { Session } from '../src/core/runtime';
import { findRepo, median, printTable } from './table';

setFlagsFromString('--experimental-wasm-relaxed-simd'); // as the engine and the CLI set it

const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--reference');
  const reference = at >= 0 ? args.splice(at, 2)[1] : join(findRepo(), 'resources', 'sample-mlp.onnx');
  if (args.length === 0) throw new Error('usage: npx tsx bench/files-b1.ts FILE.onnx... [--reference MODEL]');
  const reps = Number(process.env.REPS ?? 7);
  const dir = join(findRepo(), 'resources', 'mnist');
  const ds = parseDataset(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })));
  const K = ds.sampleSize;
  const sample = (i: number): Float32Array => ds.images.subarray(i * K, (i + 1) * K);
  const os = await ort.InferenceSession.create(readFileSync(reference), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const name = os.inputNames[0];
  // The reference's declared input shape with batch 1 (e.g. [1, 1, 28, 28]; symbolic sizes other than the batch are not supported here).
  const meta = os.inputMetadata[0];
  const dims = meta.isTensor ? meta.shape.map((d, i) => (i === 0 ? 1 : Number(d))) : [1, K];
  const ortPass = async (): Promise<number> => {
    const t = cpu();
    for (let i = 0; i < ds.count; i++) await os.run({ [name]: new ort.Tensor('float32', sample(i), dims) });
    return (cpu() - t) / ds.count;
  };
  const sessions = args.map((f) => Session.create(decodeModel(new Uint8Array(readFileSync(f)), f), { kernels: 'sparse' }));
  const ourPass = (s: Session): number => {
    const t = cpu();
    for (let i = 0; i < ds.count; i++) s.runFloat(sample(i), 1);
    return (cpu() - t) / ds.count;
  };
  // Warm-up: compilation and first allocations outside the timing.
  await ortPass();
  for (const s of sessions) ourPass(s);
  const ortTimes: number[] = [];
  const ours: number[][] = sessions.map(() => []);
  for (let r = 0; r < reps; r++) {
    ortTimes.push(await ortPass());
    sessions.forEach((s, j) => ours[j].push(ourPass(s)));
  }
  console.log(`${ds.count} test digits at batch 1, ${reps} repetitions; onnxruntime-node (1 thread) on ${reference}: ${median(ortTimes).toFixed(1)} µs CPU per sample`);
  printTable(['file', 'µs per sample', '× onnxruntime'], args.map((f, j) => [f, median(ours[j]).toFixed(2), `${median(ours[j].map((t, r) => t / ortTimes[r])).toFixed(3)}×`]));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
