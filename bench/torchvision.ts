// Batch-1 time of Prunescope's runtime against onnxruntime-node (one thread) on ONNX files of any
// architecture, e.g. the torchvision networks scripts/torch/export_torchvision.py writes to
// /tmp/prunescope-tv (random weights: a speed and coverage check, not accuracy). CPU time of this
// process, the two runtimes alternated in each repetition, the median of the per-repetition ratios;
// the input is a fixed pattern of the model's declared shape (symbolic sizes 1). `--profile` also
// prints where our time goes by step kind (each step's impl wrapped in a timer here). Not a test.
// Run: npx tsx bench/torchvision.ts FILE.onnx... [--profile]   (env: REPS=5)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../src/core/onnx';
import { Session } from '../src/core/runtime';
import { median, printTable } from './table';

setFlagsFromString('--experimental-wasm-relaxed-simd'); // as the engine and the CLI set it

const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

type Step = { impl: (a: unknown, c: unknown) => unknown; ctx: { label: string } };

/** Milliseconds per step kind (the label without node names) over `runs` runs, largest first. */
function profile(s: Session, run: () => void, runs: number): [string, number][] {
  const steps = (s as unknown as { plan: { steps: Step[] } }).plan.steps;
  const times = steps.map(() => 0);
  const originals = steps.map((st) => st.impl);
  steps.forEach((st, k) => {
    st.impl = (a, c) => {
      const t = performance.now();
      const r = originals[k](a, c);
      times[k] += performance.now() - t;
      return r;
    };
  });
  for (let i = 0; i < runs; i++) run();
  steps.forEach((st, k) => (st.impl = originals[k]));
  const byKind = new Map<string, number>();
  steps.forEach((st, k) => {
    const kind = st.ctx.label.replace(/ ".*?"/g, '');
    byKind.set(kind, (byKind.get(kind) ?? 0) + times[k] / runs);
  });
  return [...byKind].sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const withProfile = args.includes('--profile');
  const files = args.filter((a) => a !== '--profile');
  if (files.length === 0) throw new Error('usage: npx tsx bench/torchvision.ts FILE.onnx... [--profile]');
  const reps = Number(process.env.REPS ?? 5);
  const rows: string[][] = [];
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    const os = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const meta = os.inputMetadata[0];
    const dims = meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' ? d : 1)) : [1];
    const n = dims.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
    const s = Session.create(decodeModel(bytes, file), { kernels: 'sparse' });
    const feed = { [os.inputNames[0]]: new ort.Tensor('float32', x, dims) };
    const want = (await os.run(feed))[os.outputNames[0]].data as Float32Array;
    const got = s.runFloat(x, dims[0]);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(want[i] - got[i]));
    }
    // About a second of onnxruntime per repetition.
    const t0 = cpu();
    await os.run(feed);
    const per = Math.max(1, Math.round(1e6 / Math.max(1, cpu() - t0)));
    const ortTimes: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < reps; r++) {
      let t = cpu();
      for (let i = 0; i < per; i++) await os.run(feed);
      const a = (cpu() - t) / per;
      t = cpu();
      for (let i = 0; i < per; i++) s.runFloat(x, dims[0]);
      ratios.push((cpu() - t) / per / a);
      ortTimes.push(a);
    }
    rows.push([basename(file), dims.join('×'), (median(ortTimes) / 1000).toFixed(2), `${median(ratios).toFixed(2)}×`, (diff / Math.max(scale, 1e-30)).toExponential(1)]);
    if (withProfile) {
      console.log(`\n${basename(file)}: our time by step kind, ms per run`);
      for (const [kind, ms] of profile(s, () => s.runFloat(x, dims[0]), 3).slice(0, 12)) console.log(`  ${ms.toFixed(2).padStart(8)}  ${kind}`);
    }
    await os.release();
  }
  console.log(`\nbatch 1, one thread, CPU time, median of ${reps} alternated repetitions`);
  printTable(['model', 'input', 'onnxruntime ms', 'Prunescope ×', 'max |Δ| / max |y|'], rows);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
