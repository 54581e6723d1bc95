// The execution plan: nodes in dependency order, initializer-only subgraphs folded to constants,
// and Gemm/MatMul with a constant weight turned into fused layers (bias, ReLU) with dense or
// sparse weights.
import { DataType, type Model, type Node } from '../onnx/model';
import { type ConvLayerDetail, fuseConvAt, globalAveragePoolOp } from './conv-plan';
import { RuntimeError } from './errors';
import { type DenseWeights, transpose2d } from './kernels/dense';
import { type SparseWeights, sparsityOf, toSparse } from './kernels/sparse';
import { chainKernel, linearOp } from './ops/linear';
import { type OpContext, type OpImpl, floatAttr, intAttr } from './ops/types';
import { OPS, isDefaultDomain } from './registry';
import { activationOp, fuseGatedAt, gatedOf } from './unary-plan';
import { geluAt, geluTanhAt, layerNormAt } from './transformer-plan';
import { type SoleUser, readersOf } from './readers';
import { type RtCtor, type RtData, type RtTensor, fromModelTensor, fromSparseTensor, size } from './tensor';

export interface PlanOptions {
  kernels: 'dense' | 'sparse';
  /**
   * With sparse kernels: layers at least this sparse take them. Unset, linear layers take them from
   * 0 and conv layers by a measured cost model (conv-run.ts sparseConvPays).
   */
  sparseMinSparsity?: number;
  /** Use the WebAssembly layer kernels where available (default true). */
  wasm?: boolean;
}

export interface Step {
  impl: OpImpl;
  /** Value slots of the inputs; -1 for an omitted optional input. */
  ins: number[];
  outs: number[];
  ctx: OpContext;
  /** Reused argument array (shared by the steps with as many inputs: steps run one at a time). */
  args: (RtTensor | undefined)[];
}

/** A fused layer, described for callers that want to know what the plan did. */
export interface LayerInfo {
  /** A Gemm/MatMul layer (K inputs, N outputs) or a Conv (K weights per output channel, N output channels). */
  kind: 'linear' | 'conv';
  nodes: string[];
  K: number;
  N: number;
  kernel: 'dense' | 'sparse';
  /** Where the layer's inner loops run. */
  engine: 'wasm' | 'js';
  sparsity: number;
  relu: boolean;
  bias: boolean;
  /**
   * WebAssembly linear layers alone in their chain: the kernel of calls with many rows (a
   * transformer's tokens; kernels/matmul-rows.ts), dense 'gemm' or sparse 'csr'.
   */
  rows?: 'gemm' | 'csr';
  /** Conv layers only: group, kernel, folded BatchNormalization, activation clamp. */
  conv?: ConvLayerDetail;
}

export interface Plan {
  slots: Map<string, number>;
  /** Constant values by slot (initializers and folded results); undefined for computed values. */
  constants: (RtTensor | undefined)[];
  steps: Step[];
  layers: LayerInfo[];
  folded: number;
}

export function defaultOpset(model: Model): number {
  const imp = model.opsetImports.find((o) => isDefaultDomain(o.domain));
  return imp ? imp.version : 1;
}

function label(node: Node): string {
  return `${node.opType} "${node.name}"`;
}

/** Nodes in an order where each runs after the nodes producing its inputs (file order is not trusted). */
export function topoSort(nodes: readonly Node[], available: ReadonlySet<string>, where: string): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const pending = new Uint32Array(nodes.length);
  // Who waits for each node (CSR-free: a list only for nodes that have users).
  const users: (number[] | undefined)[] = new Array<number[] | undefined>(nodes.length);
  nodes.forEach((n, i) => {
    // Each distinct input once (a Set only for the rare node with many inputs).
    const ins = n.inputs.length <= 8 ? n.inputs : [...new Set(n.inputs)];
    for (let k = 0; k < ins.length; k++) {
      const inp = ins[k];
      if (inp === '' || available.has(inp) || ins.indexOf(inp) !== k) continue;
      const p = producer.get(inp);
      if (p === undefined) throw new RuntimeError(`${where}: ${label(n)} reads "${inp}", which no node, input or initializer provides`);
      pending[i]++;
      const u = users[p];
      if (u) u.push(i);
      else users[p] = [i];
    }
  });
  const ready: number[] = [];
  pending.forEach((c, i) => c === 0 && ready.push(i));
  const order: Node[] = [];
  for (let r = 0; r < ready.length; r++) {
    const i = ready[r];
    order.push(nodes[i]);
    const u = users[i];
    if (u) for (const j of u) if (--pending[j] === 0) ready.push(j);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => pending[i] > 0).map(label);
    throw new RuntimeError(`${where}: the graph has a cycle through ${stuck.slice(0, 5).join(', ')}`);
  }
  return order;
}

