// BatchNormalization recalibration: after pruning, the inputs of each BatchNormalization no longer
// have the mean and variance it stores, so its frozen statistics are re-estimated on samples. Each
// batch runs forward with every BatchNormalization normalising by that batch's own statistics (as
// in training mode); the new running mean and variance are the averages over the batches of the
// batch means and of the unbiased batch variances (PyTorch's cumulative average, momentum None).
import { DataType, type Model } from '../../onnx/model';
import { compileGraph, type GraphNet } from './graph-net';
import { sizeOf, type Value } from './value';

/** Per channel mean and biased variance of x [N, C, …], in float64. */
function channelStats(x: Value): { mean: Float64Array; variance: Float64Array; perChannel: number } {
  const [N, C] = x.dims;
  const S = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    let q = 0;
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * S;
      for (let i = o; i < o + S; i++) s += x.data[i];
    }
    const m = s / (N * S);
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * S;
      for (let i = o; i < o + S; i++) q += (x.data[i] - m) ** 2;
    }
    mean[c] = m;
    variance[c] = q / (N * S);
  }
  return { mean, variance, perChannel: N * S };
}

/** The BatchNormalization nodes of the net with the names of their running mean and variance initializers. */
function batchNorms(net: GraphNet): Map<number, { mean: string; variance: string }> {
  const out = new Map<number, { mean: string; variance: string }>();
  net.steps.forEach(({ node }, k) => {
    if (node.opType !== 'BatchNormalization') return;
    const [, , , mean, variance] = node.inputs;
    if (net.fixed.has(mean) && net.fixed.has(variance)) out.set(k, { mean, variance });
  });
  return out;
}

/**
 * A new Model whose BatchNormalization running statistics are re-estimated on `count` samples of
 * `images` (batches of `batch`); `model` is not modified. A model without BatchNormalization is
 * returned as it is. Yields after every batch.
 */
export function* recalibrateBatchNormSteps(model: Model, images: Float32Array, count: number, sampleShape?: number[], batch = 64): Generator<void, Model, void> {
  const net = compileGraph(model, [], sampleShape);
  const bns = batchNorms(net);
  if (bns.size === 0 || count < 1) return model;
  const size = sizeOf(net.sampleDims);
  const sums = new Map<number, { mean: Float64Array; variance: Float64Array }>();
  let batches = 0;
  for (let start = 0; start + 1 < count; start += batch) {
    const n = Math.min(batch, count - start);
    if (n < 2) break;
    const values = new Map<string, Value>(net.fixed);
    values.set(net.input, { dims: [n, ...net.sampleDims], data: images.subarray(start * size, (start + n) * size) });
    net.steps.forEach(({ node, kernel }, k) => {
      const ins = node.inputs.map((i) => (i === '' ? undefined : values.get(i)));
      const bn = bns.get(k);
      if (bn !== undefined) {
        const st = channelStats(ins[0]!);
        const acc = sums.get(k) ?? { mean: new Float64Array(st.mean.length), variance: new Float64Array(st.mean.length) };
        const unbiased = st.perChannel > 1 ? st.perChannel / (st.perChannel - 1) : 1;
        st.mean.forEach((m, c) => {
          acc.mean[c] += m;
          acc.variance[c] += st.variance[c] * unbiased;
        });
        sums.set(k, acc);
        ins[3] = { dims: [st.mean.length], data: Float32Array.from(st.mean) };
        ins[4] = { dims: [st.mean.length], data: Float32Array.from(st.variance) };
      }
      const r = kernel.forward(ins);
      node.outputs.forEach((o, j) => {
        if (o !== '' && r.outputs[j] !== undefined) values.set(o, r.outputs[j]);
      });
    });
    batches++;
    yield;
  }
  const updated = new Map<string, Float32Array>();
  for (const [k, { mean, variance }] of bns) {
    const acc = sums.get(k);
    if (acc === undefined) continue;
    updated.set(mean, Float32Array.from(acc.mean, (v) => v / batches));
    updated.set(variance, Float32Array.from(acc.variance, (v) => v / batches));
  }
  const initializers = model.graph.initializers.map((t) => {
    const data = updated.get(t.name);
    return data === undefined ? t : { ...t, dims: [...t.dims], dataType: DataType.FLOAT, data };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}

/** recalibrateBatchNormSteps run to the end. */
export function recalibrateBatchNorm(model: Model, images: Float32Array, count: number, sampleShape?: number[], batch = 64): Model {
  const g = recalibrateBatchNormSteps(model, images, count, sampleShape, batch);
  for (;;) {
    const r = g.next();
    if (r.done === true) return r.value;
  }
}
