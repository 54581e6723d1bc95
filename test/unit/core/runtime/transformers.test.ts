// The transformer fixtures (torch.onnx.export of a ViT, a BERT-style encoder with an attention mask
// and a GPT-style decoder with a causal mask; scripts/torch/make_transformers.py) in Prunescope's
// runtime against onnxruntime-node on seeded random inputs (batch 2, T = 16): unpruned and with
// every MatMul/Gemm weight magnitude-pruned 50%, dense and sparse kernels (WebAssembly and JS), within 1e-4. Also: the
// engine opens each with a summary the runtime can run, and `prunescope info` describes each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Model } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { type RtTensor, Session, unsupportedNodes } from '../../../../src/core/runtime';
import { inProcessEngine } from '../../../../src/engine/in-process';
import { nodePlatform } from '../../../../src/engine/node/platform';
import { prunescope } from '../../../support/cli';
import { ROOT } from '../../../support/engine';
import { protoFacts } from '../../../integration/cli/proto-facts';
import { prng01 } from './single-op';

const DIR = join(ROOT, 'test/models/transformers');
const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const N = 2;
const T = 16;
const VOCAB = 100;

function load(name: string): Model {
  return decodeModel(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))), `${name}.onnx`);
}

/** Seeded values in [0, 1) (xorshift32, single-op.ts). */
const rng = prng01;

function ids(r: () => number, t: number): BigInt64Array {
  return BigInt64Array.from({ length: N * t }, () => BigInt(Math.floor(r() * VOCAB)));
}

/** Feeds per fixture: [name, dims, data] with data Float32Array (float) or BigInt64Array (int64). */
function feeds(name: string, seed: number, t: number): [string, number[], Float32Array | BigInt64Array][] {
  const r = rng(seed);
  if (name === 'vit') return [['x', [N, 1, 28, 28], Float32Array.from({ length: N * 784 }, r)]];
  if (name === 'gpt') return [['input_ids', [N, t], ids(r, t)]];
  // BERT: the second sequence is padded after 2t/3 tokens (mask 0 there).
  const mask = BigInt64Array.from({ length: N * t }, (_, i) => (i >= t + Math.floor((2 * t) / 3) ? 0n : 1n));
  return [
    ['input_ids', [N, t], ids(r, t)],
    ['attention_mask', [N, t], mask],
  ];
}

/** Every MatMul/Gemm weight that is an initializer, magnitude-pruned per layer. */
function pruned(model: Model, ratio: number): { model: Model; select: string[] } {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const select = model.graph.nodes.filter((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => n.inputs[1]);
  return { model: applyPrune(model, planPrune(model, { ratio, mode: 'layer', select })), select };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Linear layers each fixture has: 4 per block × 2 blocks, plus the head(s). */
const LINEAR: Record<string, number> = { vit: 9, bert: 10, gpt: 9 };
const outDims = (name: string, t: number): number[] => ({ vit: [N, 10], bert: [N, 2], gpt: [N, t, VOCAB] })[name]!;

describe.each(['vit', 'bert', 'gpt'])('%s fixture against onnxruntime-node', (name) => {
  const model = load(name);

  it('every node runs in Prunescope', () => {
    expect(unsupportedNodes(model)).toEqual([]);
  });

  it('unpruned and 50% pruned (every MatMul/Gemm weight), dense and sparse, WebAssembly and JS, within 1e-4', async () => {
    const { model: half, select } = pruned(model, 0.5);
    expect(select.length).toBe(LINEAR[name]);
    for (const [label, m] of [['unpruned', model], ['pruned 0.5', half]] as const) {
      const bytes = encodeModel(m);
      if (label !== 'unpruned') {
        // The pruned weights really are half zeros.
        for (const w of select) {
          const t = m.graph.initializers.find((i) => i.name === w)!;
          const data = t.data as Float32Array;
          const zeros = data.filter((v) => v === 0).length;
          expect(zeros / data.length, w).toBeGreaterThanOrEqual(0.5);
        }
      }
      const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
      for (const [kernels, wasm] of [['dense', true], ['sparse', true], ['dense', false], ['sparse', false]] as const) {
        const s = Session.create(decodeModel(bytes), { kernels, wasm, sparseMinSparsity: 0 });
        const linear = s.layers.filter((l) => l.kind === 'linear');
        expect(linear.length, `${label} ${kernels}`).toBe(LINEAR[name]);
        for (const l of linear) expect(l.engine).toBe(wasm ? 'wasm' : 'js');
        if (label !== 'unpruned' && kernels === 'sparse') for (const l of linear) expect(l.kernel).toBe('sparse');
        // T = 16 on two seeds, and T = 5 (the sequence length is dynamic: Range, Trilu, masks follow it).
        for (const [seed, t] of [[1, T], [2, T], [3, 5]]) {
          const f = feeds(name, seed, t);
          const want = await ref.run(Object.fromEntries(f.map(([n, d, x]) => [n, new ort.Tensor(x instanceof BigInt64Array ? 'int64' : 'float32', x, d)])));
          const got = s.run(
            Object.fromEntries(
              f.map(([n, d, x]): [string, RtTensor] => [n, { dims: d, data: x, dataType: x instanceof BigInt64Array ? DataType.INT64 : DataType.FLOAT }]),
            ),
          );
          const o = got.logits;
          expect(o.dims).toEqual(outDims(name, t));
          const w = want.logits.data as Float32Array;
          // The outputs are not trivially small: a 1e-4 bound means something.
          expect(Math.max(...Array.from(w, Math.abs)), 'output scale').toBeGreaterThan(0.05);
          expect(maxDiff(o.data as Float32Array, w), `${label} ${kernels} wasm=${wasm} seed ${seed} T ${t}`).toBeLessThan(1e-4);
        }
      }
    }
  });
});

describe('transformer fixtures in the engine', () => {
  const { client } = inProcessEngine(nodePlatform().platform);
  it.each(['vit', 'bert', 'gpt'])('%s opens with a summary Prunescope can run, its linear weights prunable', async (name) => {
    const s = await client.request({ type: 'open', source: { kind: 'path', path: join(DIR, `${name}.onnx`) } }).promise;
    expect(s.unsupportedOps).toEqual([]);
    expect(s.opCounts.MatMul).toBeGreaterThan(0);
    expect(s.prunable.length).toBeGreaterThanOrEqual(LINEAR[name]);
    // Parameters: the initializers' elements and the Constant nodes' tensors.
    const g = load(name).graph;
    const count = (dims: readonly number[]): number => dims.reduce((x, y) => x * y, 1);
    const constants = g.nodes.flatMap((n) => (n.opType === 'Constant' ? n.attributes : [])).filter((a) => a.type === 'tensor');
    const params = g.initializers.reduce((a, t) => a + count(t.dims), 0) + constants.reduce((a, c) => a + (c.type === 'tensor' ? count(c.value.dims) : 0), 0);
    expect(s.paramCount).toBe(params);
  });
});

describe('prunescope info on the transformer fixtures', () => {
  it.each(['vit', 'bert', 'gpt'])('%s: op counts and parameters as the protobuf has them', (name) => {
    const file = join(DIR, `${name}.onnx`);
    const facts = protoFacts(file);
    const r = prunescope(['info', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.opCounts).toEqual(facts.opCounts);
    expect(j.paramCount).toBe(facts.params);
    expect(j.prunable.length).toBeGreaterThanOrEqual(LINEAR[name]);
  });
});
