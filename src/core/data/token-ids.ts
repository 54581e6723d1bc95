// Language-model test sets: token ids [N, T] (int32, int64, uint16 or any integer type) in one .npy
// file, or an .npz archive holding one integer array of rank 2, with no labels. Each row is a
// sequence; next-token evaluation (core/eval/language-model.ts) predicts ids 1..T−1 from 0..T−2.
// The ids are kept as Int32Array in `tokens` and as floats in `images` (exact below 2^24), so that
// the dataset passes wherever a Dataset does.
import { DatasetError, type Dataset } from './dataset';
import { dtypeName, parseNpy, reader, type NpyArray } from './npy';
import type { NpzArchive } from './npz';

/** Token ids of a language-model test set: N sequences of T ids, row after row. */
export interface TokenIds {
  ids: Int32Array;
  sequences: number;
  length: number;
  /** The largest id (checked against the model's vocabulary). */
  maxId: number;
}

/** Ids this large lose nothing as float32 (2^24). */
const MAX_ID = 1 << 24;

/** True when an array can be token ids: integers of rank 2. */
export function isTokenArray(a: Pick<NpyArray['header'], 'kind' | 'shape'>): boolean {
  return (a.kind === 'i' || a.kind === 'u') && a.shape.length === 2;
}

function baseName(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

/**
 * The values of an integer array as ids, each from 0 to 2^24 − 1 (what float32 holds exactly);
 * anything else refused naming its place ([sample, position] of the last dim).
 */
export function integerValues(what: string, a: NpyArray): Int32Array {
  const { shape } = a.header;
  const t = shape.length > 1 ? shape[shape.length - 1] : 1;
  const read = reader(a);
  const ids = new Int32Array(a.header.elements);
  for (let i = 0; i < ids.length; i++) {
    const v = read(i);
    if (!(v >= 0 && v < MAX_ID)) {
      throw new DatasetError(what, `token id ${v} at sequence ${Math.floor(i / t)}, position ${i % t}; ids must be from 0 to ${MAX_ID - 1}`);
    }
    ids[i] = v;
  }
  return ids;
}

/** Reads the ids of an integer [N, T] array: refused when empty, negative or too large. */
export function tokenIdsOf(what: string, a: NpyArray): TokenIds {
  const { shape } = a.header;
  if (!isTokenArray(a.header)) {
    throw new DatasetError(what, `has shape [${shape.join(', ')}] ${dtypeName(a.header)}; token ids must be integers of shape [N, T] (N sequences of T tokens)`);
  }
  const [n, t] = shape;
  if (n === 0) throw new DatasetError(what, 'no sequences (N = 0)');
  if (t < 2) throw new DatasetError(what, `sequences of ${t} token${t === 1 ? '' : 's'}; next-token evaluation needs at least 2 per sequence`);
  const ids = integerValues(what, a);
  let maxId = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] > maxId) maxId = ids[i];
  return { ids, sequences: n, length: t, maxId };
}

/** The dataset of a token-id array (`arrays.samples` names the .npz member it came from). */
function tokenDataset(name: string, file: string, tokens: TokenIds, member?: string): Dataset {
  return {
    name,
    file,
    images: Float32Array.from(tokens.ids),
    labels: new Int32Array(0),
    count: tokens.sequences,
    sampleShape: [tokens.length],
    sampleSize: tokens.length,
    classes: 0,
    tokens,
    ...(member !== undefined ? { conversion: `${member}: token ids` } : {}),
  };
}

/** One .npy file of integer ids [N, T]. */
export function parseTokenNpy(file: string, bytes: Uint8Array): Dataset {
  const a = parseNpy(file, bytes);
  if (!isTokenArray(a.header)) {
    throw new DatasetError(
      file,
      `is one .npy array; give it together with its labels .npy file (or one .npz holding both); alone it must be integer token ids [N, T] for a language model, and it holds [${a.header.shape.join(', ')}] ${dtypeName(a.header)}`,
    );
  }
  return tokenDataset(baseName(file).replace(/\.npy$/i, ''), file, tokenIdsOf(file, a));
}

/** The one array of an .npz archive when it holds integer ids [N, T] and nothing else; else undefined. */
export function tokenNpz(file: string, npz: NpzArchive): Dataset | undefined {
  if (npz.names.length !== 1) return undefined;
  const member = npz.names[0];
  if (!isTokenArray(npz.header(member))) return undefined;
  return tokenDataset(baseName(file), file, tokenIdsOf(`${file}: ${member}`, npz.array(member)), member);
}
