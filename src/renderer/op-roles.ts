// The role names of ONNX ops' inputs (Gemm A/B/C, Conv X/W/B...), shown by the graph view, its
// fallback and the node properties alike.

const ROLES: Record<string, string[]> = {
  Gemm: ['A', 'B', 'C'],
  MatMul: ['A', 'B'],
  Conv: ['X', 'W', 'B'],
  ConvTranspose: ['X', 'W', 'B'],
  BatchNormalization: ['X', 'scale', 'B', 'mean', 'var'],
  LayerNormalization: ['X', 'scale', 'B'],
  InstanceNormalization: ['input', 'scale', 'B'],
  Add: ['A', 'B'],
  Sub: ['A', 'B'],
  Mul: ['A', 'B'],
  Div: ['A', 'B'],
  Pow: ['X', 'Y'],
  PRelu: ['X', 'slope'],
  Reshape: ['data', 'shape'],
  Expand: ['input', 'shape'],
  Tile: ['input', 'repeats'],
  Gather: ['data', 'indices'],
  Slice: ['data', 'starts', 'ends', 'axes', 'steps'],
  Squeeze: ['data', 'axes'],
  Unsqueeze: ['data', 'axes'],
  Split: ['input', 'split'],
  Pad: ['data', 'pads', 'constant_value', 'axes'],
  Resize: ['X', 'roi', 'scales', 'sizes'],
  Clip: ['input', 'min', 'max'],
  Where: ['condition', 'X', 'Y'],
  LSTM: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'],
  GRU: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'],
  RNN: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'],
  ReduceMean: ['data', 'axes'],
  ReduceSum: ['data', 'axes'],
  If: ['cond'],
  Loop: ['M', 'cond'],
};

/** The role name of a node's i-th input, or undefined for an op or position not in the table. */
export function roleName(opType: string, i: number): string | undefined {
  return ROLES[opType]?.[i];
}

/** The name of a node's i-th input: the op's role name where known, else the index. */
export function inputRole(opType: string, i: number): string {
  return roleName(opType, i) ?? String(i);
}
