// Einsum: any equation of single-letter labels with an optional ellipsis ("bhid,bhjd->bhij",
// "bij,bjk->bik", "ij->ji", "...ii->...i", "i,i"), explicit or implicit output. Every label
// combination is visited once (the summed labels innermost), so repeated labels (diagonals) and
// sums come out of the same loop; computed in float64, written in the inputs' float type.
import { RuntimeError } from '../errors';
import { type RtTensor, ctorOf, size } from '../tensor';
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

export const Einsum = floatOnly((inputs, ctx) => {
  const ops = inputs.map((_, i) => need(inputs, i, ctx));
  const eq = stringAttr(ctx.node, 'equation', '');
  const { inputs: labs, output } = parse(eq, ops, ctx);
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