/**
 * A step's context: small, because a plan holds one per node (200,000 Identity nodes must not
 * cost a closure, a label string and a buffer cache each). The label is made when asked (errors),
 * the buffer cache on the first output.
 */
class StepContext implements OpContext {
  private cache: (RtData | undefined)[] | undefined;
  private text: string | undefined;

  constructor(readonly node: Node, readonly opset: number) {}

  get label(): string {
    return (this.text ??= label(this.node));
  }

  set label(value: string) {
    this.text = value;
  }

  out(slot: number, ctor: RtCtor, length: number): RtData {
    const cache = (this.cache ??= []);
    const c = cache[slot];
    if (c && c.constructor === ctor && c.length === length) return c;
    const a = new ctor(length);
    cache[slot] = a;
    return a;
  }
}

function makeCtx(node: Node, opset: number): OpContext {
  return new StepContext(node, opset);
}

/** A throwaway context for constant folding (never reuses buffers). */
function foldCtx(node: Node, opset: number): OpContext {
  return { node, opset, label: label(node), out: (_slot, ctor, length) => new ctor(length) };
}

const FOLD_LIMIT = 1 << 22;

export function buildPlan(model: Model, options: PlanOptions, where: string): Plan {
  const g = model.graph;
  const opset = defaultOpset(model);
  const known = new Map<string, RtTensor>();
  for (const t of g.initializers) known.set(t.name, fromModelTensor(t, where));
  for (const s of g.sparseInitializers) known.set(s.values.name, fromSparseTensor(s, where));
  const inputNames = g.inputs.map((i) => i.name).filter((n) => !known.has(n));
  const available = new Set<string>([...known.keys(), ...inputNames]);
  const order = topoSort(g.nodes, available, where);
  const outputs = new Set(g.outputs.map((o) => o.name));

  // Constant folding: a node whose inputs are all constant runs now, once.
  const live: Node[] = [];
  let folded = 0;
  for (const node of order) {
    let constIn = true;
    let inSize = 0;
    for (const i of node.inputs) {
      if (i === '') continue;
      const k = known.get(i);
      if (!k) {
        constIn = false;
        break;
      }
      inSize += size(k.dims);
    }
    if (constIn && inSize <= FOLD_LIMIT && node.opType !== 'Dropout') {
      const res = OPS[node.opType](node.inputs.map((i) => (i === '' ? undefined : known.get(i))), foldCtx(node, opset));
      node.outputs.forEach((o, k) => {
        const r = res[k];
        if (o !== '' && r) known.set(o, r);
      });
      folded++;
    } else {
      live.push(node);
    }
  }

  const { soleUser, twoReaders, reads } = readersOf(live, outputs);
  const gated = (x: string): ReturnType<typeof gatedOf> => gatedOf(x, twoReaders, soleUser);

  const slots = new Map<string, number>();
  const slot = (name: string): number => {
    let s = slots.get(name);
    if (s === undefined) {
      s = slots.size;
      slots.set(name, s);
    }
    return s;
  };
  for (const n of inputNames) slot(n);
  const steps: Step[] = [];
  // Steps run one at a time and no op keeps its argument array, so steps of one arity share one.
  const argArrays: (RtTensor | undefined)[][] = [];
  const argsOf = (n: number): (RtTensor | undefined)[] => (argArrays[n] ??= new Array<RtTensor | undefined>(n).fill(undefined));
  const absorbed = new Set<Node>();
  // Consecutive fused layers where each output feeds only the next layer run as one chain step.
  const chains: { step: Step; layers: Fused[]; out: string }[] = [];
  const convLayers: LayerInfo[] = [];
  // Values computed by the steps so far (a fused conv may add a residual only from these).
  const produced = new Set<string>(inputNames);
  const ready = (name: string): boolean => known.has(name) || produced.has(name);
  for (const node of live) {
    if (absorbed.has(node)) continue;
    const conv = fuseConvAt(node, known, soleUser, options, opset, ready, gated);
    if (conv) {
      conv.absorbed.forEach((n) => absorbed.add(n));
      for (const n of [node, ...conv.absorbed]) n.outputs.forEach((o) => produced.add(o));
      const ctx = makeCtx(conv.head, opset);
      const also = [node, ...conv.absorbed].filter((n) => n !== conv.head);
      if (also.length) ctx.label = `${label(conv.head)} (+${also.map((n) => n.opType).join('+')})`;
      steps.push({ impl: conv.impl, ins: conv.ins.map(slot), outs: [slot(conv.out)], ctx, args: argsOf(conv.ins.length) });
      convLayers.push({
        kind: 'conv', nodes: conv.nodes, K: conv.K, N: conv.M, kernel: conv.sparse ? 'sparse' : 'dense', engine: conv.engine,
        sparsity: conv.sparsity, relu: conv.detail.activation === 'relu', bias: conv.bias, conv: conv.detail,
      });
      continue;
    }
    const gate = isDefaultDomain(node.domain) ? fuseGatedAt(node, soleUser, options.wasm !== false) : undefined;
    if (gate) {
      absorbed.add(gate.mul);
      for (const n of [node, gate.mul]) n.outputs.forEach((o) => produced.add(o));
      const ctx = makeCtx(node, opset);
      ctx.label = `${label(node)} (+Mul)`;
      steps.push({ impl: gate.impl, ins: [slot(node.inputs[0])], outs: [slot(gate.mul.outputs[0])], ctx, args: argsOf(1) });
      continue;
    }
    const pattern = isDefaultDomain(node.domain) ? (layerNormAt(node, known, soleUser, twoReaders) ?? geluAt(node, known, soleUser) ?? geluTanhAt(node, known, soleUser)) : undefined;
    if (pattern) {
      pattern.absorbed.forEach((n) => absorbed.add(n));
      for (const n of [node, ...pattern.absorbed]) n.outputs.forEach((o) => produced.add(o));
      const ctx = makeCtx(pattern.node, opset);
      ctx.label = `${label(node)} (+${pattern.absorbed.map((n) => n.opType).join('+')})`;
      const impl = activationOp(pattern.node, options.wasm !== false) ?? pattern.impl;
      steps.push({ impl, ins: pattern.ins.map(slot), outs: [slot(pattern.out)], ctx, args: argsOf(pattern.ins.length) });
      continue;
    }
    const layer = fuseLayer(node, known, soleUser, options);
    for (const n of [node, ...(layer ? layer.absorbed : [])]) n.outputs.forEach((o) => produced.add(o));
    if (layer) {
      layer.absorbed.forEach((n) => absorbed.add(n));
      const last = layer.absorbed.length > 0 ? layer.absorbed[layer.absorbed.length - 1] : node;
      const out = last.outputs[0];
      const open = chains[chains.length - 1];
      const feeds = open && steps[steps.length - 1] === open.step && node.inputs[0] === open.out && !outputs.has(open.out) &&
        reads(open.out) === 1;
      if (feeds) {
        open.layers.push(layer);
        open.out = out;
        open.step.outs[0] = slot(out);
        open.step.ctx.label += ` → ${label(node)}`;
        continue;
      }
      const ctx = makeCtx(node, opset);
      ctx.label = `${label(node)}${layer.absorbed.length ? ` (+${layer.absorbed.map((n) => n.opType).join('+')})` : ''}`;
      const step: Step = { impl: () => [], ins: [slot(node.inputs[0])], outs: [slot(out)], ctx, args: argsOf(1) };
      steps.push(step);
      chains.push({ step, layers: [layer], out });
      continue;
    }
    const ins = node.inputs.map((i) => (i === '' ? -1 : slot(i)));
    const impl = (isDefaultDomain(node.domain) && ((node.opType === 'GlobalAveragePool' && globalAveragePoolOp(options)) || activationOp(node, options.wasm !== false))) || OPS[node.opType];
    steps.push({ impl, ins, outs: node.outputs.map((o) => (o === '' ? -1 : slot(o))), ctx: makeCtx(node, opset), args: argsOf(ins.length) });
  }
  const layers: LayerInfo[] = convLayers;
  for (const c of chains) {
    const k = chainKernel(c.layers, options.wasm !== false);
    const first = c.layers[0].weights;
    c.step.impl = linearOp(first.K, c.layers[c.layers.length - 1].weights.N, k.run, c.layers[0].gemm);
    for (const l of c.layers) {
      layers.push({
        kind: 'linear',
        nodes: l.nodes,
        K: l.weights.K,
        N: l.weights.N,
        kernel: l.weights.kind,
        engine: k.engine,
        sparsity: l.sparsity,
        relu: l.relu,
        bias: l.bias !== null,
        ...(k.rows ? { rows: k.rows } : {}),
      });
    }
  }
  for (const o of outputs) slot(o);
  const constants: (RtTensor | undefined)[] = new Array(slots.size).fill(undefined);
  for (const [name, s] of slots) constants[s] = known.get(name);
  const computed = new Set<string>(inputNames);
  for (const n of live) for (const o of n.outputs) computed.add(o);
  for (const o of outputs) {
    if (!known.has(o) && !computed.has(o)) {
      throw new RuntimeError(`${where}: graph output "${o}" is produced by no node`);
    }
  }
  return { slots, constants, steps, layers, folded };
}

