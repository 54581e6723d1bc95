// Static shape inference: the element type and shape of the intermediate tensors a model does not
// record (torch.onnx.export and paddle2onnx usually write no value_info), so the graph view can label
// its edges and the properties panel show their types. A forward pass in dependency order over the
// common ops (one file per op family beside this one); symbolic dims (dim_param, e.g. "N") are
// carried by name. Small integer tensors that hold shapes (Shape → Slice/Gather → Concat → Reshape
// chains) are tracked as dim vectors, small float ones (Resize scales) as numbers. Where a dim cannot
// be known it is null, and where a shape cannot be derived the tensor is left out: never a guessed shape.
import type { DataTypeCode, Dim, Graph, Node } from '../../onnx/model';
import { CONV } from './conv';
import { type InferFn, type Known, type Out, knownTensor } from './dims';
import { ELEMENTWISE } from './elementwise';
import { LINEAR } from './linear';
import { SHAPE_OPS } from './shape-ops';
import { SLICE_OPS } from './slice';
import { TRANSFORMER } from './transformer';

export interface InferredType {
  elemType: DataTypeCode;
  shape: Dim[];
}

const RULES: Readonly<Record<string, InferFn>> = { ...ELEMENTWISE, ...CONV, ...LINEAR, ...SHAPE_OPS, ...SLICE_OPS, ...TRANSFORMER };

/**
 * Infers the type and shape of every node output of `graph` whose shape it does not record (graph
 * inputs, outputs, value_info with a shape, and initializers are taken as given). `opset`: the default domain's version.
 */
export function inferShapes(graph: Graph, opset: number): Map<string, InferredType> {
  const known = new Map<string, Known>();
  const recorded = new Set<string>();
  for (const vi of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) {
    const t = vi.type;
    if (!t || t.kind !== 'tensor' || !t.shape || t.elemTypeAbsent) continue;
    recorded.add(vi.name);
    known.set(vi.name, { t: t.elemType, s: t.shape });
  }
  for (const t of graph.initializers) {
    known.set(t.name, knownTensor(t));
    recorded.add(t.name);
  }
  for (const s of graph.sparseInitializers) {
    known.set(s.values.name, { t: s.values.dataType, s: s.dims });
    recorded.add(s.values.name);
  }

  const inferred = new Map<string, InferredType>();
  for (const node of dependencyOrder(graph.nodes)) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    const rule = RULES[node.opType];
    if (!rule) continue;
    let outs: Out;
    try {
      outs = rule(node, node.inputs.map((i) => (i === '' ? undefined : known.get(i))), opset);
    } catch {
      outs = [];
    }
    node.outputs.forEach((o, k) => {
      const r = outs[k];
      if (o === '' || recorded.has(o)) return;
      if (r && r.s && r.t !== undefined && r.s.every((d) => d === null || typeof d === 'string' || (Number.isInteger(d) && d >= 0))) {
        known.set(o, r);
        inferred.set(o, { elemType: r.t, shape: r.s });
      }
    });
  }
  return inferred;
}

function dependencyOrder(nodes: readonly Node[]): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const state = new Uint8Array(nodes.length);
  const order: Node[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root]) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const n = nodes[top[0]];
      if (top[1] < n.inputs.length) {
        const p = producer.get(n.inputs[top[1]++]);
        if (p !== undefined && state[p] === 0) {
          state[p] = 1;
          stack.push([p, 0]);
        }
        continue;
      }
      stack.pop();
      state[top[0]] = 2;
      order.push(n);
    }
  }
  return order;
}
