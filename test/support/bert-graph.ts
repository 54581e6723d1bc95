// A BERT-shaped encoder graph as torch.onnx.export writes one (opset 14, nothing fused): per layer
// the Q/K/V MatMul + Add, the Shape/Gather/Unsqueeze/Concat/Reshape/Transpose head split, scaled
// scores, Softmax, the output projection, residual Adds, LayerNormalization decomposed into
// ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add and Gelu decomposed into Div/Erf/Add/Mul/Mul;
// embeddings (Gather) before, an extended attention mask used by every layer, a pooler and a
// classifier after. About 80 drawn ops per layer (24 layers: about 1,950). Node names follow torch
// (`/encoder/layer.3/attention/self/query/MatMul`) unless `names: false`. Weights are tiny
// (hidden size 8 by default) so the file stays small; the structure is BERT's.

import { DataType, type Model, type Node, type Tensor } from '../../src/core/onnx/model';
import { encodeModel } from '../../src/core/onnx/encode';
import { graph, model } from './hand-models';

export interface BertGraphOptions {
  layers: number;
  hidden?: number;
  heads?: number;
  vocab?: number;
  /** Torch-style path names (default) or bare `n<k>` names, to exercise the structural rule. */
  names?: boolean;
}

export function bertGraph(opts: BertGraphOptions): Model {
  const H = opts.hidden ?? 8;
  const heads = opts.heads ?? 2;
  const F = 4 * H;
  const V = opts.vocab ?? 30;
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const counters = new Map<string, number>();
  const named = opts.names !== false;
  const weight = (name: string, dims: number[], fill = 0.01): string => {
    const size = dims.reduce((a, b) => a * b, 1);
    inits.push({ name, dataType: DataType.FLOAT, dims, data: Float32Array.from({ length: size }, (_, i) => fill * (((i * 7919) % 13) - 6)) });
    return name;
  };
  const ints = (name: string, values: number[]): string => {
    inits.push({ name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };
  const op = (scope: string, opType: string, inputs: string[], attributes: Node['attributes'] = []): string => {
    const key = `${scope}/${opType}`;
    const k = counters.get(key) ?? 0;
    counters.set(key, k + 1);
    const name = named ? `${key}${k === 0 ? '' : `_${k}`}` : `n${nodes.length}`;
    const out = `${named ? name : `t${nodes.length}`}_output_0`;
    nodes.push({ name, opType, domain: '', inputs, outputs: [out], attributes });
    return out;
  };
  const i = (name: string, value: number): Node['attributes'][number] => ({ name, type: 'int', value });
  const is = (name: string, value: number[]): Node['attributes'][number] => ({ name, type: 'ints', value });
  const scalar = weight('scalar_one', [], 1);
  const axis0 = ints('axes_0', [0]);
  const idx0 = ints('index_0', [0]);
  const idx1 = ints('index_1', [1]);
  const headDims = ints('head_dims', [heads, H / heads]);
  const flatDims = ints('flat_dims', [H]);

  const layerNorm = (scope: string, x: string, gamma: string, beta: string): string => {
    const mean = op(scope, 'ReduceMean', [x], [is('axes', [-1]), i('keepdims', 1)]);
    const d = op(scope, 'Sub', [x, mean]);
    const sq = op(scope, 'Pow', [d, weight(`${scope}.pow`, [], 2)]);
    const v = op(scope, 'ReduceMean', [sq], [is('axes', [-1]), i('keepdims', 1)]);
    const ve = op(scope, 'Add', [v, weight(`${scope}.eps`, [], 1e-12)]);
    const s = op(scope, 'Sqrt', [ve]);
    const n = op(scope, 'Div', [d, s]);
    const g = op(scope, 'Mul', [n, gamma]);
    return op(scope, 'Add', [g, beta]);
  };
  const linear = (scope: string, x: string, inDim: number, outDim: number): string => op(scope, 'Add', [weight(`${scope}.bias`, [outDim]), op(scope, 'MatMul', [x, weight(`${scope}.weight`, [inDim, outDim])])]);
  /** [B,S,H] → [B,heads,S,H/heads] (or transposed for keys) the way torch writes view + permute. */
  const splitHeads = (scope: string, x: string, perm: number[]): string => {
    const b = op(scope, 'Unsqueeze', [op(scope, 'Gather', [op(scope, 'Shape', [x]), idx0], [i('axis', 0)]), axis0]);
    const s = op(scope, 'Unsqueeze', [op(scope, 'Gather', [op(scope, 'Shape', [x]), idx1], [i('axis', 0)]), axis0]);
    const shape = op(scope, 'Concat', [b, s, headDims], [i('axis', 0)]);
    return op(scope, 'Transpose', [op(scope, 'Reshape', [x, shape])], [is('perm', perm)]);
  };

  // Embeddings and the extended mask.
  const e = '/embeddings';
  const words = op(e, 'Gather', [weight('embeddings.word_embeddings.weight', [V, H]), 'input_ids'], [i('axis', 0)]);
  const types = op(e, 'Gather', [weight('embeddings.token_type_embeddings.weight', [2, H]), 'token_type_ids'], [i('axis', 0)]);
  const sum = op(e, 'Add', [words, types]);
  const pos = op(e, 'Gather', [weight('embeddings.position_embeddings.weight', [64, H]), op(e, 'Slice', [weight('position_ids', [1, 64], 1), idx0, op(e, 'Unsqueeze', [op(e, 'Gather', [op(e, 'Shape', ['input_ids']), idx1], [i('axis', 0)]), axis0]), idx1])], [i('axis', 0)]);
  let x = layerNorm(`${e}/LayerNorm`, op(e, 'Add', [sum, pos]), weight('embeddings.LayerNorm.weight', [H], 1), weight('embeddings.LayerNorm.bias', [H]));
  const m = op('', 'Cast', [op('', 'Unsqueeze', [op('', 'Unsqueeze', ['attention_mask', ints('axes_1', [1])]), ints('axes_2', [2])])], [i('to', DataType.FLOAT)]);
  const mask = op('', 'Mul', [op('', 'Sub', [scalar, m]), weight('mask_min', [], -1e4)]);

  for (let l = 0; l < opts.layers; l++) {
    const p = `/encoder/layer.${l}`;
    const w = `encoder.layer.${l}`;
    const q = splitHeads(`${p}/attention/self`, linear(`${p}/attention/self/query`, x, H, H), [0, 2, 1, 3]);
    const k = splitHeads(`${p}/attention/self`, linear(`${p}/attention/self/key`, x, H, H), [0, 2, 3, 1]);
    const v = splitHeads(`${p}/attention/self`, linear(`${p}/attention/self/value`, x, H, H), [0, 2, 1, 3]);
    const a = `${p}/attention/self`;
    const scores = op(a, 'Add', [op(a, 'Div', [op(a, 'MatMul', [q, k]), weight(`${w}.scale`, [], Math.sqrt(H / heads))]), mask]);
    const ctx = op(a, 'Transpose', [op(a, 'MatMul', [op(a, 'Softmax', [scores], [i('axis', -1)]), v])], [is('perm', [0, 2, 1, 3])]);
    const b = op(a, 'Unsqueeze', [op(a, 'Gather', [op(a, 'Shape', [ctx]), idx0], [i('axis', 0)]), axis0]);
    const s = op(a, 'Unsqueeze', [op(a, 'Gather', [op(a, 'Shape', [ctx]), idx1], [i('axis', 0)]), axis0]);
    const merged = op(a, 'Reshape', [ctx, op(a, 'Concat', [b, s, flatDims], [i('axis', 0)])]);
    const o = `${p}/attention/output`;
    const attn = layerNorm(`${o}/LayerNorm`, op(o, 'Add', [linear(`${o}/dense`, merged, H, H), x]), weight(`${w}.attention.output.LayerNorm.weight`, [H], 1), weight(`${w}.attention.output.LayerNorm.bias`, [H]));
    const it = `${p}/intermediate`;
    const h = linear(`${it}/dense`, attn, H, F);
    const gelu = op(`${it}/intermediate_act_fn`, 'Mul', [op(`${it}/intermediate_act_fn`, 'Mul', [h, op(`${it}/intermediate_act_fn`, 'Add', [op(`${it}/intermediate_act_fn`, 'Erf', [op(`${it}/intermediate_act_fn`, 'Div', [h, weight(`${w}.sqrt2`, [], Math.SQRT2)])]), scalar])]), weight(`${w}.half`, [], 0.5)]);
    const out = `${p}/output`;
    x = layerNorm(`${out}/LayerNorm`, op(out, 'Add', [linear(`${out}/dense`, gelu, F, H), attn]), weight(`${w}.output.LayerNorm.weight`, [H], 1), weight(`${w}.output.LayerNorm.bias`, [H]));
  }
  const first = op('/pooler', 'Gather', [x, idx0], [i('axis', 1)]);
  const pooled = op('/pooler/activation', 'Tanh', [linear('/pooler/dense', first, H, H)]);
  linear('/classifier', pooled, H, 2);
  nodes[nodes.length - 1].outputs = ['logits'];
  const ids = (name: string) => ({ name, type: { kind: 'tensor' as const, elemType: DataType.INT64, shape: ['batch', 'sequence'] } });
  const g = graph('bert', {
    inputs: [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')],
    outputs: [{ name: 'logits', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['batch', 2] } }],
    nodes,
    initializers: inits,
  });
  const out = model(g);
  out.opsetImports = [{ domain: '', version: 14 }];
  out.producerName = 'pytorch';
  return out;
}

export function bertGraphBytes(opts: BertGraphOptions): Uint8Array {
  return encodeModel(bertGraph(opts));
}
