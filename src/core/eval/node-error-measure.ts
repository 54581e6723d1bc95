// The measures of per-node error: a value of the original model (a) against the same value of the
// pruned model (b), accumulated over batches in float64 so that the result does not depend on how
// the samples were split (the N samples' values are taken together as one vector).

import type { RtData, RtTensor } from '../runtime';
import type { ValueError } from './node-error-types';

function num(d: RtData, i: number): number {
  const v = d[i];
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Sums of one value over the batches seen so far. */
export class ErrorAccumulator {
  private aa = 0;
  private bb = 0;
  private ab = 0;
  private dd = 0;
  private shape: ValueError['shapeChanged'];
  private missing = false;

  constructor(readonly value: string) {}

  /** Adds one batch: `b` undefined when the pruned model has no such value. */
  add(a: RtTensor, b: RtTensor | undefined): void {
    if (this.missing || this.shape) return;
    if (!b) {
      this.missing = true;
      return;
    }
    if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]) || a.data.length !== b.data.length) {
      this.shape = { original: [...a.dims], pruned: [...b.dims] };
      return;
    }
    const x = a.data;
    const y = b.data;
    let aa = 0;
    let bb = 0;
    let ab = 0;
    let dd = 0;
    if (x instanceof Float32Array && y instanceof Float32Array) {
      for (let i = 0; i < x.length; i++) {
        const p = x[i];
        const q = y[i];
        aa += p * p;
        bb += q * q;
        ab += p * q;
        dd += (p - q) * (p - q);
      }
    } else {
      for (let i = 0; i < x.length; i++) {
        const p = num(x, i);
        const q = num(y, i);
        aa += p * p;
        bb += q * q;
        ab += p * q;
        dd += (p - q) * (p - q);
      }
    }
    this.aa += aa;
    this.bb += bb;
    this.ab += ab;
    this.dd += dd;
  }

  result(): ValueError {
    if (this.missing) return { value: this.value, missing: true };
    if (this.shape) return { value: this.value, shapeChanged: this.shape };
    return { value: this.value, ...errorOf(this.aa, this.bb, this.ab, this.dd) };
  }
}

/** Relative L2 and cosine from the sums ‖a‖², ‖b‖², a·b and ‖a − b‖². */
export function errorOf(aa: number, bb: number, ab: number, dd: number): Pick<ValueError, 'relL2' | 'cosine' | 'zeroReference'> {
  if (aa === 0) return { relL2: bb === 0 ? 0 : 1, cosine: bb === 0 ? 1 : 0, zeroReference: true };
  const relL2 = Math.sqrt(dd) / Math.sqrt(aa);
  if (bb === 0) return { relL2, cosine: 0 };
  // Rounding may put a·b/(‖a‖‖b‖) a hair outside [-1, 1].
  const cosine = Math.max(-1, Math.min(1, ab / (Math.sqrt(aa) * Math.sqrt(bb))));
  return { relL2, cosine };
}
