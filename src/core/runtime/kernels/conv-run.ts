// The direct program of a fused 2-D convolution layer (conv-runner.ts picks it where neither dw3
// nor Winograd fits; weights with BatchNormalization folded in, bias, clamp for Relu/Clip), run
// image by image: the input is packed into zero-padded phase planes (one per stride phase, so
// every tap of every output position is a contiguous row), then multiplied by the weights — dense
// (four output channels sharing each row) or as per-channel lists of (row, weight) for pruned,
// grouped and depthwise layers — and the valid columns are compacted into NCHW. WebAssembly SIMD
// where available, the same layout in JS otherwise.
import type { Conv2dShape, ConvLayerWeights } from './conv-layer';
import { inputAt, outputTo, residualAt } from './conv-io';
import { type ConvArena, type ConvFn, convInstance } from './conv-wasm';
import { type ConvPool, finishConv, maxPoolPlanes } from './conv-post';

const up = (n: number, m: number): number => Math.ceil(n / m) * m;
/** Byte offsets of one layer's program for one input shape. */
export class DirectProgram {
  /** The program's own memory (none when it lives in an arena). */
  private readonly own: { f32: Float32Array; i32: Int32Array } | undefined;
  readonly fn: ((name: string) => ConvFn) | undefined;
  /** The kernels, looked up once. */
  private k: Record<'packRuns' | 'rowsAll' | 'csr' | 'compact' | 'compactAdd', ConvFn> | undefined;
  /** Where the identity packing's row addresses currently point (the input's byte address). */
  private base: number;
  readonly x: number;
  readonly packed: number;
  readonly map: number;
  readonly mapLen: number;
  /** Copy runs of the packing (4 i32 each: src offset, dst offset, count, src step; bytes). */
  readonly runs: number;
  readonly runsEnd: number;
  readonly identity: boolean;
  readonly P: number;
  readonly Pr: number;
  readonly Wq: number;
  readonly dense: boolean;
  /**
   * Dense with identity packing (1×1 stride 1, no padding): rows4 writes straight into the NCHW
   * output (its rows are the output rows), no compaction; a residual is added there in place.
   */
  readonly direct: boolean;
  readonly Mpad: number;
  readonly tab: number;
  readonly K: number;
  readonly wts: number;
  readonly rows: number;
  readonly bias: number;
  readonly clamp: number;
  readonly yq: number;
  readonly out: number;
  /** The clamp the kernels apply (none when a post pass in JS does the rest). */
  readonly lo: number;
  readonly hi: number;
  readonly post: boolean;
  /** The kernels apply HardSwish after the clamp. */
  readonly hsKernel: boolean;
  /** The activation block of compactAdd (the layer's own), and where the residual is copied in. */
  readonly postClamp: number;
  readonly res: number;
  /** Where a scaled input is copied before scaleCopy, and its scales. */
  readonly stage: number;
  readonly scales: number;

  get f32(): Float32Array {
    return this.arena ? this.arena.f32 : this.own!.f32;
  }

  get i32(): Int32Array {
    return this.arena ? this.arena.i32 : this.own!.i32;
  }

