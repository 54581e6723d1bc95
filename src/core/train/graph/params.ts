// Which tensors fine-tuning trains, whether a model can be fine-tuned, and the trained values
// written back into the model.
import { DataType, type Model } from '../../onnx/model';
import { compileGraph, forward, InputShapeUnknown, logitsOf, type GraphNet } from './graph-net';
import { withoutGemmWasm } from './gemm-wasm';
import { sizeOf } from './value';

/** The selected weights, plus the biases of Conv / Gemm and the scale and bias of BatchNormalization (float32 initializers). */
export function trainableTensors(model: Model, selected: readonly string[]): string[] {
  const floats = new Set(model.graph.initializers.filter((t) => t.dataType === DataType.FLOAT).map((t) => t.name));
  const out = new Set(selected);
  for (const n of model.graph.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    const take = (i: number): void => {
      const name = n.inputs[i];
      if (name !== undefined && floats.has(name)) out.add(name);
    };
    if (n.opType === 'Conv' || n.opType === 'Gemm') take(2);
    if (n.opType === 'BatchNormalization') {
      take(1);
      take(2);
    }
  }
  return [...out];
}

/**
 * Why fine-tuning cannot train `model` with `selected` pruned: the first node it cannot
 * differentiate (op type and name) or tensor it cannot train, ending "; try reconstruct";
 * undefined when it can. Compiles the graph and, when the input's sample dims are known, runs one
 * zero sample through it, on the model's own weights and with the plain JS products (no copy of any weight).
 */
export function finetuneProblem(model: Model, selected: string[]): string | undefined {
  try {
    const net = compileGraph(model, trainableTensors(model, selected), undefined, false);
    const one = new Float32Array(sizeOf(net.sampleDims));
    withoutGemmWasm(() => logitsOf(net, forward(net, one, 1)));
    return undefined;
  } catch (e) {
    // Symbolic sample dims: the ops are fine; the training set's shape is checked when it comes.
    if (e instanceof InputShapeUnknown) return undefined;
    return `${(e as Error).message}; try reconstruct`;
  }
}

/** Float32 of a kept weight, never exactly zero (so the zero count equals the pruned count). */
function nonZero(v: number): number {
  return v !== 0 ? v : 1.401298464324817e-45;
}

/**
 * A new Model whose trainable initializers hold the net's values; masked entries exactly 0, kept
 * entries of masked tensors never 0. The input model is not modified.
 */
export function withTrainedParams(model: Model, net: GraphNet, masks: Map<string, Uint8Array>): Model {
  const initializers = model.graph.initializers.map((t) => {
    const p = net.params.get(t.name);
    if (p === undefined) return t;
    const data = p.data.slice();
    const m = masks.get(t.name);
    if (m !== undefined) for (let i = 0; i < data.length; i++) data[i] = m[i] === 0 ? 0 : nonZero(data[i]);
    return { ...t, dims: [...t.dims], data };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}
