// Statistics of tensors some of which are still in external data files: each external tensor is
// read when its turn comes (the next one is read while this one is counted), counted like any
// other, and dropped; memory holds at most two external tensors at a time, and a float32 tensor
// over 512 MB is counted in 64 MB chunks (stream-chunks.ts).

import { withExternalBytes } from '../core/onnx/external';
import type { Tensor } from '../core/onnx/model';
import type { OpenModel } from './context';
import type { EnginePlatform } from './platform';
import type { TensorStatistics } from './protocol';
import { statisticsInOrder, statisticsOf } from './statistics';
import { statsInChunks, takesChunks } from './stream-chunks';

/** The next tensor is read ahead only when it is smaller than this (memory: two tensors at most). */
const READ_AHEAD_MAX = 512 * 1024 * 1024;

/** True when the tensor's data is in an external file not yet read. */
export function isUnread(t: Tensor): boolean {
  return t.data === undefined && t.external !== undefined;
}

/**
 * The statistics of `tensors`, to be taken in order (like statisticsInOrder), reading the unread
 * external ones through the open model's TensorBytes.
 */
export function statisticsStreamed(
  platform: EnginePlatform,
  open: OpenModel,
  tensors: readonly Tensor[],
  bins: number | undefined,
  step?: () => Promise<void>,
): (i: number) => Promise<TensorStatistics> {
  const external = open.external;
  const unread = tensors.map(isUnread);
  if (external === undefined || !unread.some(Boolean)) return statisticsInOrder(platform, tensors, bins);
  const residentIdx = tensors.map((_, i) => i).filter((i) => !unread[i]);
  const resident = statisticsInOrder(platform, residentIdx.map((i) => tensors[i]), bins);
  const residentAt = new Map(residentIdx.map((i, j) => [i, j]));
  const reads = new Map<number, Promise<Uint8Array>>();
  const startRead = (i: number): void => {
    if (!reads.has(i)) reads.set(i, external.read(tensors[i]));
  };
  const nextUnread = (i: number): number => {
    for (let j = i + 1; j < tensors.length; j++) if (unread[j]) return j;
    return -1;
  };
  return async (i) => {
    if (!unread[i]) return resident(residentAt.get(i)!);
    // A large float32 tensor: in chunks, memory bounded (stream-chunks.ts).
    if (takesChunks(tensors[i], external)) return statisticsOf(tensors[i], await statsInChunks(tensors[i], external, bins, step));
    startRead(i);
    const bytes = await reads.get(i)!;
    reads.delete(i);
    const next = nextUnread(i);
    if (next >= 0 && external.storedBytes(tensors[next]) <= READ_AHEAD_MAX) {
      startRead(next);
      reads.get(next)!.catch(() => undefined); // reported when its turn comes
    }
    const loaded = withExternalBytes(tensors[i], bytes, open.fileName);
    const out = await statisticsInOrder(platform, [loaded], bins)(0);
    external.release(bytes);
    return out;
  };
}
