// Transparent gzip: a file starting with the gzip magic 1f 8b is inflated, anything else is returned as is.
import { gunzipSync } from 'fflate';
import { DatasetError } from './dataset';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The file's content, gunzipped when it is gzip (decided by the magic, not by the name). */
export function maybeGunzip(name: string, bytes: Uint8Array): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new DatasetError(name, `gzip data is corrupt or truncated (${(e as Error).message})`);
  }
}
