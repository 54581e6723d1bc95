// The ONNX model layer: decode, encode, tensors, external data, JSON, comparison.
export * from './model';
export { OnnxError, isOnnxError, type OnnxErrorCode } from './errors';
export { decodeModel, decodeTensor } from './decode';
export { encodeModel, encodeTensor } from './encode';
export { modelToJson } from './json';
export { allTensors, externalTensors, resolveExternalData, unsafeLocation } from './external';
export { dtypeName, bytesPerElement, arrayTypeOf, isPacked, storageLength, tensorToFloat32, tensorToFloat64, makeTensor, dataTypeOfArray } from './tensor';
export { deepDiff, modelsEqual } from './equal';
