// Every weight a model stores (initializers, sparse initializers, Constant-node tensors, in the
// main graph and in subgraphs) and the facts of each: shape, type, parameters, zeros, sparsity.
import { DataType, elementCount, type Graph, type Model, type SparseTensor, type Tensor } from '../onnx/model';
import { dtypeName } from '../onnx/tensor';
import { constantTensor } from './constants';
import { nodeSubgraphs } from './graphs';
import { countZeros } from './zeros';

/** What a table of tensors shows of one tensor. */
export interface TensorFacts {
  name: string;
  dims: number[];
  dataType: number;
  dtype: string;
  /** Elements (a sparse tensor: its dense element count). */
  params: number;
  /** Elements equal to zero (a sparse tensor: the entries not stored plus stored zeros); null when not counted. */
  zeros: number | null;
  /** True when the values live in an external file that was not loaded. */
  external: boolean;
}

export interface FactsOptions {
  /** Count the zeros (default true; false leaves `zeros` null: counting reads every weight). */
  zeros?: boolean;
}

/** The facts of a dense tensor. */
export function tensorFacts(t: Tensor, opts: FactsOptions = {}): TensorFacts {
  return {
    name: t.name,
    dims: t.dims,
    dataType: t.dataType,
    dtype: dtypeName(t.dataType),
    params: elementCount(t.dims),
    zeros: opts.zeros === false ? null : countZeros(t),
    external: t.data === undefined && t.external !== undefined,
  };
}

/** The facts of a sparse tensor: params = dense element count, zeros = the entries not stored plus stored zeros. */
export function sparseTensorFacts(s: SparseTensor, opts: FactsOptions = {}): TensorFacts {
  const params = elementCount(s.dims);
  const stored = elementCount(s.values.dims);
  return {
    name: s.values.name,
    dims: s.dims,
    dataType: s.values.dataType,
    dtype: dtypeName(s.values.dataType),
    params,
    zeros: opts.zeros === false ? null : params - stored + countZeros(s.values),
    external: s.values.data === undefined && s.values.external !== undefined,
  };
}

export type WeightSource = 'initializer' | 'sparse initializer' | 'constant';

export interface WeightEntry {
  /** The dense tensor, or for a sparse initializer its stored values (named after it). */
  tensor: Tensor;
  sparse?: SparseTensor;
  source: WeightSource;
  /** '' for the main graph; for a subgraph the path of node/attribute names leading to it. */
  graph: string;
}

export interface WeightSelection {
  /** List Constant-node tensors (default true). */
  constants?: boolean;
  /** The smallest Constant tensor listed, in elements (default 1). */
  minConstantParams?: number;
}

/**
 * Every stored weight of the model: initializers, sparse initializers and Constant-node tensors
 * (as `selection` says), of the main graph and every subgraph, in graph order.
 */
export function weightEntries(model: Model, selection: WeightSelection = {}): WeightEntry[] {
  const out: WeightEntry[] = [];
  const minConst = selection.minConstantParams ?? 1;
  const visit = (g: Graph, path: string): void => {
    for (const t of g.initializers) out.push({ tensor: t, source: 'initializer', graph: path });
    for (const s of g.sparseInitializers) out.push({ tensor: s.values, sparse: s, source: 'sparse initializer', graph: path });
    g.nodes.forEach((node, i) => {
      if (selection.constants !== false) {
        const t = constantTensor(node);
        if (t && elementCount(t.dims) >= minConst) out.push({ tensor: t, source: 'constant', graph: path });
      }
      for (const s of nodeSubgraphs(node)) {
        const label = node.name !== '' ? node.name : `${node.opType}#${i}`;
        visit(s.graph, `${path === '' ? '' : `${path}/`}${label}.${s.attribute}`);
      }
    });
  };
  visit(model.graph, '');
  return out;
}

/** True for tensors of real numbers (not strings, not complex numbers). */
export function isRealNumeric(t: Tensor): boolean {
  return !Array.isArray(t.data) && t.dataType !== DataType.STRING && t.dataType !== DataType.COMPLEX64 && t.dataType !== DataType.COMPLEX128;
}

/** A weight as a table row. */
export interface WeightRow extends TensorFacts {
  source: WeightSource;
  graph: string;
  /** zeros / params (0 for an empty tensor); null when zeros were not counted. */
  sparsity: number | null;
  /** Real-valued numbers (see isRealNumeric): what statistics and matrix dumps accept. */
  numeric: boolean;
}

/** A weight as a table row (shape, dtype, params, zeros, sparsity, where it lives). */
export function weightRow(w: WeightEntry, opts: FactsOptions = {}): WeightRow {
  const f = w.sparse ? sparseTensorFacts(w.sparse, opts) : tensorFacts(w.tensor, opts);
  const sparsity = f.zeros === null ? null : f.params > 0 ? f.zeros / f.params : 0;
  return { ...f, source: w.source, graph: w.graph, sparsity, numeric: isRealNumeric(w.tensor) };
}

/** weightEntries() as table rows. */
export function weightTable(model: Model, selection: WeightSelection & FactsOptions = {}): WeightRow[] {
  return weightEntries(model, selection).map((w) => weightRow(w, selection));
}

/** Tensors of the main graph by name: initializers and Constant-node outputs (initializers win). */
export function namedWeights(model: Model): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const t of model.graph.initializers) out.set(t.name, t);
  for (const node of model.graph.nodes) {
    const t = constantTensor(node);
    if (t && !out.has(t.name)) out.set(t.name, t);
  }
  return out;
}
