// The protobuf JSON mapping of a whole model (what protobuf's MessageToJson writes).
import { toJson } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import type { Model } from './model';
import { OnnxError } from './errors';
import { allTensors } from './external';
import { modelTo } from './to-proto';

/** A little under V8's longest string (2^29 - 24 characters). */
const MAX_JSON_CHARS = 500_000_000;

/**
 * The model in the protobuf JSON mapping: lowerCamelCase names, int64 as strings, bytes in base64,
 * enums by name, default values left out; indented by 2 spaces. Throws OnnxError 'too-large' when
 * the weights alone, in base64, would not fit in one JavaScript string.
 */
export function modelToJson(model: Model): string {
  let raw = 0;
  for (const t of allTensors(model)) if (t.data && !Array.isArray(t.data)) raw += t.data.byteLength;
  const base64 = Math.ceil(raw / 3) * 4;
  if (base64 > MAX_JSON_CHARS) {
    throw new OnnxError('too-large', `the JSON rendering would hold ${Math.round(base64 / 1e6)} MB of base64 weights, more than one JavaScript string can hold`);
  }
  return JSON.stringify(toJson(ModelProtoSchema, modelTo(model)), null, 2);
}
