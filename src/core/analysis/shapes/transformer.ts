// Shapes of the ops transformers add: LayerNormalization (Y and its Mean / InvStdDev statistics),
// Range (its length from constant inputs, or `limit` itself for Range(0, limit, 1), as exporters
// write position ids), Trilu and CumSum (the input's shape) and Einsum (labels mapped to the operands' dims;
// equations with an ellipsis are left unknown).
import { DataType, type Dim } from '../../onnx/model';
import { type InferFn, attrInt, attrString, norm, num } from './dims';

const VALUE_LIMIT = 64;

const layerNorm: InferFn = (n, ins) => {
  const x = ins[0];
  if (!x?.s) return [{ t: x?.t }];
  const axis = norm(attrInt(n, 'axis') ?? -1, x.s.length);
  if (axis === undefined) return [];
  const stash = attrInt(n, 'stash_type') === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
  const stats = x.s.map((d, i) => (i < axis ? d : 1));
  return [{ t: x.t, s: x.s }, { t: stash, s: stats }, { t: stash, s: stats }];
};

const range: InferFn = (_n, ins) => {
  const [s, l, d] = [0, 1, 2].map((i) => ins[i]?.v?.[0]);
  const t = ins[0]?.t;
  if (num(s) && num(l) && num(d) && d !== 0) {
    const count = Math.max(Math.ceil((l - s) / d), 0);
    const v = count <= VALUE_LIMIT ? Array.from({ length: count }, (_, i) => s + i * d) : undefined;
    return [{ t, s: [count], v }];
  }
  if (s === 0 && d === 1 && l !== undefined) return [{ t, s: [l] }];
  return [{ t, s: [null] }];
};

const einsum: InferFn = (n, ins) => {
  const eq = (attrString(n, 'equation') ?? '').replace(/\s+/g, '');
  if (eq.includes('.')) return [];
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== ins.length) return [];
  const dim = new Map<string, Dim>();
  const seen = new Map<string, number>();
  for (const [i, term] of terms.entries()) {
    const s = ins[i]?.s;
    if (!s || s.length !== term.length) return [];
    [...term].forEach((l, j) => {
      const prev = dim.get(l);
      if (prev === undefined || prev === 1 || prev === null) dim.set(l, s[j]);
      seen.set(l, (seen.get(l) ?? 0) + 1);
    });
  }
  const out = rhs ?? [...seen.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort().join('');
  if (![...out].every((l) => dim.has(l))) return [];
  return [{ t: ins[0]?.t, s: [...out].map((l) => dim.get(l)!) }];
};

export const TRANSFORMER: Record<string, InferFn> = {
  LayerNormalization: layerNorm,
  Range: range,
  Trilu: (_n, ins) => [{ t: ins[0]?.t, s: ins[0]?.s }],
  CumSum: (_n, ins) => [{ t: ins[0]?.t, s: ins[0]?.s }],
  Einsum: einsum,
};
