// Where a dataset comes from (the 'dataset' request, and the data of evaluate, sweep, methods and
// analyses): bundled, paths, bytes, an image folder or its files, with the image normalisation.
import type { DatasetSource, ImageNormalization } from '../protocol';
import { bool, bytes, fail, isObj, modelId, str, stringList, type RequestValidator } from './fields';

function normalization(v: unknown, where: string): ImageNormalization {
  if (isObj(v) && v.kind === '0-1') return { kind: '0-1' };
  const nums = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (isObj(v) && v.kind === 'mean-std' && nums(v.mean) && nums(v.std) && v.std.every((n) => n > 0)) return { kind: 'mean-std', mean: v.mean, std: v.std };
  fail(`${where}.normalize must be { kind: "0-1" } or { kind: "mean-std", mean: [numbers], std: [numbers > 0] }`);
}

function namedFiles(v: unknown, where: string): { name: string; bytes: ArrayBuffer }[] {
  if (!Array.isArray(v) || v.length === 0) fail(`${where}.files must be a non-empty list`);
  return v.map((f: unknown) => {
    if (!isObj(f)) fail(`${where}.files entries must be objects`);
    return { name: str(f, 'name', `${where} file`), bytes: bytes(f.bytes, `${where} file`) };
  });
}

export function datasetSource(v: unknown, where = 'dataset'): DatasetSource {
  if (!isObj(v)) fail(`"${where}" must be an object`);
  switch (v.kind) {
    case 'sample': {
      if (v.split === undefined) return { kind: 'sample' };
      if (v.split !== 'train' && v.split !== 'test') fail(`${where}.split must be "train" or "test"`);
      return { kind: 'sample', split: v.split };
    }
    case 'paths': {
      const paths = stringList(v.paths, `${where}.paths`);
      if (paths.length === 0) fail(`${where}.paths is empty`);
      return { kind: 'paths', paths };
    }
    case 'bytes':
      return { kind: 'bytes', files: namedFiles(v.files, where) };
    case 'folder': {
      const out: DatasetSource = { kind: 'folder', path: str(v, 'path', where) };
      if (v.normalize !== undefined) out.normalize = normalization(v.normalize, where);
      return out;
    }
    case 'folderFiles': {
      if (!Array.isArray(v.files) || v.files.length === 0) fail(`${where}.files must be a non-empty list`);
      const out: DatasetSource = { kind: 'folderFiles', root: str(v, 'root', where), files: namedFiles(v.files, where) };
      if (v.normalize !== undefined) out.normalize = normalization(v.normalize, where);
      return out;
    }
    default:
      fail(`"${where}.kind" must be "sample", "paths", "bytes", "folder" or "folderFiles"`);
  }
}

export const dataset: RequestValidator<'dataset'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'dataset'>> = { id, type: 'dataset', source: datasetSource(msg.source) };
  if (msg.modelId !== undefined) r.modelId = modelId(msg, where);
  if (msg.preview !== undefined) r.preview = bool(msg, 'preview', where);
  return r;
};
