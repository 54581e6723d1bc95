// The pure parts of the Compare tab (issue 16): the "Diff" graph marks (the open model, A, is the
// graph, so its changed and removed nodes are marked; added nodes exist only in B and are listed
// in the tab) and the lines that say what changed in a matched pair. No DOM.

import type { ModelDiff, NodeDiff } from '../../engine/protocol';
import type { MarksOverlay } from '../overlays';

/** Node index of A → 'changed' (a matched pair that differs) or 'removed' (no counterpart in B). */
export function diffMarks(diff: Pick<ModelDiff, 'nodes' | 'removed'>): MarksOverlay['marks'] {
  const marks = new Map<number, 'added' | 'removed' | 'changed'>();
  for (const n of diff.nodes) if (n.changed) marks.set(n.a.index, 'changed');
  for (const r of diff.removed) marks.set(r.index, 'removed');
  return marks;
}

/** What changed in a matched pair, one short line per kind; `inputName(pos)` names A's input at a position. */
export function nodeChanges(n: NodeDiff, inputName: (position: number) => string | undefined = () => undefined): string[] {
  const out: string[] = [];
  if (n.name) out.push(`name ${n.name.before} → ${n.name.after}`);
  if (n.opType) out.push(`op ${n.opType.before} → ${n.opType.after}`);
  for (const a of n.attributes) out.push(`${a.name}: ${a.before ?? '(none)'} → ${a.after ?? '(none)'}`);
  for (const s of n.shapes) out.push(`${s.kind} ${s.position}: ${s.before} → ${s.after}`);
  for (const pos of n.changedInputs) {
    const name = inputName(pos);
    out.push(`input ${pos}${name ? ` (${name})` : ''} differs`);
  }
  return out;
}
