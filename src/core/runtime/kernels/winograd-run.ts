// A dense 3×3 stride-1 convolution (groups 1) as Winograd F(2×2, 3×3) in WebAssembly: the weights
// transformed once (U = G g Gᵀ per output and input channel), then per image the input packed into
// zero-padded even/odd column planes, transformed per 4×4 tile (V = Bᵀ d B), multiplied per
// transform position (16 products M_ξ = U_ξ · V_ξ over the input channels, 2.25× fewer multiply-adds
// than the direct kernel), transformed back (Y = Aᵀ M A) with bias and activation straight into
// NCHW rows (the residual added there in place after). Same interface as the direct program of conv-run.ts.
import type { Conv2dShape, ConvLayerWeights } from './conv-layer';
import { inputAt, outputTo, residualAt } from './conv-io';
import type { ConvPool } from './conv-post';
import { type ConvArena, type ConvFn, programMemory } from './conv-wasm';

const XI_PAD = 64;
const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Whether a layer and shape can run as F(2×2, 3×3): dense 3×3, stride 1, no dilation, groups 1. */
export function winogradFits(s: Conv2dShape, l: ConvLayerWeights): boolean {
  return !l.sparse && l.group === 1 && l.kh === 3 && l.kw === 3 && s.sy === 1 && s.sx === 1 && s.dy === 1 && s.dx === 1 && s.OH >= 2 && s.OW >= 2;
}

/**
 * The measured cost model (bench/conv-winograd.ts): the output tile of the Winograd form that beats
 * the direct kernel, or 0. The transforms cost per input and output channel what the products save
 * per pair of them, so both need enough channels.
 */
export function winogradTile(s: Conv2dShape, l: ConvLayerWeights): 0 | 2 | 4 {
  if (s.C < 8 || l.M < 8) return 0;
  // F(4×4) needs maps of 12 and more: 7×7 pads to 8×8 (31% waste) and its 36 products lose.
  return s.OH >= 12 && s.OW >= 12 ? 4 : 2;
}

/** Kept for callers of the boolean form. */
export function winogradPays(s: Conv2dShape, l: ConvLayerWeights): boolean {
  return winogradTile(s, l) !== 0;
}

/** G of F(2×2, 3×3) and of F(4×4, 3×3) (Lavin & Gray 2016). */
const G2 = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
const G4 = [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]];

/** U_ξ[m][c] = (G g Gᵀ)[ξ] (ξ = α·i + j, α = tile + 2) for g the 3×3 kernel of (m, c). */
export function winogradWeights(w: Float32Array, M: number, C: number, tile: 2 | 4 = 2): Float32Array {
  const G = tile === 2 ? G2 : G4;
  const a = G.length;
  const u = new Float32Array(a * a * M * C);
  const t = new Float64Array(a * 3);
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < C; c++) {
      const g = (m * C + c) * 9;
      for (let i = 0; i < a; i++) for (let k = 0; k < 3; k++) t[i * 3 + k] = G[i][0] * w[g + k] + G[i][1] * w[g + 3 + k] + G[i][2] * w[g + 6 + k];
      for (let i = 0; i < a; i++) {
        for (let j = 0; j < a; j++) u[((i * a + j) * M + m) * C + c] = t[i * 3] * G[j][0] + t[i * 3 + 1] * G[j][1] + t[i * 3 + 2] * G[j][2];
      }
    }
  }
  return u;
}

/** Byte offsets of one Winograd layer program for one input shape (WebAssembly only). */
export class WinogradProgram {
  /** The program's own memory (none when it lives in an arena). */
  private readonly own: Float32Array | undefined;
  private readonly fn: (name: string) => ConvFn = () => () => undefined;
  private readonly TX: number;
  private readonly TY: number;
  private readonly nb: number;
  private readonly Tp: number;
  private readonly Mpad: number;
  private readonly x: number;
  private readonly planes: number;
  private readonly rowB: number;
  private readonly segB: number;
  private readonly tmp: number;
  private readonly nxi: number;
  private readonly chanB: number;
  private readonly runs: number;
  private readonly runsEnd: number;
  /** F(4×4) with the whole input inside the padded plane: one padded row of zeros wg4Pack copies each row into (else 0: packRuns). */
  private readonly line: number;
  private readonly tab: number;
  private readonly u: number;
  private readonly v: number;
  private readonly m: number;
  private readonly vXi: number;
  private readonly mXi: number;
  private readonly bias: number;
  private readonly zero: number;
  private readonly none: number;
  private readonly clamp: number;
  private readonly postClamp: number;
  private readonly res: number;
  private readonly scaleAt: number;
  private readonly scales: number;
  private readonly out: number;

