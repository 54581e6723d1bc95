// Helpers every reader of ONNX protobuf messages (the *-from-proto.ts files) shares: the error
// context, integer conversions, string entries, and the fields the normalized model does not hold.
import { create, toBinary, type DescMessage } from '@bufbuild/protobuf';
import type { StringStringEntryProto } from 'onnx-buf';
import type { Int, StringEntry } from './model';
import { OnnxError } from './errors';

/** Carries the file name for error messages through the conversion. */
export class Ctx {
  constructor(readonly file?: string) {}
  fail(detail: string): never {
    throw new OnnxError('bad-model', detail, this.file);
  }
}

export function toInt(v: bigint): Int {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function toSize(v: bigint, what: string, ctx: Ctx): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    ctx.fail(`${what}: value ${v} is out of range`);
  }
  return Number(v);
}

export function entries(list: StringStringEntryProto[]): StringEntry[] {
  return list.map((e) => ({ key: e.key, value: e.value }));
}

/** A message's doc_string and metadata_props, copied onto `out` only when they are set. */
export function readDocAndMetadata(
  out: { docString?: string; metadataProps?: StringEntry[] },
  msg: { docString: string; metadataProps: StringStringEntryProto[] },
): void {
  if (msg.docString) out.docString = msg.docString;
  if (msg.metadataProps.length) out.metadataProps = entries(msg.metadataProps);
}

/**
 * Sets `out.preserved` to the encoded bytes of the fields the normalized model does not hold (the
 * listed ones, plus any unknown fields), when there are any. encode merges them back.
 */
export function keepUnmodelled(
  out: { preserved?: Uint8Array },
  schema: DescMessage,
  msg: { $unknown?: unknown[] },
  fields: Record<string, unknown[]>,
): void {
  const kept = Object.entries(fields).filter(([, v]) => v.length > 0);
  const unknown = msg.$unknown ?? [];
  if (kept.length === 0 && unknown.length === 0) return;
  // A message of the same type holding only those fields.
  const extra = create(schema) as unknown as Record<string, unknown>;
  for (const [k, v] of kept) extra[k] = v;
  if (unknown.length) extra.$unknown = unknown;
  out.preserved = toBinary(schema, extra as never);
}
