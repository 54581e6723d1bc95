// Paired nodes compared: op type, name, attributes (attributes.ts), the shapes of their inputs and
// outputs (recorded in the file, else inferred by core/analysis/shapes, else '?'), and which inputs
// come from somewhere else or carry a changed weight. Graph inputs and outputs compared by name.
import type { Graph, Model, ValueInfo } from '../onnx/model';
import { inferShapes } from '../analysis/shapes';
import { constantTensor } from '../analysis/constants';
import { shapeText, tensorTypeText, typeText } from '../dump/describe';
import { dtypeName } from '../onnx/tensor';
import { attributeChanges } from './attributes';
import type { NodeMatching, NodePair } from './match';
import type { NodeDiff, NodeRef, ShapeDiff, TensorDiff, ValueDiff } from './types';

/** Type text of every tensor of the main graph whose type is recorded or can be inferred. */
export function typeTexts(model: Model): Map<string, string> {
  const g = model.graph;
  const out = new Map<string, string>();
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13;
  for (const [name, t] of inferShapes(g, opset)) out.set(name, dtypeName(t.elemType) + shapeText(t.shape));
  for (const node of g.nodes) {
    const t = constantTensor(node);
    if (t) out.set(t.name, tensorTypeText(t));
  }
  for (const s of g.sparseInitializers) out.set(s.values.name, tensorTypeText({ dataType: s.values.dataType, dims: s.dims }));
  for (const t of g.initializers) out.set(t.name, tensorTypeText(t));
  for (const v of [...g.valueInfo, ...g.inputs, ...g.outputs]) if (v.type) out.set(v.name, typeText(v.type));
  return out;
}

export function nodeRef(g: Graph, index: number): NodeRef {
  const n = g.nodes[index];
  return { index, name: n.name, opType: n.opType };
}

interface Side {
  g: Graph;
  types: Map<string, string>;
  producer: Map<string, number>;
  inputs: Set<string>;
}

function sideOf(model: Model): Side {
  const g = model.graph;
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && !producer.has(o) && producer.set(o, i)));
  return { g, types: typeTexts(model), producer, inputs: new Set(g.inputs.map((v) => v.name)) };
}

/** Compares every paired node. `tensors`: the weight diffs, found by A's (or B's) weight name. */
export function diffNodes(a: Model, b: Model, matching: NodeMatching, tensors: TensorDiff[]): NodeDiff[] {
  const A = sideOf(a);
  const B = sideOf(b);
  const byA = new Map<string, TensorDiff>();
  const byB = new Map<string, TensorDiff>();
  for (const t of tensors) {
    if (t.nameA !== undefined) byA.set(t.nameA, t);
    if (t.nameB !== undefined) byB.set(t.nameB, t);
  }
  const sourceDiffers = (x: string, y: string): boolean => {
    if (x === '' || y === '') return x !== y;
    const tx = byA.get(x);
    const ty = byB.get(y);
    if (tx || ty) return tx !== ty || tx?.status !== 'unchanged';
    const px = A.producer.get(x);
    const py = B.producer.get(y);
    if (px !== undefined || py !== undefined) {
      if (px === undefined || py === undefined || matching.bOfA[px] !== py) return true;
      return A.g.nodes[px].outputs.indexOf(x) !== B.g.nodes[py].outputs.indexOf(y);
    }
    return x !== y || A.inputs.has(x) !== B.inputs.has(y);
  };
  return matching.pairs.map((p: NodePair) => {
    const na = a.graph.nodes[p.a];
    const nb = b.graph.nodes[p.b];
    const d: NodeDiff = { a: nodeRef(a.graph, p.a), b: nodeRef(b.graph, p.b), how: p.how, changed: false, attributes: attributeChanges(na, nb), shapes: [], changedInputs: [] };
    if (na.name !== nb.name) d.name = { before: na.name, after: nb.name };
    if (na.opType !== nb.opType || (na.domain || 'ai.onnx') !== (nb.domain || 'ai.onnx')) {
      const q = (n: typeof na): string => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType);
      d.opType = { before: q(na), after: q(nb) };
    }
    const inputs = Math.max(na.inputs.length, nb.inputs.length);
    for (let i = 0; i < inputs; i++) if (sourceDiffers(na.inputs[i] ?? '', nb.inputs[i] ?? '')) d.changedInputs.push(i);
    const shapes = (kind: ShapeDiff['kind'], xs: string[], ys: string[]): void => {
      const n = Math.min(xs.length, ys.length);
      for (let i = 0; i < n; i++) {
        if (xs[i] === '' || ys[i] === '') continue;
        const before = A.types.get(xs[i]) ?? '?';
        const after = B.types.get(ys[i]) ?? '?';
        if (before !== after) d.shapes.push({ kind, position: i, tensorA: xs[i], tensorB: ys[i], before, after });
      }
    };
    shapes('input', na.inputs, nb.inputs);
    shapes('output', na.outputs, nb.outputs);
    const constant = na.opType === 'Constant' ? byA.get(na.outputs[0] ?? '') : undefined;
    d.changed =
      d.name !== undefined ||
      d.opType !== undefined ||
      d.attributes.length > 0 ||
      d.changedInputs.length > 0 ||
      d.shapes.length > 0 ||
      na.outputs.length !== nb.outputs.length ||
      (constant !== undefined && constant.status !== 'unchanged');
    return d;
  });
}

/** Graph inputs (or outputs) compared by name and type text. */
export function diffValues(xs: ValueInfo[], ys: ValueInfo[]): ValueDiff[] {
  const inB = new Map(ys.map((v) => [v.name, v] as const));
  const out: ValueDiff[] = [];
  for (const x of xs) {
    const y = inB.get(x.name);
    const before = typeText(x.type);
    if (!y) out.push({ name: x.name, status: 'removed', before });
    else {
      const after = typeText(y.type);
      out.push({ name: x.name, status: before === after ? 'unchanged' : 'changed', before, after });
    }
  }
  const inA = new Set(xs.map((v) => v.name));
  for (const y of ys) if (!inA.has(y.name)) out.push({ name: y.name, status: 'added', after: typeText(y.type) });
  return out;
}
