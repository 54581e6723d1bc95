// What a fused conv layer is to the kernels (its weights and output stage, the shapes of one run)
// and the cost model that picks per-channel lists over the dense kernel.
import type { ConvPost } from './conv-post';

/** Shapes of one 2-D convolution (1-D as H = 1). */
export interface Conv2dShape {
  C: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  sy: number;
  sx: number;
  dy: number;
  dx: number;
  padT: number;
  padL: number;
}

/** A layer's weights and output stage (ConvPost: clamp, HardSwish, residual). */
export interface ConvLayerWeights extends ConvPost {
  M: number;
  group: number;
  kh: number;
  kw: number;
  /** [M][C/group][kh][kw], BatchNormalization folded in. */
  w: Float32Array;
  bias: Float32Array;
  /** Per-channel lists of the non-zero weights instead of dense blocks. */
  sparse: boolean;
  /** The input comes with a per-channel scale (room for the WebAssembly kernels to apply it). */
  scaled?: boolean;
  /** Force (true) or forbid (false) Winograd where it fits; default: the cost model decides. */
  winograd?: boolean;
  /** With winograd: true, the output tile: F(2×2, 3×3) (default) or F(4×4, 3×3). */
  winogradTile?: 2 | 4;
  /** false: a depthwise 3×3 layer runs on the per-channel lists, not dw3 (tests, benches). */
  depthwise?: boolean;
}

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * The per-layer cost model of the plan: whether the per-channel lists of the non-zero weights
 * (`nnz` of M·K) beat the dense kernel. Grouped and depthwise layers always run on lists, so
 * skipping zeros only pays. Dense layers: the dense kernel does M rounded up to 4 channels × K taps
 * at about 1/1.3 of the cost per multiply-add of a list entry (measured, WebAssembly SIMD, layers
 * of 86k–1.6M multiply-adds: lists at full density cost 1.05–1.46× dense, break-even at 5–32%
 * zeros), so lists win when 1.3 · nnz < ⌈M/4⌉·4 · K; where the dense form is Winograd, when they
 * beat WINOGRAD_SHARE of that.
 */
export function sparseConvPays(M: number, K: number, group: number, nnz: number, winograd = false): boolean {
  if (nnz >= M * K) return false;
  return group > 1 || 1.3 * nnz < (winograd ? WINOGRAD_SHARE : 1) * up(M, 4) * K;
}

/**
 * What Winograd costs of the direct kernel on the layers it takes (bench/conv-winograd.ts: 0.4–0.65
 * with 4×4 tiles on 14×14 and 28×28 maps, 0.5–0.8 with 2×2 tiles on 7×7): a dense 3×3 stride-1 layer
 * with 8 or more input and output channels runs on lists only when they beat that.
 */
export const WINOGRAD_SHARE = 0.5;

