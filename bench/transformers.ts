// CPU-time ratios of Prunescope's runtime (dense and sparse kernels) to onnxruntime-node (one
// thread, unpruned) on the transformer fixtures (test/models/transformers: ViT, BERT-style, GPT-style)
// at batch N × T tokens, unpruned and with every MatMul/Gemm weight magnitude-pruned (layer mode).
// The linear layers then see N·T rows per call. Not a test, not in CI: a measurement on a shared
// machine, CPU time of this process, several repetitions, medians, ours and onnxruntime's
// interleaved; the largest output difference to onnxruntime is printed as a sanity check.
// Then one transformer-sized linear layer alone (MatMul by a [K, N] initializer + bias over R = N·T
// rows, a BERT-base MLP shape scaled down), the same comparison per ratio.
// The "rows" column names the many-row kernels the plan gave the blocks' linear layers
// (kernels/matmul-rows.ts: gemm, csr). PROFILE=1 then prints, per model, CPU ms per run by op
// type (steps timed one by one, unpruned, sparse kernels): where the time outside the MatMuls goes.
// Run: npx tsx bench/transformers.ts   (env: N=8 T=32 REPS=7 ITERS=20 RATIOS=0,0.5,0.9 MODELS=vit,bert,gpt
// LAYER=256,768,3072 for R, K, N of the layer; LAYER=0 skips it; PROFILE=1)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel } from '../src/core/onnx';
import { DataType, type Model } from '../src/core/onnx/model';
import { floats, graph, model as handModel, node } from '../test/support/hand-models';
import { applyPrune, planPrune } from '../src/core/prune';
import { type RtTensor, Session } from '../src/core/runtime';
import type { Plan } from '../src/core/runtime/plan';

const DIR = join(__dirname, '../test/models/transformers');
const N = Number(process.env.N ?? 8);
const T = Number(process.env.T ?? 32);
const reps = Number(process.env.REPS ?? 7);
const iters = Number(process.env.ITERS ?? 20);
const ratios = (process.env.RATIOS ?? '0,0.5,0.9').split(',').map(Number);
const names = (process.env.MODELS ?? 'vit,bert,gpt').split(',').filter((n) => n !== '');
const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];

function feeds(name: string): Record<string, RtTensor> {
  let s = 12345;
  const r = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
  if (name === 'vit') return { x: { dims: [N, 1, 28, 28], data: Float32Array.from({ length: N * 784 }, r), dataType: DataType.FLOAT } };
  const ids: RtTensor = { dims: [N, T], data: BigInt64Array.from({ length: N * T }, () => BigInt(Math.floor(r() * 100))), dataType: DataType.INT64 };
  if (name === 'gpt') return { input_ids: ids };
  return { input_ids: ids, attention_mask: { dims: [N, T], data: new BigInt64Array(N * T).fill(1n), dataType: DataType.INT64 } };
}

function pruned(model: Model, ratio: number): Model {
  if (ratio === 0) return model;
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const select = model.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => n.inputs[1]);
  return applyPrune(model, planPrune(model, { ratio, mode: 'layer', select }));
}

async function main(): Promise<void> {
  console.log(`batch ${N}, T ${T} (ViT: 17 tokens), ${reps} reps × ${iters} runs, median CPU ms per run; ratio = ours / onnxruntime (1 thread, unpruned)`);
  console.log('model  ratio  kernels   ms/run   ×ort   max |diff|  rows');
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
    const model = decodeModel(bytes, `${name}.onnx`);
    const os = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
    const f = feeds(name);
    const of = Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor(t.dataType === DataType.INT64 ? 'int64' : 'float32', t.data as Float32Array, t.dims)]));
    const timeOrt = async (): Promise<number> => {
      const t = cpu();
      for (let i = 0; i < iters; i++) await os.run(of);
      return (cpu() - t) / iters / 1000;
    };
    const runs = ratios.flatMap((ratio) => {
      const m = pruned(model, ratio);
      return (['dense', 'sparse'] as const).map((kernels) => ({ ratio, kernels, m, s: Session.create(decodeModel(encodeModel(m)), { kernels, sparseMinSparsity: 0 }), times: [] as number[] }));
    });
    const ortTimes: number[] = [];
    for (let r = 0; r < reps; r++) {
      ortTimes.push(await timeOrt());
      for (const x of runs) {
        const t = cpu();
        for (let i = 0; i < iters; i++) x.s.run(f);
        x.times.push((cpu() - t) / iters / 1000);
      }
    }
    const base = median(ortTimes);
    console.log(`${name.padEnd(6)} -      ort     ${base.toFixed(3).padStart(7)}   1.00`);
    for (const x of runs) {
      const ref = await ort.InferenceSession.create(encodeModel(x.m), { intraOpNumThreads: 1, logSeverityLevel: 4 });
      const want = (await ref.run(of)).logits.data as Float32Array;
      const got = x.s.run(f).logits.data as Float32Array;
      let d = 0;
      for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(want[i] - got[i]));
      const ms = median(x.times);
      console.log(`${name.padEnd(6)} ${x.ratio.toFixed(2)}   ${x.kernels.padEnd(7)} ${ms.toFixed(3).padStart(7)}  ${(ms / base).toFixed(2).padStart(5)}   ${d.toExponential(1)}    ${rowsOf(x.s)}`);
    }
    if (process.env.PROFILE) profile(Session.create(model, { kernels: 'sparse' }), f);
  }
}

