// TypeProto → TypeInfo and ValueInfoProto → ValueInfo.
import { isFieldSet } from '@bufbuild/protobuf';
import { TypeProto_SparseTensorSchema, TypeProto_TensorSchema, type TensorShapeProto, type TypeProto, type ValueInfoProto } from 'onnx-buf';
import type { Dim, TypeInfo, ValueInfo } from './model';
import { rememberTypeSource } from './type-source';
import { readDocAndMetadata } from './proto-read';

function shapeFrom(s: TensorShapeProto | undefined): Dim[] | undefined {
  if (!s) return undefined;
  return s.dim.map((d): Dim => {
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam') return d.value.value;
    return null;
  });
}

export function typeFrom(tp: TypeProto): TypeInfo {
  const info = typeFields(tp);
  rememberTypeSource(info, tp);
  return info;
}

function typeFields(tp: TypeProto): TypeInfo {
  const den = tp.denotation ? { denotation: tp.denotation } : {};
  const v = tp.value;
  switch (v.case) {
    case 'tensorType':
    case 'sparseTensorType': {
      const shape = shapeFrom(v.value.shape);
      const kind = v.case === 'tensorType' ? 'tensor' : 'sparse_tensor';
      // elem_type 0 set explicitly is kept as written; absent stays absent.
      const set =
        v.case === 'tensorType'
          ? isFieldSet(v.value, TypeProto_TensorSchema.field.elemType)
          : isFieldSet(v.value, TypeProto_SparseTensorSchema.field.elemType);
      const absent = v.value.elemType === 0 && !set ? { elemTypeAbsent: true as const } : {};
      return { kind, elemType: v.value.elemType, ...(shape ? { shape } : {}), ...den, ...absent };
    }
    case 'sequenceType':
      return { kind: 'sequence', ...(v.value.elemType ? { elem: typeFrom(v.value.elemType) } : {}), ...den };
    case 'optionalType':
      return { kind: 'optional', ...(v.value.elemType ? { elem: typeFrom(v.value.elemType) } : {}), ...den };
    case 'mapType':
      return { kind: 'map', keyType: v.value.keyType, ...(v.value.valueType ? { value: typeFrom(v.value.valueType) } : {}), ...den };
    default:
      return { kind: 'unknown', ...den };
  }
}
export function valueInfoFrom(v: ValueInfoProto): ValueInfo {
  const out: ValueInfo = { name: v.name };
  if (v.type) out.type = typeFrom(v.type);
  readDocAndMetadata(out, v);
  return out;
}
