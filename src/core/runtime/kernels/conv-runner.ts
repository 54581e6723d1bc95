// One fused 2-D convolution layer as the plan runs it: the program for its input shape (depthwise
// dw3, Winograd, or the direct packed-planes program of conv-run.ts), built on the first run and
// rebuilt when the shape changes, in the plan's shared WebAssembly arena where it fits.
export type { Conv2dShape, ConvLayerWeights } from './conv-layer';
export { sparseConvPays } from './conv-layer';
import type { Conv2dShape, ConvLayerWeights } from './conv-layer';
import type { ConvPool } from './conv-post';
import { type ConvArena, convWasmAvailable } from './conv-wasm';
import { DirectProgram } from './conv-run';
import { DepthwiseProgram, depthwiseFits } from './depthwise-run';
import { WinogradProgram, winogradFits, winogradTile, winogradWeights } from './winograd-run';

/** Bytes of a ConvArena past which layers rebuilt for new shapes take their own memory. */
const ARENA_LIMIT = 256 * 2 ** 20;

function sameShape(a: Conv2dShape, b: Conv2dShape | undefined): boolean {
  return !!b && a.C === b.C && a.H === b.H && a.W === b.W && a.OH === b.OH && a.OW === b.OW && a.sy === b.sy && a.sx === b.sx &&
    a.dy === b.dy && a.dx === b.dx && a.padT === b.padT && a.padL === b.padL;
}

/** One fused layer; its program is built for the first input shape and rebuilt when that changes. */
export class ConvLayerRunner {
  private prog: DirectProgram | WinogradProgram | DepthwiseProgram | undefined;
  /** The shape the program was built for. */
  private shape: Conv2dShape | undefined;
  /** The current program lives in the arena. */
  private inArena = false;
  /** The Winograd-transformed weights per output tile size, made on first use. */
  private readonly u: { 2?: Float32Array; 4?: Float32Array } = {};

  /**
   * arena: the WebAssembly memory the layer shares with the plan's other conv layers (default: its
   * own); lazyOut: the output's only reader is a conv layer of that arena (batch 1: the output may
   * stay there, see ConvArena).
   */
  constructor(readonly weights: ConvLayerWeights, private readonly wasm: boolean, private readonly arena?: ConvArena, private readonly lazyOut = false) {}

  /** Whether the layer runs in WebAssembly (where available and asked for). */
  get engine(): 'wasm' | 'js' {
    return this.wasm && convWasmAvailable() ? 'wasm' : 'js';
  }

  /** Whether the current program is Winograd F(2×2, 3×3) (after a run). */
  get winograd(): boolean {
    return this.prog instanceof WinogradProgram;
  }

  /** Whether the current program is the depthwise dw3 kernel (after a run). */
  get depthwise(): boolean {
    return this.prog instanceof DepthwiseProgram;
  }

  private program(s: Conv2dShape): DirectProgram | WinogradProgram | DepthwiseProgram {
    const l = this.weights;
    const tile = this.wasm && winogradFits(s, l) ? (l.winograd === undefined ? winogradTile(s, l) : l.winograd ? (l.winogradTile ?? 2) : 0) : 0;
    // Programs replaced after a shape change leave their region behind: past ARENA_LIMIT new ones get their own memory.
    const arena = this.wasm && this.arena && this.arena.top < ARENA_LIMIT ? this.arena : undefined;
    this.inArena = arena !== undefined;
    if (this.wasm && l.depthwise !== false && depthwiseFits(s, l)) {
      const p = DepthwiseProgram.create(s, l, arena);
      if (p) return p;
    }
    if (tile) {
      const u = (this.u[tile] ??= winogradWeights(l.w, l.M, s.C, tile));
      const p = WinogradProgram.create(s, l, tile, u, arena);
      if (p) return p;
    }
    return new DirectProgram(s, l, this.wasm, arena);
  }

  /** y (N·M·OH·OW) = layer(x (N·C·H·W) · scale (N·C), if given) [+ res (N·M·OH·OW)]. */
  run(s: Conv2dShape, N: number, x: Float32Array, y: Float32Array, scale?: Float32Array, res?: Float32Array, pool?: ConvPool): void {
    if (!this.prog || (s !== this.shape && !sameShape(s, this.shape))) {
      this.prog = this.program(s);
      this.shape = s;
    }
    const inLen = s.C * s.H * s.W;
    const outLen = this.weights.M * s.OH * s.OW;
    const yLen = pool ? y.length / N : outLen;
    const lazy = this.lazyOut && this.inArena && N === 1;
    if (!this.inArena && this.arena) {
      // Outside the arena the inputs are read in JS: values another layer left there come out first.
      this.arena.materialize(x);
      this.arena.materialize(res);
    }
    for (let n = 0; n < N; n++) this.prog.run(x, n * inLen, y, n * yLen, scale, n * s.C, res, n * outLen, pool, lazy);
  }
}
