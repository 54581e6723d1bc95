// The structure of what pruning removes, as every front end writes it ("unstructured", "channels",
// "2:4", "4x1") and as core reads it. One parser, one formatter, one default.
//
// - unstructured: single weights (smallest |w| first).
// - channels: whole output neurons of Gemm / MatMul and whole output channels of Conv; the model
//   is rewritten smaller (the next layers' inputs, biases, BatchNormalization… shrink with them).
// - N:M: in every group of M consecutive weights along a layer's input dimension at most N stay
//   (2:4 keeps half). The ratio is fixed by N and M: 1 − N/M.
// - RxC blocks: R consecutive outputs × C consecutive inputs are kept or removed together.
// "Input" and "output" dimensions of each weight are those of core/prune/layout.ts.
import { PruneError } from './types';

export type PruneStructure =
  | { kind: 'unstructured' }
  | { kind: 'channels' }
  | { kind: 'nm'; n: number; m: number }
  | { kind: 'blocks'; rows: number; cols: number };

/** How a channel's importance is scored for `channels` (magnitude and finetune; reconstruct uses activations). */
export type ChannelImportance = 'l1' | 'l2';

export const DEFAULT_STRUCTURE = 'unstructured';
export const DEFAULT_IMPORTANCE: ChannelImportance = 'l1';
export const CHANNEL_IMPORTANCES: readonly ChannelImportance[] = Object.freeze(['l1', 'l2']);

/**
 * channels: a prune request's default channelMultiple (kept channels rounded to a multiple of 8 in
 * every group of a multiple of 8). onnxruntime-node, one thread, exported files (bench/
 * channel-multiple.ts, two runs): MobileNet at channels 0.25 ran 1.65–1.98× (batch 1) and 1.92–2.11×
 * (batch 32) the unpruned model's time with exact counts (multiple 1), 0.72–0.98× and 0.59–0.67×
 * with 8. With 8 every model (MobileNet, ResNet, the MLP) at 0.25 and 0.5 ran at or below the
 * unpruned time; ResNet was within noise either way; the MLP at 0.5, batch 1, ran 0.16–0.22× with
 * exactly 500 neurons and 0.40–0.47× with 504. Core's PruneOptions without it removes exactly
 * round(ratio × channels).
 */
export const DEFAULT_CHANNEL_MULTIPLE = 8;
/** The multiples the app offers; the CLI and the engine take any integer in 1..MAX_CHANNEL_MULTIPLE. */
export const CHANNEL_MULTIPLES: readonly number[] = Object.freeze([1, 4, 8, 16]);
export const MAX_CHANNEL_MULTIPLE = 64;

/** An integer 1..MAX_CHANNEL_MULTIPLE. */
export function isChannelMultiple(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_CHANNEL_MULTIPLE;
}

/** For help texts and messages. */
export const STRUCTURE_FORMS = 'unstructured, channels, N:M (e.g. 2:4) or RxC blocks (e.g. 4x1)';

/** The largest N:M group and block side accepted. */
const MAX_GROUP = 64;

function side(text: string, what: string, whole: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > MAX_GROUP) throw new PruneError(`structure "${whole}": ${what} must be an integer from 1 to ${MAX_GROUP}`);
  return v;
}

/** Parses a structure; throws a PruneError naming the accepted forms. */
export function parseStructure(text: string): PruneStructure {
  const t = String(text).trim().toLowerCase();
  if (t === 'unstructured') return { kind: 'unstructured' };
  if (t === 'channels') return { kind: 'channels' };
  let m = /^(\d+):(\d+)$/.exec(t);
  if (m !== null) {
    const n = side(m[1], 'N', t);
    const group = side(m[2], 'M', t);
    if (n >= group) throw new PruneError(`structure "${t}": N must be smaller than M (N:M keeps N of every M weights)`);
    return { kind: 'nm', n, m: group };
  }
  m = /^(\d+)x(\d+)$/.exec(t);
  if (m !== null) {
    const rows = side(m[1], 'R', t);
    const cols = side(m[2], 'C', t);
    if (rows * cols === 1) return { kind: 'unstructured' };
    return { kind: 'blocks', rows, cols };
  }
  throw new PruneError(`unknown structure "${String(text)}" (${STRUCTURE_FORMS})`);
}

/** The canonical text of a structure: parseStructure(formatStructure(s)) equals s. */
export function formatStructure(s: PruneStructure): string {
  switch (s.kind) {
    case 'unstructured':
    case 'channels':
      return s.kind;
    case 'nm':
      return `${s.n}:${s.m}`;
    case 'blocks':
      return `${s.rows}x${s.cols}`;
  }
}

/** The canonical text of a structure given as text (throws on a bad one). */
export function canonicalStructure(text: string | undefined): string {
  return text === undefined ? DEFAULT_STRUCTURE : formatStructure(parseStructure(text));
}

export function isChannelImportance(v: unknown): v is ChannelImportance {
  return typeof v === 'string' && (CHANNEL_IMPORTANCES as readonly string[]).includes(v);
}
