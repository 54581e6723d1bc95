// The fused layer the plan makes from Gemm/MatMul with a constant weight (+ bias Add, + Relu).
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type DenseWeights, denseLinear } from '../kernels/dense';
import { type SparseWeights, sparseLinear } from '../kernels/sparse';
import { size } from '../tensor';
import { type OpImpl, need } from './types';

export function linearOp(w: DenseWeights | SparseWeights, bias: Float32Array | null, relu: boolean, gemm: boolean): OpImpl {
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const r = x.dims.length;
    if (x.dataType !== DataType.FLOAT) throw new RuntimeError(`${ctx.label}: input must be float32, got element type ${x.dataType}`);
    if ((gemm && r !== 2) || r < 1 || x.dims[r - 1] !== w.K) {
      throw new RuntimeError(`${ctx.label}: input [${x.dims.join(', ')}] does not fit the weight [${w.K}, ${w.N}]`);
    }
    const M = size(x.dims) / w.K;
    const y = ctx.out(0, Float32Array, M * w.N) as Float32Array;
    const xd = x.data as Float32Array;
    if (w.kind === 'dense') denseLinear(xd, M, w, bias, relu, y);
    else sparseLinear(xd, M, w, bias, relu, y);
    return [{ dims: [...x.dims.slice(0, -1), w.N], data: y, dataType: DataType.FLOAT }];
  };
}
