// The deployment question: the facts of the file a point exports (parameters, nonzero ones, MACs at
// batch 1, the bytes of the dense and of the sparse export), and its onnxruntime time beside the
// unpruned model's measured in the same request.
import { constantTensor } from '../analysis/constants';
import { walkGraphs } from '../analysis/graphs';
import { modelMacs } from '../analysis/macs';
import { paramCount } from '../analysis/params';
import { countZeros } from '../analysis/zeros';
import { encodeModel } from '../onnx/encode';
import { elementCount, type Model } from '../onnx/model';
import { toSparseInitializers } from '../prune/sparse';
import type { EvalPoint, ExportedFacts, OriginalMeasure, RuntimeMeasure } from './types';

/** Elements that are not zero in every initializer, sparse initializer and Constant value (all graphs). */
export function nonzeroParamCount(model: Model): number {
  let n = 0;
  walkGraphs(model.graph, (g) => {
    for (const t of g.initializers) n += elementCount(t.dims) - countZeros(t);
    for (const s of g.sparseInitializers) n += elementCount(s.values.dims) - countZeros(s.values);
    for (const node of g.nodes) {
      const t = constantTensor(node);
      if (t) n += elementCount(t.dims) - countZeros(t);
      else {
        const a = node.attributes.find((x) => x.type === 'sparse_tensor' && x.name === 'sparse_value');
        if (a && a.type === 'sparse_tensor') n += elementCount(a.value.values.dims) - countZeros(a.value.values);
      }
    }
  });
  return n;
}

/**
 * The facts of `model` exported: `dense` is its encoded file when the caller has it (else it is
 * encoded here); the sparse export stores `prunedTensors` as COO sparse initializers (the export
 * command's sparse form), encoded to count its bytes.
 */
export function exportedFacts(model: Model, prunedTensors: readonly string[], dense?: Uint8Array): ExportedFacts {
  const macs = modelMacs(model, 1);
  const denseBytes = (dense ?? encodeModel(model)).length;
  let sparseBytes = denseBytes;
  if (prunedTensors.length > 0) {
    try {
      sparseBytes = encodeModel(toSparseInitializers(model, [...prunedTensors])).length;
    } catch {
      // A tensor the sparse form cannot hold (not a float weight): the export command refuses it
      // too, so there is no sparse file; its size is the dense one's.
    }
  }
  return {
    params: paramCount(model.graph),
    nonzeroParams: nonzeroParamCount(model),
    macs: macs.total,
    ...(macs.unknown.length > 0 ? { macsUnknown: macs.unknown.length } : {}),
    denseBytes,
    sparseBytes,
  };
}

/** The onnxruntime figures of the unpruned model from a measure of it. */
export function originalOf(m: RuntimeMeasure | undefined, source: OriginalMeasure['source']): OriginalMeasure {
  if (!m) return { source, unavailable: 'onnxruntime was not measured' };
  if (m.unavailable !== undefined) return { source, unavailable: m.unavailable };
  return {
    source,
    ...(m.batch1Seconds !== undefined ? { batch1Seconds: m.batch1Seconds } : {}),
    ...(m.batchThroughput !== undefined ? { batchThroughput: m.batchThroughput } : {}),
    ...(m.workers !== undefined ? { workers: m.workers } : {}),
  };
}

/**
 * The exported file's onnxruntime time as a multiple of the unpruned model's (below 1: faster), at
 * batch 1 and at the large batch (the inverse ratio of throughputs); undefined where either is missing.
 */
export function ortTimeRatio(point: EvalPoint): { batch1?: number; batch?: number } {
  const o = point.original;
  const m = point.results.find((r) => r.runtime === 'onnxruntime');
  if (!o || o.unavailable !== undefined || !m || m.unavailable !== undefined) return {};
  const out: { batch1?: number; batch?: number } = {};
  if (m.batch1Seconds !== undefined && o.batch1Seconds !== undefined && o.batch1Seconds > 0) out.batch1 = m.batch1Seconds / o.batch1Seconds;
  if (m.batchThroughput !== undefined && o.batchThroughput !== undefined && m.batchThroughput > 0) out.batch = o.batchThroughput / m.batchThroughput;
  return out;
}

/** What users call the onnxruntime figures of a point: the exported file run there. */
export const EXPORTED_ORT_LABEL = 'exported file in onnxruntime';