  /** Undefined when WebAssembly is unavailable. */
  static create(s: Conv2dShape, l: ConvLayerWeights, tile: 2 | 4, u: Float32Array, arena?: ConvArena): WinogradProgram | undefined {
    const p = new WinogradProgram(s, l, tile, u, arena);
    return p.ok ? p : undefined;
  }

  private readonly ok: boolean = true;

  get f32(): Float32Array {
    return this.arena ? this.arena.f32 : this.own!;
  }

  private constructor(readonly s: Conv2dShape, readonly l: ConvLayerWeights, readonly tile: 2 | 4, u: Float32Array, private readonly arena: ConvArena | undefined) {
    const { C, H, W, OH, OW, padT, padL } = s;
    const { M } = l;
    const n = tile;
    const nxi = (n + 2) * (n + 2);
    this.nxi = nxi;
    const TY = Math.ceil(OH / n);
    const TX = Math.ceil(OW / n);
    const nb = Math.ceil(TX / 4);
    [this.TY, this.TX, this.nb] = [TY, TX, nb];
    // Tiles of one product row: the last block of the last tile row may run past TY·TX.
    this.Tp = up((TY - 1) * TX + 4 * nb, 8);
    this.Mpad = up(M, 4);
    // F(2×2): per channel an even and an odd column plane of PH rows; F(4×4): per padded row its
    // four column phases (PW entries each, segB bytes apart).
    const PH = n * TY + 2;
    const PW = 4 * nb + 4;
    this.segB = PW * 4;
    this.rowB = n === 2 ? PW * 4 : 4 * PW * 4;
    this.chanB = n === 2 ? 2 * PH * PW * 4 : PH * this.rowB;
    let at = arena ? arena.top : 64;
    const take = (bytes: number): number => {
      const r = at;
      at += up(bytes, 64) + 64;
      return r;
    };
    this.x = take(C * H * W * 4);
    this.scaleAt = l.scaled ? take(C * H * W * 4) : 0;
    this.scales = l.scaled ? take(C * 4) : 0;
    this.planes = take(C * this.chanB + 64);
    this.tmp = n === 4 ? take(6 * this.rowB + 64) : 0;
    this.line = n === 4 && padT + H <= PH && padL + W <= 4 * PW ? take(this.rowB) : 0;
    // Copy runs into the column phases of each channel.
    const runList: number[] = [];
    for (let py = 0; py < PH; py++) {
      const iy = py - padT;
      if (iy < 0 || iy >= H) continue;
      for (let par = 0; par < n; par++) {
        // padded column n·k + par is input column n·k + par - padL
        const k0 = Math.max(0, Math.ceil((padL - par) / n));
        const k1 = Math.min(PW - 1, Math.floor((W - 1 + padL - par) / n));
        if (k1 < k0) continue;
        const dst = n === 2 ? par * PH * PW + py * PW + k0 : py * 4 * PW + par * PW + k0;
        runList.push((iy * W + n * k0 + par - padL) * 4, dst * 4, k1 - k0 + 1, 4 * n);
      }
    }
    this.runs = take(runList.length * 4);
    this.runsEnd = this.runs + runList.length * 4;
    this.tab = take(nxi * C * 4);
    this.u = take(nxi * this.Mpad * C * 4);
    // The 16 products are XI_PAD bytes further apart than their size: at a multiple of 4 KiB the
    // 16 loads and stores of one tile would share a cache set.
    this.vXi = C * this.Tp * 4 + XI_PAD;
    this.mXi = this.Mpad * this.Tp * 4 + XI_PAD;
    this.v = take(nxi * this.vXi);
    this.m = take(nxi * this.mXi);
    this.bias = take(this.Mpad * 4);
    this.zero = take(16);
    this.none = take(24);
    this.clamp = take(24);
    this.postClamp = take(24);
    this.res = l.residual ? take(M * OH * OW * 4) : 0;
    // The last channel's tile rows past OH land after the output.
    this.out = take((M * OH + n * TY - OH) * OW * 4);
    const memory = programMemory(arena, at);
    this.ok = memory !== undefined;
    if (!memory) return;
    this.fn = memory.fn;
    this.own = memory.own;
    const f32 = this.f32;
    const i32 = new Int32Array(f32.buffer);
    i32.set(runList, this.runs >> 2);
    for (let xi = 0; xi < nxi; xi++) for (let c = 0; c < C; c++) i32[(this.tab >> 2) + xi * C + c] = this.v + xi * this.vXi + c * this.Tp * 4;
    // rows4 layout: per ξ, per block of four output channels, [c][4].
    const nb4 = this.Mpad / 4;
    for (let xi = 0; xi < nxi; xi++) {
      for (let m = 0; m < M; m++) {
        const base = (this.u >> 2) + ((xi * nb4 + (m >> 2)) * C) * 4 + (m & 3);
        for (let c = 0; c < C; c++) f32[base + c * 4] = u[(xi * M + m) * C + c];
      }
    }
    f32.set(l.bias, this.bias >> 2);
    // The output transform's channels are OH rows apart: it goes back the tile rows past them.
    const back = (n * TY - OH) * OW * 4;
    const block = (at2: number, lo: number, hi: number, hs: boolean): void => {
      f32.set([lo, hi, 0, 1 / 6, 0.5, 1], at2 >> 2);
      i32[(at2 >> 2) + 2] = hs ? 1 : 0;
      i32[(at2 >> 2) + 6] = back;
    };
    block(this.none, -Infinity, Infinity, false);
    // With a residual, compactAdd activates after adding it; otherwise wgOut does.
    if (l.residual) block(this.clamp, -Infinity, Infinity, false);
    else block(this.clamp, l.lo, l.hi, !!l.hardswish);
    block(this.postClamp, l.lo, l.hi, !!l.hardswish);
  }

