// Opening a model whose writer did not align raw_data: instead of copying each unaligned tensor
// (which doubles the memory of a large model), its bytes are moved a few bytes down inside the
// file's own buffer, onto protobuf framing that has already been parsed. Only for a buffer the
// caller gives up (decodeModel's realignInPlace option).

import type { Message } from '@bufbuild/protobuf';
import { arrayTypeOf } from './dtype';

interface View {
  owner: Record<string | number, unknown>;
  key: string | number;
  view: Uint8Array;
  /** Element size the view must be aligned to (1: no need). */
  align: number;
}

/** Every Uint8Array inside the parsed message that views `buffer`, with where it hangs. */
function collectViews(root: unknown, buffer: ArrayBufferLike): View[] {
  const out: View[] = [];
  const seen = new Set<object>();
  const visit = (obj: Record<string | number, unknown>): void => {
    if (seen.has(obj)) return;
    seen.add(obj);
    const dataType = typeof obj.dataType === 'number' ? obj.dataType : 0;
    const keys = Array.isArray(obj) ? obj.keys() : Object.keys(obj);
    for (const key of keys) {
      const v = obj[key];
      if (v === null || typeof v !== 'object') continue;
      if (v instanceof Uint8Array) {
        if (v.buffer === buffer && v.byteLength > 0) {
          const align = key === 'rawData' ? (arrayTypeOf(dataType)?.BYTES_PER_ELEMENT ?? 1) : 1;
          out.push({ owner: obj, key, view: v, align });
        }
        continue;
      }
      if (ArrayBuffer.isView(v)) continue;
      // Repeated scalars (float_data, int64_data, dims) hold no bytes: skip without a walk.
      if (Array.isArray(v) && (v.length === 0 || typeof v[0] !== 'object')) continue;
      visit(v as Record<string | number, unknown>);
    }
  };
  visit(root as Record<string, unknown>);
  return out;
}

/**
 * Moves each unaligned raw_data down to the nearest aligned offset when the bytes it lands on
 * belong to no other view (they are the tensor's own tag and length, or other framing), and points
 * the message at the moved bytes. Tensors that cannot move are left for the decoder to copy.
 * Returns the number of bytes moved.
 */
export function realignInPlace(msg: Message, bytes: Uint8Array): number {
  const views = collectViews(msg, bytes.buffer).sort((a, b) => a.view.byteOffset - b.view.byteOffset);
  const whole = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let free = bytes.byteOffset; // bytes below this offset belong to views already placed
  let moved = 0;
  for (const v of views) {
    const start = v.view.byteOffset;
    const len = v.view.byteLength;
    const skew = start % v.align;
    if (skew !== 0 && start - skew >= free) {
      const to = start - skew;
      whole.copyWithin(to - bytes.byteOffset, start - bytes.byteOffset, start - bytes.byteOffset + len);
      v.owner[v.key] = new Uint8Array(bytes.buffer, to, len);
      moved += len;
      free = to + len;
    } else {
      free = Math.max(free, start + len);
    }
  }
  return moved;
}
