// The TypeProto each decoded TypeInfo came from. TypeInfo models what Prunescope reads of a type
// (element type, dims as numbers / names); a type message can hold more (a dimension's denotation,
// fields of a newer ONNX, unknown fields). Encode writes the original message back whenever the
// TypeInfo still says what it said when it was read, so nothing of it is lost; a changed or new
// TypeInfo is built from its fields. Kept beside the model (a WeakMap), not in it, so models stay
// plain values that compare and serialize as before.
import type { TypeProto } from 'onnx-buf';
import type { TypeInfo } from './model';

const sources = new WeakMap<TypeInfo, { proto: TypeProto; as: string }>();

export function rememberTypeSource(info: TypeInfo, proto: TypeProto): void {
  sources.set(info, { proto, as: JSON.stringify(info) });
}

/** The message `info` was decoded from, when `info` has not changed since. */
export function unchangedTypeSource(info: TypeInfo): TypeProto | undefined {
  const s = sources.get(info);
  return s !== undefined && s.as === JSON.stringify(info) ? s.proto : undefined;
}
