// Einsum: any equation of single-letter labels with an optional ellipsis ("bhid,bhjd->bhij",
// "bij,bjk->bik", "ij->ji", "...ii->...i", "i,i"), explicit or implicit output. Every label
// combination is visited once (the summed labels innermost), so repeated labels (diagonals) and
// sums come out of the same loop; computed in float64, written in the inputs' float type.
import { RuntimeError } from '../errors';
import { type FArray, mmAccumulate } from '../kernels/dense';
import { WASM_MATMUL_MIN_MACS, matmulBatches } from '../kernels/matmul-batched';
import { type RtTensor, ctorOf, nextOffset, size } from '../tensor';
import { floatOnly } from './nn';
import { type OpContext, need, stringAttr } from './types';

interface Parsed {
  inputs: string[][];
  output: string[];
}

const LABEL = /^[A-Za-z]$/;

/** Splits the equation into label lists per operand, each ellipsis expanded to labels "0", "1", … aligned on the right. */
function parse(eq: string, operands: readonly RtTensor[], ctx: OpContext): Parsed {
  const bad = (why: string): never => {
    throw new RuntimeError(`${ctx.label}: equation "${eq}" ${why}`);
  };
  const parts = eq.replace(/\s+/g, '').split('->');
  if (parts.length > 2) bad('has more than one "->"');
  const terms = parts[0].split(',');
  if (terms.length !== operands.length) bad(`names ${terms.length} operands, the node has ${operands.length}`);
  const letters = (term: string): string => {
    const l = term.replace('...', '');
    for (const ch of l) if (!LABEL.test(ch)) bad(`has "${ch}" where a letter label or "..." belongs`);
    return l;
  };
  let ellRank = 0;
  terms.forEach((t, i) => {
    const k = operands[i].dims.length - letters(t).length;
    if (t.includes('...') ? k < 0 : k !== 0) bad(`gives ${letters(t).length} labels to an operand of rank ${operands[i].dims.length}`);
    if (t.includes('...')) ellRank = Math.max(ellRank, k);
  });
  const expand = (term: string, k: number): string[] => {
    const at = term.indexOf('...');
    if (at < 0) return [...letters(term)];
    const ell = Array.from({ length: k }, (_, i) => String(ellRank - k + i));
    return [...term.slice(0, at), ...ell, ...term.slice(at + 3)];
  };
  const inputs = terms.map((t, i) => expand(t, operands[i].dims.length - letters(t).length));
  let output: string[];
  if (parts.length === 2) {
    output = expand(parts[1], ellRank);
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) bad(`repeats the output label "${l}"`);
      seen.add(l);
      if (!inputs.some((ls) => ls.includes(l))) bad(`has the output label "${l}" on no input`);
    }
  } else {
    // Implicit output: the ellipsis dims, then the labels used once, in alphabetical order.
    const count = new Map<string, number>();
    for (const ls of inputs) for (const l of ls) count.set(l, (count.get(l) ?? 0) + 1);
    const ell = Array.from({ length: ellRank }, (_, i) => String(i));
    const once = [...count.entries()].filter(([l, c]) => c === 1 && LABEL.test(l)).map(([l]) => l).sort();
    output = [...ell, ...once];
  }
  return { inputs, output };
}

/** `src` (dims) with its axes reordered by perm, as float64. */
function permute(src: ArrayLike<number>, dims: readonly number[], perm: readonly number[]): Float64Array {
  const n = size(dims);
  const out = new Float64Array(n);
  const r = dims.length;
  if (r === 0 || n === 0) {
    if (n) out[0] = src[0];
    return out;
  }
  const st = new Array<number>(r);
  for (let i = r - 1, acc = 1; i >= 0; i--) {
    st[i] = acc;
    acc *= dims[i];
  }
  const od = perm.map((p) => dims[p]);
  const os = perm.map((p) => st[p]);
  const len = od[r - 1];
  const step = os[r - 1];
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k += len) {
    for (let j = 0; j < len; j++) out[k + j] = src[off + j * step];
    off = nextOffset(idx, od, os, r - 2, off);
  }
  return out;
}

