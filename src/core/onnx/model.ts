// The normalized, typed ONNX model that the rest of Prunescope uses instead of protobuf messages.
// decode.ts builds it from bytes, encode.ts writes it back. Field meanings follow onnx.proto.

/** ONNX TensorProto.DataType codes. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
} as const;
export type DataTypeCode = number;

/**
 * Element storage of a tensor. Numeric types are typed arrays, views on the model's bytes where
 * alignment allows:
 * FLOAT Float32Array, DOUBLE Float64Array, INT8 Int8Array, UINT8 Uint8Array, INT16 Int16Array,
 * UINT16 Uint16Array, INT32 Int32Array, UINT32 Uint32Array, INT64 BigInt64Array,
 * UINT64 BigUint64Array, BOOL Uint8Array (0/1), FLOAT16 and BFLOAT16 Uint16Array (raw bits),
 * COMPLEX64 Float32Array (re, im pairs), COMPLEX128 Float64Array (pairs), 8-bit floats Uint8Array
 * (raw bits), 4-bit types Uint8Array (packed, two per byte, as stored), STRING Uint8Array[] (bytes).
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Uint8Array[];

export interface StringEntry {
  key: string;
  value: string;
}

/** Where the bytes of an externally stored tensor live (data_location = EXTERNAL). */
export interface ExternalData {
  /** Path relative to the model's folder. */
  location: string;
  offset: number;
  /** Byte length, or undefined for "to the end of the file". */
  length?: number;
  checksum?: string;
  /** Every key/value of external_data as stored, in order (kept for a lossless re-encode). */
  entries: StringEntry[];
}

export interface Tensor {
  name: string;
  dataType: DataTypeCode;
  /** Dimensions; an int64 dim beyond 2^53 is impossible for a real tensor and is rejected. */
  dims: number[];
  /** The elements, or undefined while `external` is set and not yet resolved. */
  data?: TensorData;
  /** Set while the data lives in an external file that nobody has read yet. */
  external?: ExternalData;
  docString?: string;
  /** TensorProto.segment, rarely used. */
  segment?: { begin: number; end: number };
  metadataProps?: StringEntry[];
  /** Encoded fields this type does not model (unknown/newer fields); opaque, written back by encode. */
  preserved?: Uint8Array;
}

/** ONNX SparseTensorProto: COO indices ([nnz] linearized or [nnz, rank]) and the values. */
export interface SparseTensor {
  values: Tensor;
  indices: Tensor;
  dims: number[];
}

/** A dimension: a fixed size, a symbolic name (dim_param), or unknown (null). */
export type Dim = number | string | null;

/**
 * A value's type. `elemTypeAbsent`: the file did not set elem_type at all (as opposed to setting it
 * to 0, UNDEFINED, which onnx.checker accepts): encode writes elem_type back only when it was there.
 */
export type TypeInfo =
  | { kind: 'tensor'; elemType: DataTypeCode; shape?: Dim[]; denotation?: string; elemTypeAbsent?: true }
  | { kind: 'sparse_tensor'; elemType: DataTypeCode; shape?: Dim[]; denotation?: string; elemTypeAbsent?: true }
  | { kind: 'sequence'; elem?: TypeInfo; denotation?: string }
  | { kind: 'map'; keyType: DataTypeCode; value?: TypeInfo; denotation?: string }
  | { kind: 'optional'; elem?: TypeInfo; denotation?: string }
  | { kind: 'unknown'; denotation?: string };

export interface ValueInfo {
  name: string;
  type?: TypeInfo;
  docString?: string;
  metadataProps?: StringEntry[];
}

/** Attribute value; ints are numbers unless outside the safe integer range, then bigint. */
export type Int = number | bigint;

export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: Int }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'sparse_tensor'; value: SparseTensor }
  | { type: 'type_proto'; value: TypeInfo }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: Int[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'sparse_tensors'; value: SparseTensor[] }
  | { type: 'type_protos'; value: TypeInfo[] }
  | { type: 'undefined'; value?: undefined };

export type Attribute = AttributeValue & {
  name: string;
  /** Set on attributes inside a function body that refer to the function's own attribute. */
  refAttrName?: string;
  /**
   * For a reference attribute (refAttrName) that carries no value of its own and whose declared
   * type is tensor, graph, sparse_tensor or type_proto: `type` is 'undefined' and this is the
   * declared type.
   */
  refType?: AttributeValue['type'];
  docString?: string;
};

export interface Node {
  name: string;
  opType: string;
  /** '' (or 'ai.onnx') is the default ONNX domain. */
  domain: string;
  /** Input tensor names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
  docString?: string;
  overload?: string;
  metadataProps?: StringEntry[];
  /** Encoded fields this type does not model (device_configurations, unknown fields); opaque. */
  preserved?: Uint8Array;
}

export interface Graph {
  name: string;
  docString?: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  nodes: Node[];
  initializers: Tensor[];
  sparseInitializers: SparseTensor[];
  metadataProps?: StringEntry[];
  /** Encoded fields this type does not model (quantization_annotation, unknown fields); opaque. */
  preserved?: Uint8Array;
}

export interface OperatorSet {
  domain: string;
  version: number;
}

export interface FunctionDef {
  name: string;
  domain: string;
  overload?: string;
  inputs: string[];
  outputs: string[];
  /** Names of the function's attributes without defaults. */
  attributes: string[];
  /** Attributes with default values. */
  attributeDefaults: Attribute[];
  nodes: Node[];
  opsetImports: OperatorSet[];
  valueInfo: ValueInfo[];
  docString?: string;
  metadataProps?: StringEntry[];
  /** Encoded fields this type does not model (unknown/newer fields); opaque, written back by encode. */
  preserved?: Uint8Array;
}

export interface Model {
  irVersion: number;
  opsetImports: OperatorSet[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadataProps: StringEntry[];
  graph: Graph;
  functions: FunctionDef[];
  /**
   * Fields Prunescope does not model (training_info, configuration, unknown future fields): the
   * encoded bytes of those fields, written back unchanged by encode. (Graph, Node, Tensor and
   * FunctionDef keep their own: quantization annotations live in Graph.preserved.)
   * Opaque; never inspect it outside src/core/onnx.
   */
  preserved?: Uint8Array;
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}
