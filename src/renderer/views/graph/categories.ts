// Netron-like colour categories of ONNX ops, and the role names of their inputs (Gemm A/B/C...).

export type Category = 'layer' | 'activation' | 'pool' | 'normalization' | 'dropout' | 'shape' | 'tensor' | 'control' | 'other';

const groups: Record<Exclude<Category, 'other'>, string[]> = {
  layer: ['Conv', 'ConvTranspose', 'ConvInteger', 'QLinearConv', 'Gemm', 'MatMul', 'MatMulInteger', 'QLinearMatMul', 'LSTM', 'GRU', 'RNN', 'Einsum', 'FusedConv', 'FusedGemm'],
  activation: ['Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Softmax', 'LogSoftmax', 'Elu', 'Selu', 'Celu', 'Gelu', 'Mish', 'Softplus', 'Softsign', 'Clip', 'ThresholdedRelu', 'Hardmax'],
  pool: ['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool', 'MaxRoiPool', 'MaxUnpool'],
  normalization: ['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'LRN', 'LpNormalization', 'MeanVarianceNormalization'],
  dropout: ['Dropout'],
  shape: ['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Shape', 'Size', 'Expand', 'Tile', 'Pad', 'Resize', 'Upsample', 'DepthToSpace', 'SpaceToDepth'],
  tensor: ['Concat', 'Split', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Scatter', 'ScatterND', 'ScatterElements', 'Cast', 'Identity', 'Where', 'ConstantOfShape', 'Range', 'OneHot', 'TopK', 'NonZero'],
  control: ['If', 'Loop', 'Scan'],
};

const byOp = new Map<string, Category>();
for (const [cat, ops] of Object.entries(groups)) for (const op of ops) byOp.set(op, cat as Category);

export function opCategory(opType: string): Category {
  return byOp.get(opType) ?? 'other';
}

const roles: Record<string, string[]> = {
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

/** The name of a node's i-th input: the op's role name where known, else the index. */
export function inputRole(opType: string, i: number): string {
  return roles[opType]?.[i] ?? String(i);
}
