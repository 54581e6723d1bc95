// The Prunescope runtime: plans an ONNX model and runs it with dense or sparse kernels (pure TS).
export { Session, type SessionOptions, type IoInfo } from './session';
export { SUPPORTED_OPS, unsupportedNodes } from './registry';
export { UnsupportedOpError, RuntimeError, type NodeRef } from './errors';
export type { RtTensor, RtData } from './tensor';
export type { LayerInfo } from './plan';
