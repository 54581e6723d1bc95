// The deployment question, part one: the facts of the file a point exports (parameters, nonzero
// ones, MACs at batch 1, the bytes of the dense and of the sparse export). Part two, its onnxruntime
// time beside the unpruned model's, is original.ts.
import { constantTensor } from '../analysis/constants';
import { walkGraphs } from '../analysis/graphs';
import { modelMacs } from '../analysis/macs';
import { paramCount } from '../analysis/params';
import { countZeros } from '../analysis/zeros';
import { encodeModel } from '../onnx/encode';
import { elementCount, type Model } from '../onnx/model';
import { toSparseInitializers } from '../prune/sparse';
import type { ExportedFacts } from './types';

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
 * command's sparse form), encoded to count its bytes. `sample`: the evaluated dataset's sample
 * shape, for a model whose shapes depend on it (a language model's sequence length).
 */
export function exportedFacts(model: Model, prunedTensors: readonly string[], dense?: Uint8Array, sample?: readonly number[]): ExportedFacts {
  const macs = modelMacs(model, 1, sample);
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
