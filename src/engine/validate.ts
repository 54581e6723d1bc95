// Shape checks for requests arriving from another process: anything malformed becomes a
// 'bad-request' error naming the problem, never a crash.

import { RUNNER_NAMES } from '../core/eval/types';
import { isPruneMethod, methodNames } from '../core/prune/method-registry';
import { canonicalStructure, CHANNEL_IMPORTANCES, isChannelImportance, isChannelMultiple, MAX_CHANNEL_MULTIPLE, STRUCTURE_FORMS } from '../core/prune/structure';
import type { DatasetSource, EvalOptions, ImageNormalization, PruneMethod, PruneSpec, Request, RuntimeName, Source, WeightRef, WeightTableOptions } from './protocol';
import { isWorkerCount, MAX_WORKERS } from '../core/eval/workers';

export class BadRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string): never {
  throw new BadRequest(message);
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(`${where}: "${key}" must be a non-empty string`);
  return v;
}

function int(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${where}: "${key}" must be an integer`);
  return v;
}

function optString(o: Obj, key: string, where: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, where);
}

function ratio(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(`${where}: a ratio must be a number from 0 to 1`);
  return v;
}

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`${where} must be a list of strings`);
  return v as string[];
}

function bytes(v: unknown, where: string): ArrayBuffer {
  if (v instanceof ArrayBuffer) return v;
  if (ArrayBuffer.isView(v)) {
    const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return u.slice().buffer;
  }
  fail(`${where}: "bytes" must be an ArrayBuffer`);
}

function weightTable(v: unknown, where: string): WeightTableOptions {
  if (!isObj(v)) fail(`${where}: "weights" must be an object`);
  const out: WeightTableOptions = {};
  if (v.minConstantParams !== undefined) {
    const n = int(v, 'minConstantParams', `${where}.weights`);
    if (n < 0) fail(`${where}.weights: "minConstantParams" must not be negative`);
    out.minConstantParams = n;
  }
  if (v.zeros !== undefined) {
    if (typeof v.zeros !== 'boolean') fail(`${where}.weights: "zeros" must be true or false`);
    out.zeros = v.zeros;
  }
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

function datasetSource(v: unknown, where = 'dataset'): DatasetSource {
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
    case 'bytes': {
      if (!Array.isArray(v.files) || v.files.length === 0) fail(`${where}.files must be a non-empty list`);
      return {
        kind: 'bytes',
        files: v.files.map((f: unknown) => {
          if (!isObj(f)) fail(`${where}.files entries must be objects`);
          return { name: str(f, 'name', `${where} file`), bytes: bytes(f.bytes, `${where} file`) };
        }),
      };
    }
    case 'folder': {
      const out: DatasetSource = { kind: 'folder', path: str(v, 'path', where) };
      if (v.normalize !== undefined) out.normalize = normalization(v.normalize, where);
      return out;
    }
    case 'folderFiles': {
      if (!Array.isArray(v.files) || v.files.length === 0) fail(`${where}.files must be a non-empty list`);
      const out: DatasetSource = {
        kind: 'folderFiles',
        root: str(v, 'root', where),
        files: v.files.map((f: unknown) => {
          if (!isObj(f)) fail(`${where}.files entries must be objects`);
          return { name: str(f, 'name', `${where} file`), bytes: bytes(f.bytes, `${where} file`) };
        }),
      };
      if (v.normalize !== undefined) out.normalize = normalization(v.normalize, where);
      return out;
    }
    default:
      fail(`"${where}.kind" must be "sample", "paths", "bytes", "folder" or "folderFiles"`);
  }
}

function normalization(v: unknown, where: string): ImageNormalization {
  if (isObj(v) && v.kind === '0-1') return { kind: '0-1' };
  const nums = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (isObj(v) && v.kind === 'mean-std' && nums(v.mean) && nums(v.std) && v.std.every((n) => n > 0)) return { kind: 'mean-std', mean: v.mean, std: v.std };
  fail(`${where}.normalize must be { kind: "0-1" } or { kind: "mean-std", mean: [numbers], std: [numbers > 0] }`);
}

function method(v: unknown, where: string): PruneMethod {
  if (!isPruneMethod(v)) fail(`${where} must be one of ${methodNames()}`);
  return v;
}

function methodList(v: unknown, where: string): PruneMethod[] {
  if (!Array.isArray(v) || v.length === 0) fail(`${where} must be a non-empty list of methods`);
  const out = v.map((m: unknown, i: number) => method(m, `${where}[${i}]`));
  if (new Set(out).size !== out.length) fail(`${where} lists a method twice`);
  return out;
}

function spec(v: unknown, needRatio: true): PruneSpec;
function spec(v: unknown, needRatio: false): Omit<PruneSpec, 'ratio'>;
function spec(v: unknown, needRatio: boolean): PruneSpec | Omit<PruneSpec, 'ratio'> {
  if (!isObj(v)) fail('"spec" must be an object');
  const mode = v.mode ?? 'layer';
  if (mode !== 'layer' && mode !== 'global') fail('spec.mode must be "layer" or "global"');
  const out: Omit<PruneSpec, 'ratio'> & { ratio?: number } = { mode };
  if (needRatio) out.ratio = ratio(v.ratio, 'spec.ratio');
  if (v.select !== undefined) out.select = stringList(v.select, 'spec.select');
  if (v.overrides !== undefined) {
    if (!isObj(v.overrides)) fail('spec.overrides must be an object of name → ratio');
    const o: Record<string, number> = {};
    for (const [k, r] of Object.entries(v.overrides)) o[k] = ratio(r, `spec.overrides["${k}"]`);
    out.overrides = o;
  }
  if (v.method !== undefined) out.method = method(v.method, 'spec.method');
  if (v.structure !== undefined) {
    if (typeof v.structure !== 'string') fail(`spec.structure must be a string: ${STRUCTURE_FORMS}`);
    try {
      out.structure = canonicalStructure(v.structure);
    } catch (e) {
      fail(`spec.structure: ${(e as Error).message}`);
    }
  }
  if (v.importance !== undefined) {
    if (!isChannelImportance(v.importance)) fail(`spec.importance must be one of ${CHANNEL_IMPORTANCES.join(', ')}`);
    out.importance = v.importance;
  }
  if (v.channelMultiple !== undefined) {
    if (!isChannelMultiple(v.channelMultiple)) fail(`spec.channelMultiple must be an integer from 1 to ${MAX_CHANNEL_MULTIPLE}`);
    out.channelMultiple = v.channelMultiple;
  }
  if (v.calibration !== undefined) out.calibration = datasetSource(v.calibration, 'spec.calibration');
  if (v.train !== undefined) out.train = datasetSource(v.train, 'spec.train');
  if (v.dataLimit !== undefined) {
    if (typeof v.dataLimit !== 'number' || !Number.isInteger(v.dataLimit) || v.dataLimit < 1) fail('spec.dataLimit must be an integer ≥ 1');
    out.dataLimit = v.dataLimit;
  }
  if (v.epochs !== undefined) {
    if (typeof v.epochs !== 'number' || !Number.isInteger(v.epochs) || v.epochs < 1 || v.epochs > 100) fail('spec.epochs must be an integer from 1 to 100');
    out.epochs = v.epochs;
  }
  if (v.distill !== undefined) {
    if (typeof v.distill !== 'boolean') fail('spec.distill must be true or false');
    out.distill = v.distill;
  }
  return out as PruneSpec;
}

/** A spec the request may leave out (a dump of the model as it is). */
function optionalSpec(v: unknown): PruneSpec | undefined {
  return v === undefined ? undefined : spec(v, true);
}

function evalOptions(v: unknown): EvalOptions | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) fail('"options" must be an object');
  const o: EvalOptions = {};
  if (v.runtimes !== undefined) {
    const r = stringList(v.runtimes, 'options.runtimes');
    for (const x of r) if (!RUNNER_NAMES.includes(x as RuntimeName)) fail(`options.runtimes: unknown runtime "${x}"`);
    o.runtimes = r as RuntimeName[];
  }
  if (v.batch !== undefined) {
    if (typeof v.batch !== 'number' || !Number.isInteger(v.batch) || v.batch < 0) fail('options.batch must be an integer ≥ 0');
    o.batch = v.batch;
  }
  if (v.batch1 !== undefined) {
    if (typeof v.batch1 !== 'boolean') fail('options.batch1 must be a boolean');
    o.batch1 = v.batch1;
  }
  if (v.limit !== undefined) {
    if (typeof v.limit !== 'number' || !Number.isInteger(v.limit) || v.limit < 1) fail('options.limit must be an integer ≥ 1');
    o.limit = v.limit;
  }
  if (v.workers !== undefined) {
    if (!isWorkerCount(v.workers)) fail(`options.workers must be a whole number from 1 to ${MAX_WORKERS}`);
    o.workers = v.workers;
  }
  return o;
}

/** The id of a message, or -1 when it has none. */
export function requestId(msg: unknown): number {
  return isObj(msg) && typeof msg.id === 'number' && Number.isInteger(msg.id) ? msg.id : -1;
}

/** Returns a well-formed Request or throws BadRequest. */
/** The report's optional sections: sweep, sensitivity, errors, and results the app already has (`given`, checked in outline). */
function reportExtras(msg: Obj, r: Extract<Request, { type: 'report' }>, where: string): void {
  if (msg.sweep !== undefined) {
    if (typeof msg.sweep !== 'boolean') fail(`${where}: "sweep" must be true or false`);
    r.sweep = msg.sweep;
  }
  const positive = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(`${where}: "${name}" must be an integer ≥ 1`);
    return v;
  };
  if (msg.sensitivity !== undefined) {
    const s = msg.sensitivity;
    if (!isObj(s)) fail(`${where}: "sensitivity" must be an object`);
    r.sensitivity = {};
    if (s.ratios !== undefined) {
      if (!Array.isArray(s.ratios) || s.ratios.length === 0) fail(`${where}: "sensitivity.ratios" must be a non-empty list`);
      r.sensitivity.ratios = s.ratios.map((x: unknown) => ratio(x, `${where}: sensitivity.ratios`));
    }
    if (s.limit !== undefined) r.sensitivity.limit = positive(s.limit, 'sensitivity.limit');
    if (s.allocate !== undefined) r.sensitivity.allocate = ratio(s.allocate, `${where}: sensitivity.allocate`);
  }
  if (msg.errors !== undefined) {
    const e = msg.errors;
    if (!isObj(e)) fail(`${where}: "errors" must be an object`);
    r.errors = {};
    if (e.ratio !== undefined) r.errors.ratio = ratio(e.ratio, `${where}: errors.ratio`);
    if (e.samples !== undefined) r.errors.samples = positive(e.samples, 'errors.samples');
  }
  if (msg.given !== undefined) {
    const g = msg.given;
    if (!isObj(g)) fail(`${where}: "given" must be an object`);
    r.given = {};
    if (g.sweep !== undefined) {
      const w = g.sweep;
      if (!isObj(w) || typeof w.dataset !== 'string' || typeof w.samples !== 'number' || !Array.isArray(w.points)) fail(`${where}: "given.sweep" must be {dataset, samples, points}`);
      r.given.sweep = w as unknown as NonNullable<typeof r.given.sweep>;
    }
    if (g.sensitivity !== undefined) {
      const w = g.sensitivity;
      if (!isObj(w) || typeof w.dataset !== 'string' || !isObj(w.result) || !Array.isArray(w.result.curves)) fail(`${where}: "given.sensitivity" must be {dataset, result}`);
      r.given.sensitivity = w as unknown as NonNullable<typeof r.given.sensitivity>;
    }
  }
}

export function validateRequest(msg: unknown): Request {
  if (!isObj(msg)) fail('a request must be an object');
  const id = int(msg, 'id', 'request');
  const type = msg.type;
  const where = `request ${id} (${String(type)})`;
  const modelId = (): number => int(msg, 'modelId', where);
  switch (type) {
    case 'open': {
      const r: Request = { id, type, source: source(msg.source) };
      if (msg.weights !== undefined) r.weights = weightTable(msg.weights, where);
      return r;
    }
    case 'close':
    case 'runtimes':
      return { id, type, modelId: modelId() };
    case 'stats': {
      const r: Request = { id, type, modelId: modelId() };
      if (msg.tensors !== undefined) r.tensors = stringList(msg.tensors, 'tensors');
      if (msg.weights !== undefined) r.weights = weightRefs(msg.weights, where);
      if (msg.bins !== undefined) {
        const b = int(msg, 'bins', where);
        if (b < 1 || b > 100_000) fail(`${where}: "bins" must be from 1 to 100000`);
        r.bins = b;
      }
      return r;
    }
    case 'prunePreview':
    case 'prune':
      return { id, type, modelId: modelId(), spec: spec(msg.spec, true) };
    case 'dataset': {
      const r: Extract<Request, { type: 'dataset' }> = { id, type, source: datasetSource(msg.source) };
      if (msg.modelId !== undefined) r.modelId = modelId();
      if (msg.preview !== undefined) {
        if (typeof msg.preview !== 'boolean') fail(`${where}: "preview" must be true or false`);
        r.preview = msg.preview;
      }
      return r;
    }
    case 'evaluate':
      return {
        id,
        type,
        modelId: modelId(),
        spec: spec(msg.spec, true),
        dataset: datasetSource(msg.dataset),
        options: evalOptions(msg.options),
      };
    case 'sweep': {
      if (!Array.isArray(msg.ratios) || msg.ratios.length === 0) fail(`${where}: "ratios" must be a non-empty list`);
      const r: Request = {
        id,
        type,
        modelId: modelId(),
        spec: spec(msg.spec, false),
        ratios: msg.ratios.map((x: unknown) => ratio(x, `${where}: ratios`)),
        dataset: datasetSource(msg.dataset),
        options: evalOptions(msg.options),
      };
      if (msg.methods !== undefined) r.methods = methodList(msg.methods, `${where}: methods`);
      return r;
    }
    case 'export': {
      if (msg.format !== 'dense' && msg.format !== 'sparse') fail(`${where}: "format" must be "dense" or "sparse"`);
      if (msg.externalData !== undefined && typeof msg.externalData !== 'boolean') fail(`${where}: "externalData" must be true or false`);
      const externalData = msg.externalData === true ? { externalData: true } : {};
      return { id, type, modelId: modelId(), spec: spec(msg.spec, true), format: msg.format, path: optString(msg, 'path', where), ...externalData };
    }
    case 'dumpJson':
      return { id, type, modelId: modelId(), path: optString(msg, 'path', where) };
    case 'dumpMatrix':
      return { id, type, modelId: modelId(), tensor: str(msg, 'tensor', where), spec: optionalSpec(msg.spec) };
    case 'dumpMatrices':
      return {
        id,
        type,
        modelId: modelId(),
        dir: str(msg, 'dir', where),
        spec: optionalSpec(msg.spec),
        ...(msg.weights !== undefined ? { weights: { minConstantParams: weightTable(msg.weights, where).minConstantParams } } : {}),
      };
    // issue 16: report
    case 'report': {
      const r: Extract<Request, { type: 'report' }> = { id, type, modelId: modelId() };
      const path = optString(msg, 'path', where);
      if (path !== undefined) r.path = path;
      if (msg.dataset !== undefined) r.dataset = datasetSource(msg.dataset);
      if (msg.ratios !== undefined) {
        if (!Array.isArray(msg.ratios) || msg.ratios.length === 0) fail(`${where}: "ratios" must be a non-empty list`);
        r.ratios = msg.ratios.map((x: unknown) => ratio(x, `${where}: ratios`));
      }
      if (msg.spec !== undefined) r.spec = spec(msg.spec, false);
      if (msg.options !== undefined) r.options = evalOptions(msg.options);
      if (msg.compareModelId !== undefined) r.compareModelId = int(msg, 'compareModelId', where);
      const tool = optString(msg, 'tool', where);
      if (tool !== undefined) r.tool = tool;
      reportExtras(msg, r, where);
      return r;
    }
    case 'cancel':
      return { id, type, target: int(msg, 'target', where) };
    // issue 16: node errors
    case 'nodeErrors': {
      const r: Extract<Request, { type: 'nodeErrors' }> = { id, type, modelId: modelId(), dataset: datasetSource(msg.dataset) };
      if (msg.spec !== undefined) r.spec = spec(msg.spec, true);
      if (msg.prunedModelId !== undefined) r.prunedModelId = int(msg, 'prunedModelId', where);
      if (msg.samples !== undefined) {
        r.samples = int(msg, 'samples', where);
        if (r.samples < 1) fail(`${where}: "samples" must be an integer ≥ 1`);
      }
      return r;
    }
    // issue 16: diff
    case 'diff': {
      const r: Request = { id, type, modelA: int(msg, 'modelA', where), modelB: int(msg, 'modelB', where) };
      if (msg.bins !== undefined) r.bins = int(msg, 'bins', where);
      return r;
    }
    // issue 16: metrics
    case 'nodeMetrics': {
      const r: Extract<Request, { type: 'nodeMetrics' }> = { id, type, modelId: modelId() };
      if (msg.spec !== undefined) r.spec = spec(msg.spec, true);
      if (msg.cachedOnly !== undefined) {
        if (typeof msg.cachedOnly !== 'boolean') fail(`${where}: "cachedOnly" must be true or false`);
        r.cachedOnly = msg.cachedOnly;
      }
      return r;
    }
    // issue 16: sensitivity
    case 'sensitivity': {
      const r: Extract<Request, { type: 'sensitivity' }> = { id, type, modelId: modelId(), dataset: datasetSource(msg.dataset) };
      if (msg.ratios !== undefined) {
        if (!Array.isArray(msg.ratios) || msg.ratios.length === 0) fail(`${where}: "ratios" must be a non-empty list`);
        r.ratios = msg.ratios.map((x: unknown) => ratio(x, `${where}: ratios`));
      }
      if (msg.select !== undefined) r.select = stringList(msg.select, `${where}: select`);
      if (msg.structure !== undefined) r.structure = str(msg, 'structure', where);
      if (msg.limit !== undefined) {
        if (typeof msg.limit !== 'number' || !Number.isInteger(msg.limit) || msg.limit < 1) fail(`${where}: "limit" must be an integer ≥ 1`);
        r.limit = msg.limit;
      }
      if (msg.allocate !== undefined) r.allocate = ratio(msg.allocate, `${where}: allocate`);
      return r;
    }
    default:
      fail(`${where}: unknown request type`);
  }
}