  constructor(readonly s: Conv2dShape, readonly l: ConvLayerWeights, wasm: boolean, private readonly arena: ConvArena | undefined) {
    const { C, H, W, OH, OW, sy, sx, dy, dx, padT, padL } = s;
    const { M, group, kh, kw } = l;
    this.lo = l.residual ? -Infinity : l.lo;
    this.hi = l.residual ? Infinity : l.hi;
    const cg = C / group;
    const Hq = OH + Math.floor(((kh - 1) * dy) / sy);
    const Wq = OW + Math.floor(((kw - 1) * dx) / sx);
    this.Wq = Wq;
    this.identity = sy === 1 && sx === 1 && padT === 0 && padL === 0 && Hq === H && Wq === W;
    const phases = sy * sx;
    const plane = Hq * Wq;
    this.P = OH * Wq;
    this.dense = !l.sparse && group === 1;
    // The dense kernel works on 8 positions at a time (and a last 4), the per-channel lists on 16.
    this.Pr = up(this.P, this.dense ? 4 : 16);
    this.Mpad = this.dense ? up(M, 4) : M;
    this.K = cg * kh * kw;
    this.direct = this.dense && this.identity && this.P === OH * OW;
    let at = arena ? arena.top : 64;
    const take = (bytes: number): number => {
      const r = at;
      at += up(bytes, 64);
      return r;
    };
    const slack = (this.Pr + Wq + 64) * 4;
    this.x = take(C * H * W * 4 + slack);
    this.mapLen = this.identity ? 0 : phases * plane;
    this.packed = this.identity ? this.x : take(C * phases * plane * 4 + slack);
    this.map = take(this.mapLen * 4);
    const runList: number[] = [];
    if (!this.identity) {
      // Only the phases some tap reads (a strided 1×1 reads one of sy·sx).
      const usedY = new Set(Array.from({ length: kh }, (_, k) => (k * dy) % sy));
      const usedX = new Set(Array.from({ length: kw }, (_, k) => (k * dx) % sx));
      for (let py = 0; py < sy; py++) {
        for (let px = 0; px < sx; px++) {
          if (!usedY.has(py) || !usedX.has(px)) continue;
          const qx0 = Math.max(0, Math.ceil((padL - px) / sx));
          const qx1 = Math.min(Wq - 1, Math.floor((W - 1 + padL - px) / sx));
          if (qx1 < qx0) continue;
          for (let qy = 0; qy < Hq; qy++) {
            const iy = qy * sy + py - padT;
            if (iy < 0 || iy >= H) continue;
            runList.push((iy * W + qx0 * sx + px - padL) * 4, ((py * sx + px) * plane + qy * Wq + qx0) * 4, qx1 - qx0 + 1, sx * 4);
          }
        }
      }
    }
    this.runs = take(runList.length * 4);
    this.runsEnd = this.runs + runList.length * 4;
    const chanBytes = (this.identity ? H * W : phases * plane) * 4;
    const rowAddr = (c: number, ky: number, kx: number): number => {
      const oy = ky * dy;
      const ox = kx * dx;
      const ph = this.identity ? 0 : (oy % sy) * sx + (ox % sx);
      return this.packed + c * chanBytes + ph * plane * 4 + (Math.floor(oy / sy) * Wq + Math.floor(ox / sx)) * 4;
    };
    let nnz = 0;
    for (let i = 0; i < l.w.length; i++) if (!l.sparse || l.w[i] !== 0) nnz++;
    this.tab = this.dense ? take(this.K * 4) : 0;
    this.wts = this.dense ? take((this.Mpad / 4) * this.K * 16) : take(nnz * 8);
    this.rows = this.dense ? 0 : take((M + 1) * 4);
    this.bias = take(this.Mpad * 4);
    this.clamp = take(24);
    this.postClamp = take(24);
    this.res = l.residual ? take(M * OH * OW * 4 + 16) : 0;
    this.stage = l.scaled ? take(C * H * W * 4 + 16) : 0;
    this.scales = l.scaled ? take(C * 4) : 0;
    this.yq = this.direct ? 0 : take(this.Mpad * this.Pr * 4 + 64);
    // Direct: the last block of four channels writes Mpad planes, each up to Pr − P floats past its end.
    this.out = take((this.direct ? this.Mpad * OH * OW + this.Pr - this.P : M * OH * OW) * 4 + 16);
    this.base = this.x;
    if (arena) {
      arena.commit(at);
      this.fn = (name) => arena.fn(name);
    } else {
      const inst = wasm ? convInstance(at) : undefined;
      const buffer = inst ? inst.buffer : new ArrayBuffer(at);
      this.own = { f32: new Float32Array(buffer), i32: new Int32Array(buffer) };
      this.fn = inst?.fn;
    }
    // HardSwish runs in the WebAssembly kernels unless a residual comes first (then compactAdd applies it).
    this.hsKernel = this.fn !== undefined && !!l.hardswish && !l.residual;
    // With WebAssembly, compactAdd adds the residual and activates; in JS a post pass does.
    this.post = this.fn === undefined && !!(l.residual || l.hardswish);
    const { f32, i32 } = this;
    i32.set(runList, this.runs >> 2);
    // Pack map: byte offset within an input channel of each packed value, -1 for padding.
    for (let py = 0; py < sy; py++) {
      for (let px = 0; px < sx; px++) {
        const base = (this.map >> 2) + (py * sx + px) * plane;
        for (let qy = 0; qy < Hq; qy++) {
          const iy = qy * sy + py - padT;
          for (let qx = 0; qx < Wq; qx++) {
            const ix = qx * sx + px - padL;
            i32[base + qy * Wq + qx] = this.identity ? 0 : iy >= 0 && iy < H && ix >= 0 && ix < W ? (iy * W + ix) * 4 : -1;
          }
        }
      }
    }
    f32.set(l.bias, this.bias >> 2);
    f32[this.clamp >> 2] = this.lo;
    f32[(this.clamp >> 2) + 1] = this.hi;
    i32[(this.clamp >> 2) + 2] = this.hsKernel ? 1 : 0;
    f32.set([1 / 6, 0.5, 1], (this.clamp >> 2) + 3);
    f32.set([l.lo, l.hi, 0, 1 / 6, 0.5, 1], this.postClamp >> 2);
    i32[(this.postClamp >> 2) + 2] = l.hardswish ? 1 : 0;
    const kk = kh * kw;
    if (this.dense) {
      for (let c = 0; c < cg; c++) for (let t = 0; t < kk; t++) i32[(this.tab >> 2) + c * kk + t] = rowAddr(c, Math.floor(t / kw), t % kw);
      for (let m = 0; m < M; m++) {
        const b = Math.floor(m / 4);
        for (let k = 0; k < this.K; k++) f32[(this.wts >> 2) + (b * this.K + k) * 4 + (m % 4)] = l.w[m * this.K + k];
      }
    } else {
      const mg = M / group;
      let e = this.wts >> 2;
      for (let m = 0; m < M; m++) {
        i32[(this.rows >> 2) + m] = e * 4;
        const c0 = Math.floor(m / mg) * cg;
        for (let k = 0; k < this.K; k++) {
          const wv = l.w[m * this.K + k];
          if (l.sparse && wv === 0) continue;
          const c = Math.floor(k / kk);
          const t = k % kk;
          i32[e] = rowAddr(c0 + c, Math.floor(t / kw), t % kw);
          f32[e + 1] = wv;
          e += 2;
        }
      }
      i32[(this.rows >> 2) + M] = e * 4;
    }
  }