  /** One image: x (C·H·W, times scale[sOff + c] per channel) → y (M·OH·OW, res at rOff; or pooled) at yOff (lazy: see ConvArena). */
  run(x: Float32Array, xOff: number, y: Float32Array, yOff: number, scale: Float32Array | undefined, sOff: number, res: Float32Array | undefined, rOff: number, pool: ConvPool | undefined, lazy: boolean): void {
    const { s, l, fn } = this;
    const mem = { f32: this.f32, fn };
    const src = inputAt(mem, this.arena, x, xOff, s.C, s.H * s.W, scale, sOff, { x: this.x, stage: this.scaleAt, scales: this.scales });
    if (this.line) fn('wg4Pack')(src, this.planes, s.C, s.H, s.W * 4, s.W * 4, this.line, s.padL * 4, this.rowB, this.chanB, s.padT * this.rowB);
    else fn('packRuns')(src, this.runs, this.runsEnd, this.planes, s.C, s.H * s.W * 4, this.chanB);
    if (this.tile === 2) {
      const odd = this.planes + this.chanB / 2;
      fn('wgIn')(this.planes, odd, this.v, s.C, this.TY, this.nb, this.rowB, this.chanB, this.TX * 4, this.Tp * 4, this.vXi);
    } else {
      fn('wg4In')(this.planes, this.v, this.tmp, s.C, this.TY, this.nb, this.rowB, this.chanB, this.TX * 4, this.Tp * 4, this.vXi, this.segB);
    }
    fn('wgGemm')(this.tab, s.C, this.u, this.m, this.Tp * 4, this.Mpad / 4, this.zero, this.none, XI_PAD, this.nxi, up(this.TY * this.TX, 4) * 4);
    fn(this.tile === 2 ? 'wgOut' : 'wg4Out')(this.m, this.out, this.bias, this.clamp, l.M, this.TY, this.nb, this.TX * 4, this.Tp * 4, this.mXi, s.OW * 4);
    if (l.residual && res) {
      // In place as one row (as conv-run.ts's direct layers): every 16 bytes read before they are written.
      const n = l.M * s.OH * s.OW;
      const r = residualAt(mem, this.arena, res, rOff, n, this.res);
      fn('compactAdd')(this.out, this.out, 1, 1, n * 4, n * 4, 0, r, this.postClamp);
    }
    outputTo(mem, this.arena, this.out, l.M, s.OH, s.OW, y, yOff, pool, lazy);
  }
}