/**
 * Two operands, no label repeated within one, every label shared or kept, batch labels of equal
 * size: a batched matrix product (batch × I × K times batch × K × J), the operands permuted into
 * that order and the product permuted into the output's. Undefined when the equation is not of that form.
 */
function asMatmul(labs: string[][], output: string[], ops: RtTensor[]): { dims: number[]; data: Float64Array } | undefined {
  if (ops.length !== 2) return undefined;
  const [la, lb] = labs;
  if (new Set(la).size !== la.length || new Set(lb).size !== lb.length) return undefined;
  const batch = output.filter((l) => la.includes(l) && lb.includes(l));
  const I = output.filter((l) => la.includes(l) && !lb.includes(l));
  const J = output.filter((l) => lb.includes(l) && !la.includes(l));
  const K = la.filter((l) => lb.includes(l) && !output.includes(l));
  if (la.some((l) => !lb.includes(l) && !output.includes(l)) || lb.some((l) => !la.includes(l) && !output.includes(l))) return undefined;
  const dimA = (l: string): number => ops[0].dims[la.indexOf(l)];
  const dimB = (l: string): number => ops[1].dims[lb.indexOf(l)];
  if ([...batch, ...K].some((l) => dimA(l) !== dimB(l))) return undefined;
  const nb = size(batch.map(dimA));
  const M = size(I.map(dimA));
  const KK = size(K.map(dimA));
  const N = size(J.map(dimB));
  // An operand already in order is read as it is (attention's Q in bhid,bhjd->bhij).
  const ordered = (i: number, perm: number[]): FArray =>
    perm.every((p, k) => p === k) ? (ops[i].data as FArray) : permute(ops[i].data as Float32Array, ops[i].dims, perm);
  const a = ordered(0, [...batch, ...I, ...K].map((l) => la.indexOf(l)));
  const b = ordered(1, [...batch, ...K, ...J].map((l) => lb.indexOf(l)));
  const y = new Float64Array(nb * M * N);
  // float32 operands on the WebAssembly GEMM (float32 sums, like onnxruntime); else float64 in JS.
  const offsets = (n: number): Int32Array => Int32Array.from({ length: nb }, (_, i) => i * n);
  const wasm = ops[0].data instanceof Float32Array && nb * M * KK * N >= WASM_MATMUL_MIN_MACS &&
    matmulBatches(a, offsets(M * KK), b, offsets(KK * N), y, nb, M, KK, N);
  if (!wasm) for (let i = 0; i < nb; i++) mmAccumulate(a, i * M * KK, b, i * KK * N, y, i * M * N, M, KK, N);
  const order = [...batch, ...I, ...J];
  const ydims = order.map((l) => (la.includes(l) ? dimA(l) : dimB(l)));
  const perm = output.map((l) => order.indexOf(l));
  return { dims: output.map((l) => ydims[order.indexOf(l)]), data: perm.every((p, k) => p === k) ? y : permute(y, ydims, perm) };
}

