// Requests about the open model itself: open (its source, the weight table options), close,
// runtimes, stats (the weights by name or by graph reference).
import type { Source, WeightRef, WeightTableOptions } from '../protocol';
import { bool, bytes, fail, int, isObj, modelId, str, stringList, type RequestValidator } from './fields';

export function weightTable(v: unknown, where: string): WeightTableOptions {
  if (!isObj(v)) fail(`${where}: "weights" must be an object`);
  const out: WeightTableOptions = {};
  if (v.minConstantParams !== undefined) {
    const n = int(v, 'minConstantParams', `${where}.weights`);
    if (n < 0) fail(`${where}.weights: "minConstantParams" must not be negative`);
    out.minConstantParams = n;
  }
  if (v.zeros !== undefined) out.zeros = bool(v, 'zeros', `${where}.weights`);
  return out;
}

function weightRefs(v: unknown, where: string): WeightRef[] {
  if (!Array.isArray(v)) fail(`${where}: "weights" must be a list`);
  return v.map((r) => {
    if (!isObj(r) || typeof r.graph !== 'string' || typeof r.name !== 'string') fail(`${where}: each of "weights" must be { graph, name } (strings)`);
    return { graph: r.graph, name: r.name };
  });
}

function source(v: unknown): Source {
  if (!isObj(v)) fail('"source" must be an object');
  switch (v.kind) {
    case 'path':
      return { kind: 'path', path: str(v, 'path', 'source') };
    case 'bytes': {
      const out: Source = { kind: 'bytes', name: str(v, 'name', 'source'), bytes: bytes(v.bytes, 'source') };
      if (v.dataFiles === undefined) return out;
      // The external data picked with the model (browser): Blobs read on demand (picked-files.ts).
      if (!Array.isArray(v.dataFiles)) fail('"source.dataFiles" must be a list');
      const dataFiles = v.dataFiles.map((f: unknown) => {
        if (!isObj(f) || typeof f.name !== 'string' || typeof Blob === 'undefined' || !(f.file instanceof Blob)) fail('each of "source.dataFiles" must be { name, file: Blob }');
        return { name: f.name, file: f.file };
      });
      return { ...out, dataFiles };
    }
    case 'sample':
      return { kind: 'sample' };
    default:
      fail('"source.kind" must be "path", "bytes" or "sample"');
  }
}

export const open: RequestValidator<'open'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'open'>> = { id, type: 'open', source: source(msg.source) };
  if (msg.weights !== undefined) r.weights = weightTable(msg.weights, where);
  return r;
};

export const close: RequestValidator<'close'> = (msg, id, where) => ({ id, type: 'close', modelId: modelId(msg, where) });

export const runtimes: RequestValidator<'runtimes'> = (msg, id, where) => ({ id, type: 'runtimes', modelId: modelId(msg, where) });

export const stats: RequestValidator<'stats'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'stats'>> = { id, type: 'stats', modelId: modelId(msg, where) };
  if (msg.tensors !== undefined) r.tensors = stringList(msg.tensors, 'tensors');
  if (msg.weights !== undefined) r.weights = weightRefs(msg.weights, where);
  if (msg.bins !== undefined) {
    const b = int(msg, 'bins', where);
    if (b < 1 || b > 100_000) fail(`${where}: "bins" must be from 1 to 100000`);
    r.bins = b;
  }
  return r;
};
