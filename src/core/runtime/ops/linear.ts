// The fused layer the plan makes from Gemm/MatMul with a constant weight (+ bias Add, + Relu).
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { type DenseWeights, denseLinear } from '../kernels/dense';
import { type SparseWeights, sparseLinear } from '../kernels/sparse';
import { WasmLayer } from '../kernels/wasm';
import { size } from '../tensor';
import { type OpImpl, need } from './types';

/** y = x · W (+ bias) (then ReLU) for M rows of x; y holds M × N. */
export type LayerKernel = (x: Float32Array, M: number, y: Float32Array) => void;

/** The kernel for one layer: WebAssembly when available and wanted, else plain JS. */
export function layerKernel(
  w: DenseWeights | SparseWeights, bias: Float32Array | null, relu: boolean, wasm: boolean,
): { run: LayerKernel; engine: 'wasm' | 'js' } {
  const wl = wasm ? (w.kind === 'dense' ? WasmLayer.dense(w) : WasmLayer.sparse(w)) : undefined;
  if (wl) return { run: (x, M, y) => wl.apply(x, M, bias, relu, y), engine: 'wasm' };
  if (w.kind === 'dense') return { run: (x, M, y) => denseLinear(x, M, w, bias, relu, y), engine: 'js' };
  return { run: (x, M, y) => sparseLinear(x, M, w, bias, relu, y), engine: 'js' };
}

export function linearOp(K: number, N: number, kernel: LayerKernel, gemm: boolean): OpImpl {
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const r = x.dims.length;
    if (x.dataType !== DataType.FLOAT) throw new RuntimeError(`${ctx.label}: input must be float32, got element type ${x.dataType}`);
    if ((gemm && r !== 2) || r < 1 || x.dims[r - 1] !== K) {
      throw new RuntimeError(`${ctx.label}: input [${x.dims.join(', ')}] does not fit the weight [${K}, ${N}]`);
    }
    const M = size(x.dims) / K;
    const y = ctx.out(0, Float32Array, M * N) as Float32Array;
    kernel(x.data as Float32Array, M, y);
    return [{ dims: [...x.dims.slice(0, -1), N], data: y, dataType: DataType.FLOAT }];
  };
}