export const Einsum = floatOnly((inputs, ctx) => {
  const ops = inputs.map((_, i) => need(inputs, i, ctx));
  const eq = stringAttr(ctx.node, 'equation', '');
  const { inputs: labs, output } = parse(eq, ops, ctx);
  const mm = asMatmul(labs, output, ops);
  if (mm) {
    const y = ctx.out(0, ctorOf(ops[0].dataType), mm.data.length) as Float32Array | Float64Array;
    y.set(mm.data);
    return [{ dims: mm.dims, data: y, dataType: ops[0].dataType }];
  }
  // The size of every label; ellipsis labels broadcast (1 against n).
  const dim = new Map<string, number>();
  labs.forEach((ls, i) =>
    ls.forEach((l, j) => {
      const d = ops[i].dims[j];
      const prev = dim.get(l);
      if (prev === undefined || prev === 1) dim.set(l, d);
      else if (d !== prev && !(d === 1 && /^\d+$/.test(l))) {
        throw new RuntimeError(`${ctx.label}: equation "${eq}": label "${l}" is ${prev} on one operand and ${d} on another`);
      }
    }),
  );
  const summed = [...dim.keys()].filter((l) => !output.includes(l));
  const all = [...output, ...summed];
  const dims = all.map((l) => dim.get(l)!);
  // Per operand, the stride each label moves it by (0 where absent or broadcast; summed over repeats).
  const strides = ops.map((t, i) => {
    const s = new Array<number>(all.length).fill(0);
    let acc = 1;
    for (let j = t.dims.length - 1; j >= 0; j--) {
      if (t.dims[j] !== 1) s[all.indexOf(labs[i][j])] += acc;
      acc *= t.dims[j];
    }
    return s;
  });
  const outDims = output.map((l) => dim.get(l)!);
  const nOut = size(outDims);
  const y = ctx.out(0, ctorOf(ops[0].dataType), nOut) as Float32Array | Float64Array;
  const data = ops.map((t) => t.data as Float32Array | Float64Array);
  const total = size(dims);
  const last = all.length - 1;
  const innerLen = all.length > 0 ? dims[last] : 1;
  const innerStr = all.length > 0 ? strides.map((s) => s[last]) : ops.map(() => 0);
  // Output stride per label: row-major over the output labels, 0 for summed labels.
  const outStr = new Array<number>(all.length).fill(0);
  for (let j = output.length - 1, acc = 1; j >= 0; j--) {
    outStr[j] = acc;
    acc *= outDims[j];
  }
  const acc = new Float64Array(nOut);
  const idx = new Array<number>(all.length).fill(0);
  const off = new Array<number>(ops.length).fill(0);
  let outOff = 0;
  for (let done = 0; done < total && innerLen > 0; done += innerLen) {
    if (last >= 0 && outStr[last] !== 0) {
      // The innermost label is an output label (no summed labels): one output per k.
      for (let k = 0; k < innerLen; k++) {
        let p = 1;
        for (let i = 0; i < ops.length; i++) p *= data[i][off[i] + k * innerStr[i]];
        acc[outOff + k * outStr[last]] += p;
      }
    } else {
      let sum = 0;
      for (let k = 0; k < innerLen; k++) {
        let p = 1;
        for (let i = 0; i < ops.length; i++) p *= data[i][off[i] + k * innerStr[i]];
        sum += p;
      }
      acc[outOff] += sum;
    }
    // Advance the odometer over all labels but the innermost.
    for (let j = last - 1; j >= 0; j--) {
      idx[j]++;
      for (let i = 0; i < ops.length; i++) off[i] += strides[i][j];
      outOff += outStr[j];
      if (idx[j] < dims[j]) break;
      for (let i = 0; i < ops.length; i++) off[i] -= strides[i][j] * idx[j];
      outOff -= outStr[j] * idx[j];
      idx[j] = 0;
    }
  }
  for (let i = 0; i < nOut; i++) y[i] = acc[i];
  return [{ dims: outDims, data: y, dataType: ops[0].dataType }];
});

/** Why an Einsum node cannot run (an equation outside the grammar), or undefined. */
export function einsumProblem(node: OpContext['node']): string | undefined {
  const a = node.attributes.find((x) => x.name === 'equation');
  if (!a || a.type !== 'string') return 'no equation';
  const eq = a.value.replace(/\s+/g, '');
  const term = '(?:[A-Za-z]*(?:\\.\\.\\.)?[A-Za-z]*)';
  return new RegExp(`^${term}(?:,${term})*(?:->${term})?$`).test(eq) ? undefined : `equation "${a.value}"`;
}
