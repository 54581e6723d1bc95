// The Prune panel's structure choice as data: the four kinds with their help, the N:M and block
// presets, reading a free entry through core's one parser (re-exported by the protocol), the ratio
// that N:M fixes and why, and the spec a choice makes. Pure: no DOM, no engine calls.

import { DEFAULT_STRUCTURE, formatStructure, parseStructure, type ChannelImportance, type PruneSpec, type PruneStructure } from '../engine/protocol';

export type StructureKind = PruneStructure['kind'];

export interface StructureKindInfo {
  kind: StructureKind;
  label: string;
  help: string;
}

export const STRUCTURE_KINDS: readonly StructureKindInfo[] = [
  { kind: 'unstructured', label: 'Unstructured', help: 'Single weights, smallest |w| first: zeros in place, which only a sparse runtime turns into speed.' },
  { kind: 'channels', label: 'Channels', help: 'Whole output neurons and channels: the model becomes smaller and dense, faster in every runtime.' },
  { kind: 'nm', label: 'N:M', help: 'At most N of every M consecutive weights along the inputs stay (2:4 is what sparse tensor cores run).' },
  { kind: 'blocks', label: 'Blocks', help: 'R×C blocks of weights removed together (R outputs × C inputs), the shapes SIMD kernels run best.' },
];

export const NM_PRESETS: readonly string[] = ['2:4', '4:8'];
export const BLOCK_PRESETS: readonly string[] = ['4x1', '8x1', '4x4'];

/** The structure of a spec; an unreadable one reads as unstructured (the engine validates specs). */
export function structureOf(spec: Pick<PruneSpec, 'structure'>): PruneStructure {
  try {
    return parseStructure(spec.structure ?? DEFAULT_STRUCTURE);
  } catch {
    return { kind: 'unstructured' };
  }
}

/**
 * Reads the free N:M or R×C field: the canonical text, or why it cannot be used. The words of the
 * error are core's parser's where it has them.
 */
export function readEntry(kind: 'nm' | 'blocks', text: string): { structure: string } | { error: string } {
  const t = text.trim();
  const form = kind === 'nm' ? 'N:M, e.g. 2:4' : 'R×C as RxC, e.g. 4x1';
  if (t === '') return { error: `Write the pattern as ${form}.` };
  // "4×1" with the multiplication sign reads as 4x1.
  const entry = kind === 'blocks' ? t.replace(/[×*X]/g, 'x') : t;
  if (kind === 'nm' ? !/^\d+\s*:\s*\d+$/.test(entry) : !/^\d+\s*x\s*\d+$/.test(entry)) return { error: `"${t}" is not ${kind === 'nm' ? 'an N:M pattern' : 'a block shape'}: write ${form}.` };
  let s: PruneStructure;
  try {
    s = parseStructure(entry.replace(/\s+/g, ''));
  } catch (error) {
    return { error: `${error instanceof Error ? error.message : String(error)}.` };
  }
  if (s.kind !== kind) return { error: `${t} blocks are single weights: choose Unstructured instead.` };
  return { structure: formatStructure(s) };
}

/** The ratio a structure fixes (N:M: 1 − N/M), or null when the slider chooses it. */
export function fixedRatio(s: PruneStructure): number | null {
  return s.kind === 'nm' ? 1 - s.n / s.m : null;
}

/** Why the ratio slider is locked, in words ("2:4 removes half of every group of 4: …"), or null. */
export function ratioLockReason(s: PruneStructure): string | null {
  if (s.kind !== 'nm') return null;
  const removed = s.m - s.n;
  const how = 2 * removed === s.m ? 'half' : String(removed);
  const pct = Number(((removed / s.m) * 100).toFixed(1));
  return `${s.n}:${s.m} removes ${how} of every group of ${s.m}: the ratio is fixed at ${pct}%`;
}

/**
 * The spec with a structure chosen: `structure` in canonical text (absent for unstructured),
 * `importance` only with channels, the ratio fixed by N:M (else `userRatio`, what the slider had),
 * and with N:M only the overrides of 0 (leave a tensor dense) kept.
 */
export function specWithStructure<S extends PruneSpec>(spec: S, structure: string, importance: ChannelImportance, userRatio: number): S {
  const s = parseStructure(structure);
  const next: S = { ...spec };
  delete next.structure;
  delete next.importance;
  if (s.kind !== 'unstructured') next.structure = formatStructure(s);
  if (s.kind === 'channels') next.importance = importance;
  next.ratio = fixedRatio(s) ?? userRatio;
  if (s.kind === 'nm' && next.overrides) next.overrides = Object.fromEntries(Object.entries(next.overrides).filter(([, r]) => r === 0));
  return next;
}
