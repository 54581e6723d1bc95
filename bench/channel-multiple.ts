// What channelMultiple buys in onnxruntime (issue 15): the exported file of channel pruning (the
// smaller dense model) at channels 0.25 and 0.5, kept channels rounded to a multiple of 1 vs 8,
// timed in onnxruntime-node (one intra-op thread) against the unpruned model, back to back in every
// repetition; the median of the per-repetition time ratios is printed (the machine is shared).
// Run: npx tsx bench/channel-multiple.ts   (env: REPS=7 RUNS=40 BATCH=32 RATIOS=0.25,0.5 MULTIPLES=1,8)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../src/core/onnx/decode';
import { encodeModel } from '../src/core/onnx/encode';
import { applyPrune, planPrune } from '../src/core/prune';
import { findRepo, median, printTable } from './table';

const MODELS = [
  { file: 'test/models/cnn/mobilenet.onnx', input: 'x', dims: [1, 28, 28] },
  { file: 'test/models/cnn/resnet.onnx', input: 'x', dims: [1, 28, 28] },
  { file: 'resources/sample-mlp.onnx', input: '', dims: [1, 28, 28] },
];

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

async function timeRuns(s: ort.InferenceSession, feeds: Record<string, ort.Tensor>, runs: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await s.run(feeds);
  return Number(process.hrtime.bigint() - t0) / 1e3 / runs;
}

async function main(): Promise<void> {
  const env = process.env;
  const reps = Number(env.REPS ?? 7);
  const runs = Number(env.RUNS ?? 40);
  const batches = (env.BATCH ?? '1,32').split(',').map(Number);
  const ratios = (env.RATIOS ?? '0.25,0.5').split(',').map(Number);
  const multiples = (env.MULTIPLES ?? '1,8').split(',').map(Number);
  const repo = findRepo();
  const rows: string[][] = [];
  for (const m of MODELS) {
    const model = decodeModel(new Uint8Array(readFileSync(join(repo, m.file))), m.file);
    const input = m.input || model.graph.inputs[0].name;
    const variants: { label: string; s: ort.InferenceSession; kept: string }[] = [{ label: 'original', s: await session(encodeModel(model)), kept: '' }];
    for (const r of ratios) {
      for (const q of multiples) {
        const plan = planPrune(model, { ratio: r, mode: 'layer', structure: 'channels', channelMultiple: q });
        const pruned = applyPrune(model, plan);
        const kept = plan.layers.filter((l) => (l.removedChannels?.length ?? 0) > 0).map((l) => l.keptDims![0]).slice(0, 4).join(',');
        variants.push({ label: `channels ${r} ×${q}`, s: await session(encodeModel(pruned)), kept: `${(plan.prunedParams / plan.prunableParams).toFixed(3)} [${kept}…]` });
      }
    }
    for (const b of batches) {
      const data = Float32Array.from({ length: b * m.dims.reduce((x, y) => x * y, 1) }, (_, i) => ((i * 7919) % 256) / 255);
      const feeds = { [input]: new ort.Tensor('float32', data, [b, ...m.dims]) };
      for (const v of variants) await timeRuns(v.s, feeds, 5);
      const ratiosBy = variants.map(() => [] as number[]);
      const abs = variants.map(() => [] as number[]);
      for (let rep = 0; rep < reps; rep++) {
        const t: number[] = [];
        for (const v of variants) t.push(await timeRuns(v.s, feeds, runs));
        t.forEach((x, i) => {
          ratiosBy[i].push(x / t[0]);
          abs[i].push(x);
        });
      }
      variants.forEach((v, i) => rows.push([m.file.split('/').pop()!, String(b), v.label, v.kept, median(abs[i]).toFixed(0), median(ratiosBy[i]).toFixed(2)]));
    }
  }
  printTable(['model', 'batch', 'variant', 'removed [kept dims]', 'µs/run', '×orig'], rows);
}

void main();