/** The block layers' many-row kernels, counted: "gemm×8", "csr×8". */
function rowsOf(s: Session): string {
  const n = new Map<string, number>();
  for (const l of s.layers) if (l.kind === 'linear' && l.nodes[0].startsWith('/blocks.')) n.set(l.rows ?? '-', (n.get(l.rows ?? '-') ?? 0) + 1);
  return [...n].map(([k, c]) => `${k}×${c}`).join(' ');
}

/** CPU ms per run by op type, each plan step timed (the session's plan read through a cast: no public profiler). */
function profile(s: Session, f: Record<string, RtTensor>): void {
  const steps = (s as unknown as { plan: Plan }).plan.steps;
  const total = new Map<string, number>();
  for (const st of steps) {
    const impl = st.impl;
    const key = st.ctx.node.opType + (st.ctx.label.includes('(+') ? ' (fused layer)' : '');
    st.impl = (a, c) => {
      const t = cpu();
      const r = impl(a, c);
      total.set(key, (total.get(key) ?? 0) + cpu() - t);
      return r;
    };
  }
  for (let i = 0; i < iters; i++) s.run(f);
  total.clear();
  const t = cpu();
  const runs = reps * iters;
  for (let i = 0; i < runs; i++) s.run(f);
  const all = (cpu() - t) / runs / 1000;
  console.log(`  profile (sparse kernels, unpruned): ${all.toFixed(3)} ms per run, ${steps.length} steps; by op type, ms per run:`);
  const top = [...total].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.log(`  ${top.map(([k, v]) => `${k} ${(v / runs / 1000).toFixed(3)}`).join(', ')}`);
}

/** One MatMul + Add layer: x [R, K] times W [K, N] (magnitude-pruned by the ratio), plus bias. */
async function layerBench(): Promise<void> {
  const spec = (process.env.LAYER ?? '256,768,3072').split(',').map(Number);
  if (spec[0] === 0) return;
  const [R, K, Nn] = spec;
  let seed = 7;
  const r = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const m = handModel(
    graph('layer', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['R', K] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      nodes: [node('MatMul', ['x', 'W'], ['h']), node('Add', ['h', 'b'], ['y'])],
      initializers: [floats('W', [K, Nn], Float32Array.from({ length: K * Nn }, r)), floats('b', [Nn], Float32Array.from({ length: Nn }, r))],
    }),
  );
  m.opsetImports = [{ domain: '', version: 17 }];
  const x = Float32Array.from({ length: R * K }, r);
  const os = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
  const feed = { x: new ort.Tensor('float32', x, [R, K]) };
  console.log(`\nlayer: ${R} rows × [${K}, ${Nn}] + bias, ${reps} reps × ${iters} runs, median CPU ms per run`);
  console.log('ratio  kernels   ms/run   ×ort   max |diff|');
  const ortTimes: number[] = [];
  const runs = ratios.flatMap((ratio) => {
    const pm = ratio === 0 ? m : applyPrune(m, planPrune(m, { ratio, mode: 'layer', select: ['W'] }));
    return (['dense', 'sparse'] as const).map((kernels) => ({ ratio, kernels, pm, s: Session.create(pm, { kernels, sparseMinSparsity: 0 }), times: [] as number[] }));
  });
  for (let rep = 0; rep < reps; rep++) {
    let t = cpu();
    for (let i = 0; i < iters; i++) await os.run(feed);
    ortTimes.push((cpu() - t) / iters / 1000);
    for (const run of runs) {
      t = cpu();
      for (let i = 0; i < iters; i++) run.s.runFloat(x, R);
      run.times.push((cpu() - t) / iters / 1000);
    }
  }
  const base = median(ortTimes);
  console.log(`-      ort     ${base.toFixed(3).padStart(7)}   1.00`);
  for (const run of runs) {
    const ref = await ort.InferenceSession.create(encodeModel(run.pm), { intraOpNumThreads: 1, logSeverityLevel: 4 });
    const want = (await ref.run(feed)).y.data as Float32Array;
    const got = run.s.runFloat(x, R);
    let d = 0;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(want[i] - got[i]));
    const ms = median(run.times);
    console.log(`${run.ratio.toFixed(2)}   ${run.kernels.padEnd(7)} ${ms.toFixed(3).padStart(7)}  ${(ms / base).toFixed(2).padStart(5)}   ${d.toExponential(1)}`);
  }
}

void main().then(layerBench);
