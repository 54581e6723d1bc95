// A model picked in the browser together with its external data files (several files, or a
// folder): the data files stay File/Blob objects, and each tensor's bytes are sliced out of them
// when a request asks for them (Blob.slice reads nothing until arrayBuffer()). Locations resolve
// against the picked files by relative path (a folder pick keeps "folder/sub/x.data"), else by
// file name. Before anything is read, the data is checked (every file present and long enough) and
// refused plainly when it is more than the engine may hold.

import { checkExternalData, externalTensors, type TensorBytes } from '../core/onnx/external';
import type { Model, Tensor } from '../core/onnx/model';
import { OnnxError } from '../core/onnx/errors';
import { EngineFailure } from './errors';
import { gigabytes } from './external-load';

/** A data file picked with the model: its path relative to what was picked (or its name), and its contents. */
export interface PickedFile {
  name: string;
  file: Blob;
}

function normalise(path: string): string {
  const out: string[] = [];
  for (const seg of path.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

const baseOf = (p: string): string => p.replace(/^.*[\\/]/, '');

/** The picked file a location names, relative to the model's folder within the pick, or undefined. */
export function resolvePicked(modelName: string, location: string, files: readonly PickedFile[]): PickedFile | undefined {
  const dir = normalise(modelName).split('/').slice(0, -1).join('/');
  const exact = normalise(dir === '' ? location : `${dir}/${location}`);
  const byPath = files.find((f) => normalise(f.name) === exact) ?? files.find((f) => normalise(f.name) === normalise(location));
  if (byPath) return byPath;
  const base = baseOf(location);
  const byName = files.filter((f) => baseOf(f.name) === base);
  return byName.length === 1 ? byName[0] : undefined;
}

/**
 * The external data of `model` (decoded from the picked `modelName`) in the picked `files`, read
 * on demand; undefined when the model has no external tensors. `limit`: the most bytes of data
 * this engine opens (refused before reading when more).
 */
export function pickedTensorBytes(model: Model, modelName: string, files: readonly PickedFile[], limit: number | undefined): TensorBytes | undefined {
  if (externalTensors(model).length === 0) return undefined;
  const fileName = baseOf(modelName);
  const fileOf = (location: string): PickedFile | undefined => resolvePicked(modelName, location, files);
  let ranges: Map<Tensor, { offset: number; length: number }>;
  try {
    ranges = checkExternalData(model, (location) => fileOf(location)?.file.size, fileName);
  } catch (e) {
    if (e instanceof OnnxError && e.code === 'external-missing') {
      const missing = [...new Set(externalTensors(model).map((t) => t.external!.location).filter((l) => fileOf(l) === undefined))];
      throw new EngineFailure(
        'not-found',
        `${fileName}: its external data ${missing.length === 1 ? 'file' : 'files'} ${missing.join(', ')} ${missing.length === 1 ? 'was' : 'were'} not picked; open the .onnx together with ${missing.length === 1 ? 'it' : 'them'} (select several files, or the folder)`,
        fileName,
      );
    }
    throw e;
  }
  let total = 0;
  for (const r of ranges.values()) total += r.length;
  if (limit !== undefined && total > limit) {
    throw new EngineFailure(
      'unsupported',
      `${fileName}: its external data is ${gigabytes(total)}; the browser build opens models with up to ${gigabytes(limit)} of data; use the desktop app or the CLI`,
      fileName,
    );
  }
  const rangeOf = (t: Tensor): { file: PickedFile; offset: number; length: number } => {
    const r = ranges.get(t);
    const x = t.external;
    if (r === undefined || x === undefined) throw new OnnxError('external-missing', `tensor ${JSON.stringify(t.name)} is not stored externally`, fileName);
    return { file: fileOf(x.location)!, ...r };
  };
  const slice = async (file: PickedFile, from: number, length: number): Promise<Uint8Array> => {
    let buf: ArrayBuffer;
    try {
      buf = await file.file.slice(from, from + length).arrayBuffer();
    } catch (e) {
      throw new OnnxError('io', `cannot read external data file ${file.name} (${e instanceof Error ? e.message : String(e)}; was it changed since it was picked?)`, fileName);
    }
    if (buf.byteLength !== length) {
      throw new OnnxError('external-range', `external data file ${file.name} ended at byte ${from + buf.byteLength} while reading bytes ${from}..${from + length} (was it truncated?)`, fileName);
    }
    return new Uint8Array(buf);
  };
  return {
    totalBytes: total,
    storedBytes: (t) => rangeOf(t).length,
    read: (t) => {
      const r = rangeOf(t);
      return slice(r.file, r.offset, r.length);
    },
    readChunk: (t, from, length) => {
      const r = rangeOf(t);
      if (from < 0 || from + length > r.length) throw new RangeError(`chunk ${from}..${from + length} outside tensor ${t.name} (${r.length} bytes)`);
      return slice(r.file, r.offset + from, length);
    },
    // Each read is memory of its own (the garbage collector takes it back).
    release: () => undefined,
    // Nothing is held open: a File is read only while a slice is being read.
    close: async () => undefined,
  };
}
