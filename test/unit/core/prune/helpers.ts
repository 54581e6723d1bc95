// Small models and an independent, sort-based reference for magnitude pruning.
import { DataType, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { mulberry32 } from '../../../../src/core/train/random';

/** Values drawn from a small set (many ties, both signs, some zeros), deterministic per seed. */
export function tiedValues(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (Math.floor(rand() * 21) - 10) / 8;
  return a;
}

export function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  return { name, dataType: DataType.FLOAT, dims, data };
}

/** x → Gemm(W_i, b_i) → Relu → … with the given weights ([out, in], transB 1). */
export function gemmChain(weights: Tensor[], biases: Tensor[]): Model {
  const nodes = weights.map((w, i) => ({
    name: `gemm${i}`, opType: 'Gemm', domain: '',
    inputs: [i === 0 ? 'x' : `h${i}`, w.name, biases[i].name], outputs: [`h${i + 1}`],
    attributes: [{ name: 'transB', type: 'int' as const, value: 1 }],
  }));
  return {
    irVersion: 7, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g', inputs: [], outputs: [], valueInfo: [], sparseInitializers: [], nodes,
      initializers: weights.flatMap((w, i) => [w, biases[i]]),
    },
  };
}

/** Solves a z = b (small, dense; a copied) by Gaussian elimination with partial pivoting: the reference least squares. */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * The reference: sort all (|w|, tensor position, index) ascending (NaN as +Infinity) and mark the
 * first k as pruned. Returns one boolean array per tensor.
 */
export function referencePruned(tensors: Float32Array[], k: number): boolean[][] {
  const all: { m: number; t: number; i: number }[] = [];
  tensors.forEach((a, t) => a.forEach((v, i) => all.push({ m: Number.isNaN(v) ? Infinity : Math.abs(v), t, i })));
  all.sort((x, y) => x.m - y.m || x.t - y.t || x.i - y.i);
  const out = tensors.map((a) => new Array<boolean>(a.length).fill(false));
  for (let j = 0; j < k; j++) out[all[j].t][all[j].i] = true;
  return out;
}
