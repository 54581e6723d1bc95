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

/** Calls f(o, ia, ib) for every output element o in order, with the inputs' element indices. */
export function eachBroadcast(bc: Broadcast, f: (o: number, ia: number, ib: number) => void): void {
  const { sizes, sa, sb } = bc;
  const r = sizes.length;
  const inner = sizes[r - 1];
  const ai = sa[r - 1];
  const bi = sb[r - 1];
  const idx = new Array<number>(r).fill(0);
  let total = 1;
  for (const s of sizes) total *= s;
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; ) {
    for (let k = 0; k < inner; k++, o++) f(o, ia + k * ai, ib + k * bi);
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

type Op = 'Add' | 'Sub' | 'Mul' | 'Div';

function binary(op: Op): KernelFactory {
  return ({ label }) => ({
    forward([a, b]) {
      const bc = broadcast(a!.dims, b!.dims, label);
      const out: Value = value(bc.dims);
      const y = out.data;
      const ad = a!.data;
      const bd = b!.data;
      if (op === 'Add') eachBroadcast(bc, (o, i, j) => (y[o] = ad[i] + bd[j]));
      else if (op === 'Sub') eachBroadcast(bc, (o, i, j) => (y[o] = ad[i] - bd[j]));
      else if (op === 'Mul') eachBroadcast(bc, (o, i, j) => (y[o] = ad[i] * bd[j]));
      else eachBroadcast(bc, (o, i, j) => (y[o] = ad[i] / bd[j]));
      return { outputs: [out], saved: bc };
    },
    backward(dOut, [a, b], _o, saved, need) {
      const bc = saved as Broadcast;
      const ad = a!.data;
      const bd = b!.data;
      const da = need[0] ? new Float64Array(ad.length) : undefined;
      const db = need[1] ? new Float64Array(bd.length) : undefined;
      eachBroadcast(bc, (o, i, j) => {
        const g = dOut[o];
        if (op === 'Add' || op === 'Sub') {
          if (da !== undefined) da[i] += g;
          if (db !== undefined) db[j] += op === 'Add' ? g : -g;
        } else if (op === 'Mul') {
          if (da !== undefined) da[i] += g * bd[j];
          if (db !== undefined) db[j] += g * ad[i];
        } else {
          if (da !== undefined) da[i] += g / bd[j];
          if (db !== undefined) db[j] -= (g * ad[i]) / (bd[j] * bd[j]);
        }
      });
      return [da && Float32Array.from(da), db && Float32Array.from(db)];
    },
  });
}

export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
