// The protobuf JSON mapping of a whole model (what protobuf's MessageToJson writes).
import { toJson } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import type { Model } from './model';
import { modelTo } from './to-proto';

/**
 * The model in the protobuf JSON mapping: lowerCamelCase names, int64 as strings, bytes in base64,
 * enums by name, default values left out; indented by 2 spaces.
 */
export function modelToJson(model: Model): string {
  return JSON.stringify(toJson(ModelProtoSchema, modelTo(model)), null, 2);
}
