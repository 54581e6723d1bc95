// Block and N:M sparsity in Prunescope's runtime (issue 15, item 4 and its third target), on the
// sample MLP (784→1000→1000→10) and the MNIST test set: CPU time per sample (process.cpuUsage, this
// thread only works) at batch 1 and batch `batch` of onnxruntime-node on the unpruned model (1
// intra-op thread), Prunescope on the unpruned model, unstructured magnitude pruning and each block
// shape at the same ratios, and N:M; every model timed back to back in each repetition, the ratios
// taken per repetition and their median given (the machine is shared and noisy). Accuracy of every
// model on the whole test set. Blocks are zeroed by bench/block-zeros.ts (smallest mean |w| first).
// Run: npx tsx bench/structured.ts   (env: N=1000 REPS=3 BATCH=1000 RATIOS=0.5,0.8,0.9,0.95
// SHAPES=4x1,8x1,16x1,4x4,8x4,1x4 NM=2:4,4:8 FT_SHAPES=16x1 FT_EPOCHS=1: fine-tuned block cascades), or within npm run bench (--no-structured skips it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset, type Dataset } from '../src/core/data';
import { argmax } from '../src/core/eval';
import { decodeModel } from '../src/core/onnx/decode';
import { encodeModel } from '../src/core/onnx/encode';
import type { Model } from '../src/core/onnx/model';
import { applyPrune, planPrune } from '../src/core/prune';
import { Session } from '../src/core/runtime';
import { blockCascade } from './block-finetune';
import { withStructuredZeros, type ZeroPattern } from './block-zeros';
import { findRepo, median, printTable } from './table';

const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

interface Entry {
  structure: string;
  ratio: number;
  session: Session;
  accuracy: number;
  /** Per repetition: batch-1 and batch-B CPU µs per sample. */
  b1: number[];
  bB: number[];
}

function accuracy(s: Session, ds: Dataset): number {
  const y = s.runFloat(ds.images, ds.count);
  let ok = 0;
  for (let i = 0; i < ds.count; i++) if (argmax(y, i * 10, 10) === ds.labels[i]) ok++;
  return ok / ds.count;
}

function pattern(shape: string): ZeroPattern {
  const nm = /^(\d+):(\d+)$/.exec(shape);
  if (nm) return { kind: 'nm', n: Number(nm[1]), m: Number(nm[2]) };
  const b = /^(\d+)x(\d+)$/.exec(shape);
  if (!b) throw new Error(`SHAPES: "${shape}" is not RxC or N:M`);
  return { kind: 'blocks', rows: Number(b[1]), cols: Number(b[2]) };
}

