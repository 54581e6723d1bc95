// Netron-like colour categories of ONNX ops (the role names of their inputs are in ../../op-roles.ts).

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
