// Transformer blocks found by name: the exporter's path-like node names (`/encoder/layer.3/…`,
// `/transformer/h.3/…`, `/blocks.3/…`, `layers_3`) put a node in block 3 of the family
// `/encoder/layer.#`. One rule for the graph view (which draws each run of blocks as one box,
// renderer/views/graph/blocks.ts) and for pruning (per-block ratio allocation,
// core/prune/block-allocate.ts). Pure: names in, blocks out.
import type { Model } from '../onnx/model';

const FAMILY = /^(.*?)[._](\d+)$/;

/** `/encoder/layer.3/attention/MatMul` → family `/encoder/layer.#`, number 3, label `encoder layer`. */
export function nameBlock(name: string): { family: string; number: number; label: string } | undefined {
  const parts = name.split('/');
  for (let k = 0; k < parts.length - 1; k++) {
    const m = FAMILY.exec(parts[k]);
    if (!m || m[1] === '') continue;
    const word = m[1].replace(/[._]/g, ' ');
    const parent = parts.slice(0, k).filter((p) => p !== '').pop();
    const label = parent && !FAMILY.test(parent) && parent.replace(/[._]/g, ' ') !== word ? `${parent.replace(/[._]/g, ' ')} ${word}` : word;
    return { family: [...parts.slice(0, k), `${m[1]}.#`].join('/'), number: Number(m[2]), label };
  }
  return undefined;
}

/** One block's weight tensors: `family` with `#` replaced by `number` names it (`/blocks.3`). */
export interface WeightBlock {
  name: string;
  family: string;
  number: number;
  tensors: string[];
}

/**
 * The weight tensors of `tensors` grouped by the block of the nodes that read them, blocks of the
 * family with the most blocks (ties: the first met) in block order; the others, in no block (an
 * embedding, a head, a tensor read by nodes of two blocks) or in a smaller family, are `outside`.
 */
export function weightBlocks(model: Model, tensors: readonly string[]): { blocks: WeightBlock[]; outside: string[] } {
  const wanted = new Set(tensors);
  const blockOf = new Map<string, { family: string; number: number } | null>();
  for (const n of model.graph.nodes) {
    const b = nameBlock(n.name);
    for (const i of n.inputs) {
      if (!wanted.has(i)) continue;
      const prev = blockOf.get(i);
      const same = prev !== undefined && prev !== null && b !== undefined && prev.family === b.family && prev.number === b.number;
      blockOf.set(i, prev === undefined && b !== undefined ? { family: b.family, number: b.number } : same ? prev : null);
    }
  }
  const families = new Map<string, Map<number, string[]>>();
  for (const t of tensors) {
    const b = blockOf.get(t);
    if (b === undefined || b === null) continue;
    const f = families.get(b.family) ?? new Map<number, string[]>();
    families.set(b.family, f);
    f.set(b.number, [...(f.get(b.number) ?? []), t]);
  }
  let best: [string, Map<number, string[]>] | undefined;
  for (const e of families) if (best === undefined || e[1].size > best[1].size) best = e;
  const blocks: WeightBlock[] = best === undefined ? [] : [...best[1].entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([number, list]) => ({ name: best[0].replace(/#$/, String(number)), family: best[0], number, tensors: list }));
  const inBlocks = new Set(blocks.flatMap((b) => b.tensors));
  return { blocks, outside: tensors.filter((t) => !inBlocks.has(t)) };
}