interface Fused {
  weights: DenseWeights | SparseWeights;
  bias: Float32Array | null;
  relu: boolean;
  /** Gemm semantics (2-D input required) rather than MatMul's (any rank). */
  gemm: boolean;
  absorbed: Node[];
  /** The layer's node names (the Gemm/MatMul first). */
  nodes: string[];
  sparsity: number;
}

function fuseLayer(
  node: Node,
  known: Map<string, RtTensor>,
  soleUser: SoleUser,
  options: PlanOptions,
): Fused | undefined {
  if (node.opType !== 'Gemm' && node.opType !== 'MatMul') return undefined;
  const b = known.get(node.inputs[1]);
  if (!b || b.dataType !== DataType.FLOAT || b.dims.length !== 2 || known.has(node.inputs[0])) return undefined;
  let w: Float32Array;
  let K: number;
  let N: number;
  let bias: Float32Array | null = null;
  const absorbed: Node[] = [];
  let out = node.outputs[0];
  const gemm = node.opType === 'Gemm';
  if (gemm) {
    if (intAttr(node, 'transA', 0) !== 0) return undefined;
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    const transB = intAttr(node, 'transB', 0) === 1;
    [K, N] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    const bd = b.data as Float32Array;
    w = transB ? transpose2d(bd, N, K, new Float32Array(K * N)) : Float32Array.from(bd);
    if (alpha !== 1) for (let i = 0; i < w.length; i++) w[i] *= alpha;
    const cName = node.inputs[2];
    if (cName && beta !== 0) {
      const c = known.get(cName);
      if (!c || c.dataType !== DataType.FLOAT) return undefined;
      const n = size(c.dims);
      const rowShaped = c.dims.length <= 1 || (c.dims.length === 2 && c.dims[0] === 1);
      if (!rowShaped || (n !== N && n !== 1)) return undefined;
      bias = new Float32Array(N);
      for (let j = 0; j < N; j++) bias[j] = beta * (c.data as Float32Array)[n === 1 ? 0 : j];
    }
  } else {
    [K, N] = b.dims;
    w = b.data as Float32Array;
    const add = soleUser(out, 'Add');
    if (add) {
      const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
      const c = known.get(other);
      if (c && c.dataType === DataType.FLOAT && size(c.dims) === N && c.dims[c.dims.length - 1] === N && c.dims.length <= 2) {
        bias = Float32Array.from(c.data as Float32Array);
        absorbed.push(add);
        out = add.outputs[0];
      }
    }
  }
  let relu = false;
  const r = soleUser(out, 'Relu');
  if (r) {
    relu = true;
    absorbed.push(r);
  }
  const sparsity = sparsityOf(w);
  const useSparse = options.kernels === 'sparse' && sparsity >= (options.sparseMinSparsity ?? 0);
  const weights: DenseWeights | SparseWeights = useSparse ? toSparse(w, K, N) : { kind: 'dense', K, N, w };
  return { weights, bias, relu, gemm, absorbed, nodes: [node.name, ...absorbed.map((n) => n.name)], sparsity };
}
