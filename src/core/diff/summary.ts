// The counts on top of a diff, and its one-line text ("no differences" for identical models).
import { elementCount } from '../onnx/model';
import type { DiffSummary, ModelDiff, TensorDiff } from './types';

const CHANGED: ReadonlySet<TensorDiff['status']> = new Set(['values', 'shape', 'dtype']);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Parameters and nonzeros of one side, over the weights it has. */
function sideTotals(tensors: TensorDiff[], which: 'A' | 'B'): { params: number; nonzeros: number } {
  let params = 0;
  let nonzeros = 0;
  for (const t of tensors) {
    const dims = which === 'A' ? t.dimsA : t.dimsB;
    if (!dims) continue;
    const n = elementCount(dims);
    params += n;
    nonzeros += n - ((which === 'A' ? t.zerosA : t.zerosB) ?? 0);
  }
  return { params, nonzeros };
}

export function summarize(d: Omit<ModelDiff, 'summary'>, nodesA: number, nodesB: number): DiffSummary {
  const count = (how: string): number => d.nodes.filter((n) => n.how === how).length;
  const changed = d.nodes.filter((n) => n.changed).length;
  const A = sideTotals(d.tensors, 'A');
  const B = sideTotals(d.tensors, 'B');
  const s: DiffSummary = {
    nodesA,
    nodesB,
    matchedByName: count('name'),
    matchedByNeighbours: count('neighbours'),
    matchedByPosition: count('position'),
    added: d.added.length,
    removed: d.removed.length,
    changed,
    unchanged: d.nodes.length - changed,
    tensorsCompared: d.tensors.filter((t) => t.nameA !== undefined && t.nameB !== undefined).length,
    tensorsChanged: d.tensors.filter((t) => CHANGED.has(t.status)).length,
    tensorsAdded: d.tensors.filter((t) => t.status === 'added').length,
    tensorsRemoved: d.tensors.filter((t) => t.status === 'removed').length,
    tensorsRenamed: d.tensors.filter((t) => t.status === 'unchanged' && t.nameA !== t.nameB).length,
    inputsChanged: d.inputs.filter((v) => v.status !== 'unchanged').length,
    outputsChanged: d.outputs.filter((v) => v.status !== 'unchanged').length,
    paramsA: A.params,
    paramsB: B.params,
    nonzerosA: A.nonzeros,
    nonzerosB: B.nonzeros,
    identical: false,
    text: '',
  };
  const parts: string[] = [];
  if (s.changed > 0) parts.push(`${plural(s.changed, 'node')} changed`);
  if (s.added > 0) parts.push(`${plural(s.added, 'node')} added`);
  if (s.removed > 0) parts.push(`${plural(s.removed, 'node')} removed`);
  if (s.tensorsChanged > 0) parts.push(`${plural(s.tensorsChanged, 'tensor')} changed`);
  if (s.tensorsAdded > 0) parts.push(`${plural(s.tensorsAdded, 'tensor')} added`);
  if (s.tensorsRemoved > 0) parts.push(`${plural(s.tensorsRemoved, 'tensor')} removed`);
  if (s.tensorsRenamed > 0) parts.push(`${plural(s.tensorsRenamed, 'tensor')} renamed`);
  if (s.inputsChanged > 0) parts.push(`${plural(s.inputsChanged, 'graph input')} differ`);
  if (s.outputsChanged > 0) parts.push(`${plural(s.outputsChanged, 'graph output')} differ`);
  s.identical = parts.length === 0;
  s.text = s.identical ? 'no differences' : parts.join(', ');
  return s;
}
