// The fused layer the plan makes from Gemm/MatMul with a constant weight (+ bias Add, + Relu).
import { DataType } from '../../onnx/model';
import { RuntimeError } from '../errors';
import { denseLinear } from '../kernels/dense';
import { sparseLinear } from '../kernels/sparse';
import { type ChainLayer, WasmChain } from '../kernels/chain';
import { ROWS_MIN, RowsLayer, type RowsKernelKind, rowsKernelFor } from '../kernels/matmul-rows';
import { nonZeros } from '../kernels/each-weight';
import { type RtTensor, size } from '../tensor';
import { type OpImpl, need } from './types';

/** y = x · W (+ bias) (then ReLU) for M rows of x; y holds M × N. */
export type LayerKernel = (x: Float32Array, M: number, y: Float32Array) => void;

/**
 * The kernel for a chain of layers (each feeding the next): WebAssembly when available and wanted,
 * else plain JS. A chain of one layer (a transformer's MatMul + bias) runs calls of ROWS_MIN rows
 * or more on a many-row kernel (matmul-rows.ts): 'gemm' for dense weights, and for sparse ones
 * whichever of 'gemm' and 'csr' the cost model finds cheaper; `rows` names it.
 */
export function chainKernel(layers: readonly ChainLayer[], wasm: boolean): { run: LayerKernel; engine: 'wasm' | 'js'; rows?: RowsKernelKind } {
  const chain = wasm ? WasmChain.create(layers) : undefined;
  if (chain && layers.length === 1) {
    const l = layers[0];
    const { K, N } = l.weights;
    const rows = l.weights.kind === 'dense' ? 'gemm' : rowsKernelFor(K, N, nonZeros(l.weights));
    let many: RowsLayer | undefined | null;
    return {
      run: (x, M, y) => {
        if (M >= ROWS_MIN && (many ??= RowsLayer.create(l, rows) ?? null)) many.run(x, M, y);
        else chain.run(x, M, y);
      },
      engine: 'wasm',
      rows,
    };
  }
  if (chain) return { run: (x, M, y) => chain.run(x, M, y), engine: 'wasm' };
  const one = (l: ChainLayer): LayerKernel => {
    const w = l.weights;
    if (w.kind === 'dense') return (x, M, y) => denseLinear(x, M, w, l.bias, l.relu, y);
    return (x, M, y) => sparseLinear(x, M, w, l.bias, l.relu, y);
  };
  const runs = layers.map(one);
  if (runs.length === 1) return { run: runs[0], engine: 'js' };
  const tmp: Float32Array[] = [];
  return {
    run: (x, M, y) => {
      let input = x;
      for (let i = 0; i < runs.length; i++) {
        const n = M * layers[i].weights.N;
        let out = y;
        if (i < runs.length - 1) {
          if (!tmp[i] || tmp[i].length !== n) tmp[i] = new Float32Array(n);
          out = tmp[i];
        }
        runs[i](input, M, out);
        input = out;
      }
    },
    engine: 'js',
  };
}

export function linearOp(K: number, N: number, kernel: LayerKernel, gemm: boolean): OpImpl {
  // The last result, reused while the input dims repeat (no allocation per call at a steady batch).
  let last: RtTensor[] = [];
  let lastIn: number[] = [];
  const sameDims = (d: number[]): boolean => {
    if (d.length !== lastIn.length) return false;
    for (let i = 0; i < d.length; i++) if (d[i] !== lastIn[i]) return false;
    return true;
  };
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
    if (last.length === 1 && last[0].data === y && sameDims(x.dims)) return last;
    lastIn = [...x.dims];
    last = [{ dims: [...x.dims.slice(0, -1), N], data: y, dataType: DataType.FLOAT }];
    return last;
  };
}
