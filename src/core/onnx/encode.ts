// Normalized Model / Tensor → ONNX protobuf bytes. Numeric data is written as little-endian raw_data.
import { toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProtoSchema } from 'onnx-buf';
import type { Model, Tensor } from './model';
import { modelTo, tensorTo } from './to-proto';

/**
 * The model as ONNX bytes. Tensors with data are written inline (raw_data; strings as
 * string_data); tensors whose external data was never resolved are written back as the same
 * external references. Fields kept in `preserved` are written back unchanged.
 */
export function encodeModel(model: Model): Uint8Array {
  return toBinary(ModelProtoSchema, modelTo(model));
}

/** A standalone TensorProto (the format of test_data_set *.pb files). */
export function encodeTensor(t: Tensor): Uint8Array {
  return toBinary(TensorProtoSchema, tensorTo(t));
}