  /**
   * One image: x (C·H·W, times scale[sOff + c] per channel) → y (M·OH·OW, res at rOff; or pooled)
   * at yOff; lazy: y's values may stay in the arena (its one reader is a conv layer of the arena).
   */
  run(x: Float32Array, xOff: number, y: Float32Array, yOff: number, scale: Float32Array | undefined, sOff: number, res: Float32Array | undefined, rOff: number, pool: ConvPool | undefined, lazy: boolean): void {
    const { s, l } = this;
    const f = this.fn;
    if (!f) {
      this.runJs(x, xOff, y, yOff, scale, sOff, res, rOff, pool);
      return;
    }
    const mem = { f32: this.f32, fn: f };
    const k = (this.k ??= { packRuns: f('packRuns'), rowsAll: f('rowsAll'), csr: f('csr'), compact: f('compact'), compactAdd: f('compactAdd') });
    const chanIn = s.H * s.W * 4;
    const src = inputAt(mem, this.arena, x, xOff, s.C, s.H * s.W, scale, sOff, this);
    if (!this.identity) k.packRuns(src, this.runs, this.runsEnd, this.packed, s.C, chanIn, this.mapLen * 4);
    else this.rebase(src);
    const n = l.M * s.OH * s.OW;
    if (this.direct) {
      const plane = this.P * 4;
      k.rowsAll(this.tab, this.tab + this.K * 4, this.wts, this.out, this.Pr * 4, plane, this.bias, this.clamp, this.Mpad / 4, this.K * 16, 4 * plane);
      if (l.residual && res) {
        // In place as one row: every 16 bytes are read before they are written, none twice.
        const r = residualAt(mem, this.arena, res, rOff, n, this.res);
        k.compactAdd(this.out, this.out, 1, 1, n * 4, n * 4, 0, r, this.postClamp);
      }
      outputTo(mem, this.arena, this.out, l.M, s.OH, s.OW, y, yOff, pool, lazy);
      return;
    }
    if (this.dense) {
      k.rowsAll(this.tab, this.tab + this.K * 4, this.wts, this.yq, this.Pr * 4, this.Pr * 4, this.bias, this.clamp, this.Mpad / 4, this.K * 16, 4 * this.Pr * 4);
    } else {
      k.csr(this.rows, this.rows + l.M * 4, this.yq, this.Pr * 4, this.Pr * 4, this.bias, this.clamp);
    }
    if (l.residual && res) {
      const r = residualAt(mem, this.arena, res, rOff, n, this.res);
      k.compactAdd(this.yq, this.out, l.M, s.OH, this.Wq * 4, s.OW * 4, this.Pr * 4, r, this.postClamp);
    } else k.compact(this.yq, this.out, l.M, s.OH, this.Wq * 4, s.OW * 4, this.Pr * 4);
    outputTo(mem, this.arena, this.out, l.M, s.OH, s.OW, y, yOff, pool, lazy);
  }

