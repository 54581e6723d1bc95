// Add, Sub, Mul, Div with numpy broadcasting (residual Add, squeeze-excite Mul, bias and scale
// constants). Dims are coalesced first, so [N, C, H, W] · [N, C, 1, 1] runs as [N·C, H·W] · [N·C, 1].
// The gradient of a broadcast input is the sum over the dims it was broadcast along.
import type { KernelFactory } from '../kernel';
import { GraphTrainError, value, type Value } from '../value';

export interface Broadcast {
  dims: number[];
  /** Coalesced loop: sizes (outer to inner) and each input's strides. */
  sizes: number[];
  sa: number[];
  sb: number[];
}

export function broadcast(a: number[], b: number[], label: string): Broadcast {
  const r = Math.max(a.length, b.length);
  const pa = [...Array<number>(r - a.length).fill(1), ...a];
  const pb = [...Array<number>(r - b.length).fill(1), ...b];
  const dims = pa.map((d, i) => {
    if (d === pb[i] || pb[i] === 1) return d;
    if (d === 1) return pb[i];
    throw new GraphTrainError(`${label}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  });
  const strides = (p: number[]): number[] => {
    const s = new Array<number>(r).fill(0);
    let acc = 1;
    for (let i = r - 1; i >= 0; i--) {
      s[i] = p[i] === 1 && dims[i] !== 1 ? 0 : acc;
      acc *= p[i];
    }
    return s;
  };
  const fa = strides(pa);
  const fb = strides(pb);
  const sizes: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < r; i++) {
    if (dims[i] === 1) continue;
    const k = sizes.length - 1;
    if (k >= 0 && sa[k] === fa[i] * dims[i] && sb[k] === fb[i] * dims[i]) {
      sizes[k] *= dims[i];
      sa[k] = fa[i];
      sb[k] = fb[i];
    } else {
      sizes.push(dims[i]);
      sa.push(fa[i]);
      sb.push(fb[i]);
    }
  }
  if (sizes.length === 0) {
    sizes.push(1);
    sa.push(0);
    sb.push(0);
  }
  return { dims, sizes, sa, sb };
}

/**
 * Calls f(o, ia, ib, n) for every run of n output elements along the innermost coalesced dim, with
 * the inputs' element indices at its start (the run then steps the inputs by the innermost strides).
 */
export function eachRun(bc: Broadcast, f: (o: number, ia: number, ib: number, n: number) => void): void {
  const { sizes, sa, sb } = bc;
  const r = sizes.length;
  const inner = sizes[r - 1];
  const idx = new Array<number>(r).fill(0);
  let total = 1;
  for (const s of sizes) total *= s;
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; o += inner) {
    f(o, ia, ib, inner);
    // Advance the outer odometer.
    let d = r - 2;
    while (d >= 0) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < sizes[d]) break;
      ia -= sa[d] * sizes[d];
      ib -= sb[d] * sizes[d];
      idx[d] = 0;
      d--;
    }
  }
}

/** Calls f(o, ia, ib) for every output element o in order, with the inputs' element indices. */
export function eachBroadcast(bc: Broadcast, f: (o: number, ia: number, ib: number) => void): void {
  const ai = bc.sa[bc.sa.length - 1];
  const bi = bc.sb[bc.sb.length - 1];
  eachRun(bc, (o, ia, ib, n) => {
    for (let k = 0; k < n; k++) f(o + k, ia + k * ai, ib + k * bi);
  });
}

type Op = 'Add' | 'Sub' | 'Mul' | 'Div';

/** y[o..o+n) = a ∘ b over one run (a stepping ai, b stepping bi). */
function forwardRun(op: Op, y: Float32Array, o: number, ad: Float32Array, ia: number, ai: number, bd: Float32Array, ib: number, bi: number, n: number): void {
  if (op === 'Add') for (let k = 0; k < n; k++, ia += ai, ib += bi) y[o + k] = ad[ia] + bd[ib];
  else if (op === 'Sub') for (let k = 0; k < n; k++, ia += ai, ib += bi) y[o + k] = ad[ia] - bd[ib];
  else if (op === 'Mul') for (let k = 0; k < n; k++, ia += ai, ib += bi) y[o + k] = ad[ia] * bd[ib];
  else for (let k = 0; k < n; k++, ia += ai, ib += bi) y[o + k] = ad[ia] / bd[ib];
}

/**
 * The gradient of one input over one run: d[i] += Σ g · (∂y/∂input), where ∂y/∂input is 1 (sign ±1)
 * or the other input's value (Mul), or the quotient rule (Div; `first` says which side).
 */
function backwardRun(op: Op, first: boolean, d: Float32Array | Float64Array, i: number, di: number, g: Float32Array, o: number, ad: Float32Array, ia: number, ai: number, bd: Float32Array, ib: number, bi: number, n: number): void {
  const sign = op === 'Sub' && !first ? -1 : 1;
  if (di === 0) {
    // The input is broadcast along the run: one sum.
    let s = 0;
    if (op === 'Add' || op === 'Sub') for (let k = 0; k < n; k++) s += g[o + k];
    else if (op === 'Mul') for (let k = 0, j = first ? ib : ia, dj = first ? bi : ai, od = first ? bd : ad; k < n; k++, j += dj) s += g[o + k] * od[j];
    else if (first) for (let k = 0, j = ib; k < n; k++, j += bi) s += g[o + k] / bd[j];
    else for (let k = 0; k < n; k++, ia += ai, ib += bi) s -= (g[o + k] * ad[ia]) / (bd[ib] * bd[ib]);
    d[i] += sign * s;
    return;
  }
  if (op === 'Add' || op === 'Sub') for (let k = 0; k < n; k++, i += di) d[i] += sign * g[o + k];
  else if (op === 'Mul') for (let k = 0, j = first ? ib : ia, dj = first ? bi : ai, od = first ? bd : ad; k < n; k++, i += di, j += dj) d[i] += g[o + k] * od[j];
  else if (first) for (let k = 0, j = ib; k < n; k++, i += di, j += bi) d[i] += g[o + k] / bd[j];
  else for (let k = 0; k < n; k++, i += di, ia += ai, ib += bi) d[i] -= (g[o + k] * ad[ia]) / (bd[ib] * bd[ib]);
}

function binary(op: Op): KernelFactory {
  return ({ label }) => ({
    forward([a, b]) {
      const bc = broadcast(a!.dims, b!.dims, label);
      const out: Value = value(bc.dims);
      const y = out.data;
      const ad = a!.data;
      const bd = b!.data;
      const ai = bc.sa[bc.sa.length - 1];
      const bi = bc.sb[bc.sb.length - 1];
      eachRun(bc, (o, ia, ib, n) => forwardRun(op, y, o, ad, ia, ai, bd, ib, bi, n));
      return { outputs: [out], saved: bc };
    },
    backward(dOut, [a, b], _o, saved, need) {
      const bc = saved as Broadcast;
      const ad = a!.data;
      const bd = b!.data;
      const ai = bc.sa[bc.sa.length - 1];
      const bi = bc.sb[bc.sb.length - 1];
      // A full-size input gets each output's gradient once (float32 is exact); a broadcast one sums in float64.
      const full = (len: number): boolean => len === dOut.length;
      if (op === 'Add' && full(ad.length) && full(bd.length)) return [need[0] ? dOut.slice() : undefined, need[1] ? dOut.slice() : undefined];
      const da = need[0] ? (full(ad.length) ? new Float32Array(ad.length) : new Float64Array(ad.length)) : undefined;
      const db = need[1] ? (full(bd.length) ? new Float32Array(bd.length) : new Float64Array(bd.length)) : undefined;
      eachRun(bc, (o, ia, ib, n) => {
        if (da !== undefined) backwardRun(op, true, da, ia, ai, dOut, o, ad, ia, ai, bd, ib, bi, n);
        if (db !== undefined) backwardRun(op, false, db, ib, bi, dOut, o, ad, ia, ai, bd, ib, bi, n);
      });
      const f32 = (d: Float32Array | Float64Array | undefined): Float32Array | undefined => (d === undefined || d instanceof Float32Array ? d : Float32Array.from(d));
      return [f32(da), f32(db)];
    },
  });
}

export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