export async function runStructuredBench(opts: { reps?: number; count?: number; batch?: number } = {}): Promise<void> {
  const env = process.env;
  const reps = opts.reps ?? Number(env.REPS ?? 3);
  const batch = opts.batch ?? Number(env.BATCH ?? 1000);
  const ratios = (env.RATIOS ?? '0.5,0.8,0.9,0.95').split(',').map(Number);
  const shapes = (env.SHAPES ?? '4x1,8x1,16x1,4x4,8x4,1x4').split(',');
  const nms = (env.NM ?? '2:4,4:8').split(',').filter((s) => s !== '');
  const res = join(findRepo(), 'resources');
  const bytes = new Uint8Array(readFileSync(join(res, 'sample-mlp.onnx')));
  const base = decodeModel(bytes, 'sample-mlp.onnx');
  const files = ['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'];
  const test = parseDataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(res, 'mnist', f))) })));
  const n = Math.min(test.count, opts.count ?? Number(env.N ?? 1000));
  const K = test.sampleSize;
  const X = test.images;

  const entries: Entry[] = [];
  const add = (structure: string, ratio: number, m: Model): void => {
    const session = Session.create(m, { kernels: 'sparse' });
    entries.push({ structure, ratio, session, accuracy: accuracy(session, test), b1: [], bB: [] });
  };
  add('unpruned', 0, base);
  for (const r of ratios) add('unstructured', r, applyPrune(base, planPrune(base, { ratio: r, mode: 'layer' })));
  for (const s of shapes) for (const r of ratios) add(s, r, withStructuredZeros(base, pattern(s), r));
  // Fine-tuned block cascades (FT_SHAPES, FT_EPOCHS epochs per ratio, cached): the accuracy question.
  const ftShapes = (env.FT_SHAPES ?? '').split(',').filter((s) => s !== '');
  if (ftShapes.length) {
    const files = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'];
    const train = parseDataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(res, 'mnist', f))) })));
    for (const s of ftShapes) {
      for (const p of await blockCascade(base, bytes, train, s, pattern(s), ratios, Number(env.FT_EPOCHS ?? 1))) add(`${s} ft`, p.ratio, p.model);
    }
  }
  for (const s of nms) {
    const p = pattern(s) as { kind: 'nm'; n: number; m: number };
    add(s, 1 - p.n / p.m, withStructuredZeros(base, p, 0));
  }

  const os = await ort.InferenceSession.create(encodeModel(base), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const inName = os.inputNames[0];
  const ortB1: number[] = [];
  const ortBB: number[] = [];
  const pool = new Float32Array(batch * K);
  for (let i = 0; i < batch; i++) pool.set(X.subarray((i % test.count) * K, ((i % test.count) + 1) * K), i * K);
  const timeOrt = async (): Promise<void> => {
    let t = cpu();
    for (let i = 0; i < n; i++) await os.run({ [inName]: new ort.Tensor('float32', X.subarray(i * K, i * K + K), [1, 1, 28, 28]) });
    ortB1.push((cpu() - t) / n);
    t = cpu();
    await os.run({ [inName]: new ort.Tensor('float32', pool, [batch, 1, 28, 28]) });
    ortBB.push((cpu() - t) / batch);
  };
  // Warm-up (compilation, first allocations) outside the timing.
  await os.run({ [inName]: new ort.Tensor('float32', pool, [batch, 1, 28, 28]) });
  for (const e of entries) e.session.runFloat(pool.subarray(0, Math.min(batch, 64) * K), Math.min(batch, 64));
  for (let rep = 0; rep < reps; rep++) {
    await timeOrt();
    for (const e of entries) {
      let t = cpu();
      for (let i = 0; i < n; i++) e.session.runFloat(X.subarray(i * K, i * K + K), 1);
      e.b1.push((cpu() - t) / n);
      t = cpu();
      e.session.runFloat(pool, batch);
      e.bB.push((cpu() - t) / batch);
    }
    process.stderr.write(`structured: repetition ${rep + 1}/${reps} done\n`);
  }
  await os.release();

  const ratioTo = (mine: number[], rival: number[]): number => median(mine.map((m, i) => m / rival[i]));
  const unstructured = (r: number): Entry | undefined => entries.find((e) => e.structure === 'unstructured' && e.ratio === r);
  const baseAcc = entries[0].accuracy;
  console.log(`\nStructured sparsity, sample MLP, ${n} MNIST test images at batch 1 and ${batch} at batch ${batch}; ${reps} repetitions, medians of per-repetition ratios`);
  console.log(`onnxruntime-node (1 thread) on the unpruned model: batch 1 ${median(ortB1).toFixed(1)} µs, batch ${batch} ${median(ortBB).toFixed(1)} µs per sample (CPU)`);
  printTable(
    ['structure', 'ratio', 'accuracy', 'b1 µs', 'b1 / ort', 'b1 unstr. / this', `b${batch} µs`, `b${batch} / ort`, `b${batch} unstr. / this`],
    entries.map((e) => {
      const u = unstructured(e.ratio);
      return [
        e.structure, String(e.ratio), (100 * e.accuracy).toFixed(2), median(e.b1).toFixed(1), `${ratioTo(e.b1, ortB1).toFixed(3)}×`,
        u && u !== e ? `${ratioTo(u.b1, e.b1).toFixed(2)}×` : '', median(e.bB).toFixed(1), `${ratioTo(e.bB, ortBB).toFixed(3)}×`,
        u && u !== e ? `${ratioTo(u.bB, e.bB).toFixed(2)}×` : '',
      ];
    }),
  );
  // The targets: the best block shape at 0.9 against unstructured 0.9; the highest block ratio within 0.5 point.
  const blocks = entries.filter((e) => /x/.test(e.structure));
  const at9 = blocks.filter((e) => e.ratio === 0.9);
  const u9 = unstructured(0.9);
  if (at9.length && u9) {
    const best = at9.map((e) => ({ e, speed: ratioTo(u9.b1, e.b1) })).sort((a, b) => b.speed - a.speed)[0];
    console.log(`Ratio 0.9, batch 1: best block shape ${best.e.structure} runs ${best.speed.toFixed(2)}× faster than unstructured (target ≥ 2×: ${best.speed >= 2 ? 'met' : 'NOT met'})`);
  }
  const within = blocks.filter((e) => e.accuracy >= baseAcc - 0.005).sort((a, b) => b.ratio - a.ratio || ratioTo(a.b1, ortB1) - ratioTo(b.b1, ortB1));
  if (within.length) {
    const w = within[0];
    const r = ratioTo(w.b1, ortB1);
    console.log(`Highest block ratio within 0.5 point of ${(100 * baseAcc).toFixed(2)}%: ${w.ratio} (${w.structure}, ${(100 * w.accuracy).toFixed(2)}%), batch 1 ${r.toFixed(3)}× onnxruntime unpruned (target ≤ 0.15×: ${r <= 0.15 ? 'met' : 'NOT met'})`);
  } else {
    console.log(`No block-pruned model within 0.5 point of ${(100 * baseAcc).toFixed(2)}% at these ratios`);
  }
}

// Run directly (not when bundled into npm run bench, where require.main is the bundle).
if (/structured\.ts$/.test(process.argv[1] ?? '')) {
  runStructuredBench().catch((e: unknown) => {
    console.error(`bench/structured: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