  /** Identity packing reads the input where it is: moves the row addresses to base `at`. */
  private rebase(at: number): void {
    const d = at - this.base;
    if (d === 0) return;
    const i32 = this.i32;
    if (this.dense) for (let k = this.tab >> 2; k < (this.tab >> 2) + this.K; k++) i32[k] += d;
    else for (let e = i32[this.rows >> 2] >> 2; e < i32[(this.rows >> 2) + this.l.M] >> 2; e += 2) i32[e] += d;
    this.base = at;
  }

  /** The same in JS (no WebAssembly): a post pass adds the residual and activates where the kernels do not. */
  private runJs(x: Float32Array, xOff: number, y: Float32Array, yOff: number, scale: Float32Array | undefined, sOff: number, res: Float32Array | undefined, rOff: number, pool: ConvPool | undefined): void {
    const { f32, s, l } = this;
    const inLen = s.C * s.H * s.W;
    if (scale) {
      const hw = s.H * s.W;
      const base = this.x >> 2;
      for (let c = 0; c < s.C; c++) {
        const k = scale[sOff + c];
        const from = xOff + c * hw;
        const to = base + c * hw;
        for (let i = 0; i < hw; i++) f32[to + i] = x[from + i] * k;
      }
    } else f32.set(x.subarray(xOff, xOff + inLen), this.x >> 2);
    this.computeJs();
    const n = l.M * s.OH * s.OW;
    const out = this.out >> 2;
    if (pool) {
      if (this.post) finishConv(f32, out, f32, out, n, res, rOff, l);
      maxPoolPlanes(f32, out, y, yOff, l.M, s.OH, s.OW, pool);
    } else if (this.post) finishConv(f32, out, y, yOff, n, res, rOff, l);
    else y.set(f32.subarray(out, out + n), yOff);
  }

  private computeJs(): void {
    const { f32, i32, s, l, P, Wq } = this;
    if (!this.identity) {
      const planeLen = this.mapLen;
      const map = this.map >> 2;
      const chanIn = s.H * s.W;
      for (let c = 0; c < s.C; c++) {
        const src = (this.x >> 2) + c * chanIn;
        const dst = (this.packed >> 2) + c * planeLen;
        for (let i = 0; i < planeLen; i++) {
          const o = i32[map + i];
          f32[dst + i] = o >= 0 ? f32[src + (o >> 2)] : 0;
        }
      }
    }
    const acc = new Float64Array(P);
    const { M } = l;
    const out = this.out >> 2;
    const OHW = s.OH * s.OW;
    for (let m = 0; m < M; m++) {
      acc.fill(l.bias[m]);
      const each = (addr: number, wv: number): void => {
        const r = addr >> 2;
        for (let j = 0; j < P; j++) acc[j] += wv * f32[r + j];
      };
      if (this.dense) {
        const b = Math.floor(m / 4);
        for (let k = 0; k < this.K; k++) {
          const wv = f32[(this.wts >> 2) + (b * this.K + k) * 4 + (m % 4)];
          if (wv !== 0) each(i32[(this.tab >> 2) + k], wv);
        }
      } else {
        for (let e = i32[(this.rows >> 2) + m] >> 2; e < i32[(this.rows >> 2) + m + 1] >> 2; e += 2) each(i32[e], f32[e + 1]);
      }
      for (let oy = 0; oy < s.OH; oy++) {
        for (let ox = 0; ox < s.OW; ox++) {
          const v = acc[oy * Wq + ox];
          f32[out + m * OHW + oy * s.OW + ox] = v < this.lo ? this.lo : v > this.hi ? this.hi : v;
        }
      }
    }
  }
}
