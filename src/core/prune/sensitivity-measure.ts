// Accuracy and mean cross-entropy of a model's first output on labelled samples, and the feeds of
// the one float input in chunks: what sensitivity analysis and allocation measure.
import { DataType, type Model } from '../onnx/model';
import { Session, type IoInfo } from '../runtime';
import { batchDims } from '../runtime/input-dims';
import type { RtTensor } from '../runtime/tensor';
import { argmax } from '../eval/evaluate';
import type { EvalData } from '../eval/types';
import { PruneError } from './types';
import type { AccuracyLoss } from './sensitivity-report';

/**
 * Samples per run of the runtime: 1,000 for a model without convolutions (a Gemm chain runs faster
 * on larger batches), 250 with them (bounds the memory of a CNN's activations).
 */
export function chunkFor(model: Model): number {
  return model.graph.nodes.some((n) => n.opType.startsWith('Conv')) ? 250 : 1000;
}


/** Running sums of correct answers and cross-entropy over chunks of outputs. */
export class ScoreSum {
  correct = 0;
  loss = 0;
  count = 0;
  constructor(private readonly probabilities: boolean) {}

  add(out: ArrayLike<number>, batch: number, labels: ArrayLike<number>, first: number): void {
    const per = out.length / batch;
    for (let k = 0; k < batch; k++) {
      const from = k * per;
      const label = labels[first + k];
      if (argmax(out, from, per) === label) this.correct++;
      if (this.probabilities) {
        this.loss -= Math.log(Math.max(out[from + label], 1e-30));
      } else {
        let max = -Infinity;
        for (let j = 0; j < per; j++) if (out[from + j] > max) max = out[from + j];
        let sum = 0;
        for (let j = 0; j < per; j++) sum += Math.exp(out[from + j] - max);
        this.loss += max + Math.log(sum) - out[from + label];
      }
      this.count++;
    }
  }

  result(): AccuracyLoss {
    return { accuracy: this.correct / this.count, loss: this.loss / this.count };
  }
}

/** True when the first graph output is a Softmax's (probabilities, not logits). */
export function outputIsProbability(model: Model): boolean {
  const out = model.graph.outputs[0]?.name;
  const node = model.graph.nodes.find((n) => n.outputs.includes(out));
  return node !== undefined && node.opType === 'Softmax';
}

/** The model's one float input, as a session reads it from the graph (refuses models with several inputs). */
export function floatInput(model: Model, label: string): IoInfo {
  const init = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((v) => !init.has(v.name));
  if (inputs.length !== 1) throw new PruneError(`${label}: sensitivity needs a model with one input, this one has ${inputs.length}`, 'unsupported');
  const t = inputs[0].type;
  const info: IoInfo = t?.kind === 'tensor' ? { name: inputs[0].name, dims: t.shape ? [...t.shape] : [], dataType: t.elemType } : { name: inputs[0].name, dims: [], dataType: DataType.UNDEFINED };
  if (info.dataType !== DataType.FLOAT && info.dataType !== DataType.UNDEFINED) throw new PruneError(`${label}: input "${info.name}" is not float32`, 'unsupported');
  return info;
}

/** The input tensor of samples [first, first + batch) with the declared dims (runtime/input-dims.ts: batchDims). */
export function inputFeed(info: IoInfo, data: EvalData, first: number, batch: number): RtTensor {
  const values = data.images.subarray(first * data.sampleSize, (first + batch) * data.sampleSize);
  const dims = batchDims(info.dims, batch, data.sampleSize, data.sampleShape);
  if (dims === undefined) {
    const shape = data.sampleShape !== undefined ? ` [${data.sampleShape.join(', ')}]` : '';
    throw new PruneError(`samples of ${data.sampleSize} values${shape} do not fit input "${info.name}" [${info.dims.join(', ')}]`, 'bad-dataset');
  }
  return { dims, data: values, dataType: DataType.FLOAT };
}

/** Accuracy and loss of `model` (whole) on the first `n` samples, in chunks, with the given kernels. */
export function measureModel(model: Model, data: EvalData, n: number, label: string, kernels: 'dense' | 'sparse' = 'sparse'): AccuracyLoss {
  const session = Session.create(model, { kernels, label });
  const chunk = chunkFor(model);
  const info = floatInput(model, label);
  const sum = new ScoreSum(outputIsProbability(model));
  const out = session.outputs[0].name;
  for (let first = 0; first < n; first += chunk) {
    const b = Math.min(chunk, n - first);
    const res = session.run({ [info.name]: inputFeed(info, data, first, b) })[out];
    sum.add(res.data as ArrayLike<number>, b, data.labels, first);
  }
  return sum.result();
}
