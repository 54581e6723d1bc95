// The graph facts channel pruning reads: who produces and consumes each tensor, the constants
// (initializers and Constant-node values, also behind Identity nodes), the shapes (recorded or
// inferred), and small helpers for attributes and labels.
import { elementCount, type Dim, type Model, type Node, type Tensor } from '../../onnx/model';
import { inferShapes } from '../../analysis/shapes';
import { nodeLabel, prunableSources } from '../prunable';

export interface Use {
  node: number;
  slot: number;
}

export interface GraphIndex {
  model: Model;
  nodes: Node[];
  producer: Map<string, number>;
  uses: Map<string, Use[]>;
  outputs: Set<string>;
  constants: Map<string, { tensor: Tensor; node?: number }>;
  shapes: Map<string, Dim[]>;
}

export function opsetOf(model: Model): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13;
}

export function indexGraph(model: Model): GraphIndex {
  const g = model.graph;
  const producer = new Map<string, number>();
  const uses = new Map<string, Use[]>();
  g.nodes.forEach((n, i) => {
    n.outputs.forEach((o) => o !== '' && producer.set(o, i));
    n.inputs.forEach((name, slot) => {
      if (name === '') return;
      const list = uses.get(name) ?? [];
      list.push({ node: i, slot });
      uses.set(name, list);
    });
  });
  const constants = new Map<string, { tensor: Tensor; node?: number }>();
  for (const [name, s] of prunableSources(model)) constants.set(name, { tensor: s.tensor, node: s.node });
  const shapes = new Map<string, Dim[]>();
  for (const [name, t] of inferShapes(g, opsetOf(model))) shapes.set(name, t.shape);
  for (const vi of [...g.inputs, ...g.valueInfo, ...g.outputs]) {
    if (vi.type?.kind === 'tensor' && vi.type.shape !== undefined) shapes.set(vi.name, vi.type.shape);
  }
  for (const [name, c] of constants) shapes.set(name, c.tensor.dims);
  return { model, nodes: g.nodes, producer, uses, outputs: new Set(g.outputs.map((o) => o.name)), constants, shapes };
}

export function label(ix: GraphIndex, node: number): string {
  const n = ix.nodes[node];
  return `${n.opType} node "${nodeLabel(n, node)}"`;
}

export function intAttr(node: Node, name: string, dflt: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a && a.type === 'int' ? Number(a.value) : dflt;
}

export function intsAttr(node: Node, name: string): number[] | undefined {
  const a = node.attributes.find((x) => x.name === name);
  return a && a.type === 'ints' ? a.value.map(Number) : undefined;
}

/** The constant behind a tensor name: itself, or the source of a chain of Identity nodes. */
export function rootConstant(ix: GraphIndex, name: string): string | undefined {
  let cur = name;
  for (let guard = 0; guard < 64; guard++) {
    if (ix.constants.has(cur)) return cur;
    const p = ix.producer.get(cur);
    if (p === undefined || ix.nodes[p].opType !== 'Identity') return undefined;
    cur = ix.nodes[p].inputs[0];
  }
  return undefined;
}

/** The constant's values as numbers (int64 converted), or undefined when not a constant. */
export function constantValues(ix: GraphIndex, name: string): number[] | undefined {
  const root = rootConstant(ix, name);
  const t = root === undefined ? undefined : ix.constants.get(root)?.tensor;
  if (t?.data === undefined || Array.isArray(t.data)) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** Numeric dims of a tensor's shape, or undefined when its rank or a dim is unknown. */
export function numericShape(ix: GraphIndex, name: string): number[] | undefined {
  const s = ix.shapes.get(name);
  if (s === undefined || !s.every((d) => typeof d === 'number')) return undefined;
  return s as number[];
}

export function rankOf(ix: GraphIndex, name: string): number | undefined {
  return ix.shapes.get(name)?.length;
}

/** True when an output beyond the first is consumed or is a graph output. */
export function extraOutputsUsed(ix: GraphIndex, node: number): boolean {
  return ix.nodes[node].outputs.slice(1).some((o) => o !== '' && (ix.uses.has(o) || ix.outputs.has(o)));
}

export function count(dims: readonly number[]): number {
  return elementCount(dims);
}
