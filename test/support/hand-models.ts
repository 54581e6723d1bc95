// Small models built by hand, whose facts (ops, parameters, zeros, where each weight lives) can be
// counted on paper: for the analysis, summary and engine tests.
import { DataType, type Graph, type Model, type Node, type Tensor } from '../../src/core/onnx/model';

export function node(opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = [], name = `${opType}_${outputs[0]}`): Node {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

export function graph(name: string, parts: Partial<Graph>): Graph {
  return { name, inputs: [], outputs: [], valueInfo: [], nodes: [], initializers: [], sparseInitializers: [], ...parts };
}

export function model(g: Graph): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'hand',
    producerVersion: '1',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadataProps: [],
    graph: g,
    functions: [],
  };
}

export function floats(name: string, dims: number[], values: number[] | Float32Array): Tensor {
  return { name, dataType: DataType.FLOAT, dims, data: Float32Array.from(values) };
}

/**
 * Flatten → Gemm(W 10×784, b 10) → MatMul(M 10×10), and a Constant k of 2×3 zeros.
 * Parameters 7840 + 10 + 100 + 6; zeros: W none, b 3, M all 100, k all 6.
 */
export function handMlp(): Model {
  return model(
    graph('mlp', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 1, 28, 28] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', null] } }],
      nodes: [
        node('Flatten', ['x'], ['f'], [{ name: 'axis', type: 'int', value: 1 }]),
        node('Gemm', ['f', 'W', 'b'], ['h'], [
          { name: 'alpha', type: 'float', value: 0.5 },
          { name: 'transB', type: 'int', value: 1 },
        ]),
        node('Constant', [], ['k'], [{ name: 'value', type: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [2, 3], data: new Float32Array(6) } }]),
        node('MatMul', ['h', 'M'], ['y']),
      ],
      initializers: [
        floats('W', [10, 784], new Float32Array(7840).fill(1)),
        floats('b', [10], [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]),
        floats('M', [10, 10], new Float32Array(100)),
      ],
    }),
  );
}

/**
 * A main graph with a sparse initializer S (2×3, three stored values of which one is 0), a string
 * initializer `names`, and an unnamed If (node 1) whose then branch holds a Constant `t` (4 floats,
 * one zero) and a named Loop `loop` whose body holds an initializer `u` (3 floats, no zero); the
 * else branch holds a Constant `e` (value_ints [7, 0]).
 * Parameters: 3 (S stored) + 2 (names) + 4 + 3 + 2 = 14. Nodes: Identity, If, Constant, Loop,
 * Identity (loop body), Constant = 6.
 */
export function handNested(): Model {
  const body = graph('body', { nodes: [node('Identity', ['u'], ['v'])], initializers: [floats('u', [3], [1, 2, 3])] });
  const thenBranch = graph('then', {
    nodes: [
      node('Constant', [], ['t'], [{ name: 'value', type: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [2, 2], data: Float32Array.from([0, 1, 2, 3]) } }]),
      node('Loop', ['', '', 't'], ['lt'], [{ name: 'body', type: 'graph', value: body }], 'loop'),
    ],
  });
  const elseBranch = graph('else', { nodes: [node('Constant', [], ['e'], [{ name: 'value_ints', type: 'ints', value: [7, 0] }])] });
  return model(
    graph('nested', {
      nodes: [
        node('Identity', ['S'], ['s2']),
        node(
          'If',
          ['c'],
          ['o'],
          [
            { name: 'then_branch', type: 'graph', value: thenBranch },
            { name: 'else_branch', type: 'graph', value: elseBranch },
          ],
          '',
        ),
      ],
      initializers: [{ name: 'names', dataType: DataType.STRING, dims: [2], data: [Uint8Array.of(97), Uint8Array.of(98)] }],
      sparseInitializers: [
        {
          dims: [2, 3],
          values: floats('S', [3], [1.5, 0, 3]),
          indices: { name: 'S_idx', dataType: DataType.INT64, dims: [3], data: BigInt64Array.from([0n, 4n, 5n]) },
        },
      ],
    }),
  );
}
