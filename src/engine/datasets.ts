// Loading the datasets a request names (parsed once, kept in the engine's small cache), and the
// check that a dataset fits a model, with errors naming the file and the role of the data.

import { checkDatasetFits, datasetPreview, parseDataset, tokenSummary, type Dataset } from '../core/data';
import { problemKind } from '../core/errors';
import type { Handler, JobContext, OpenModel } from './context';
import { folderKey, loadImageFolder } from './dataset-folder';
import { EngineFailure } from './errors';
import { getModel } from './handlers/common';
import { feedProblem, modelCompanions, modelIo } from './model-io';
import { companionNote } from '../core/runtime/companion-inputs';
import { baseNameOf } from './platform';
import type { DatasetSource, DatasetSummary } from './protocol';

/** FNV-1a over the bytes (with the length): a cache key for picked files, not a security hash. */
function fingerprint(bytes: ArrayBuffer): string {
  const u = new Uint8Array(bytes);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) {
    h ^= u[i];
    h = Math.imul(h, 0x01000193);
  }
  return `${u.length}:${(h >>> 0).toString(16)}`;
}

/** A string equal for two sources that name the same data. */
export function datasetKey(source: DatasetSource): string {
  switch (source.kind) {
    case 'sample':
      return `sample:${source.split ?? 'test'}`;
    case 'paths':
      return `paths:${source.paths.join('\n')}`;
    case 'bytes':
      return `bytes:${source.files.map((f) => `${f.name}=${fingerprint(f.bytes)}`).join('\n')}`;
    case 'folder':
    case 'folderFiles':
      return folderKey(source, fingerprint);
  }
}

/** How a source is named in messages: its images file (or its only file), or the bundled split. */
export function datasetLabel(source: DatasetSource): string {
  if (source.kind === 'sample') return `the bundled MNIST ${source.split ?? 'test'} split`;
  if (source.kind === 'folder') return source.path;
  if (source.kind === 'folderFiles') return source.root;
  const names = source.kind === 'paths' ? source.paths : source.files.map((f) => f.name);
  return names.find((n) => /images?/i.test(baseNameOf(n))) ?? names[0];
}

/** What a path that is not a regular file is, for messages (the code a platform's readFile gives). */
const NOT_A_FILE: Record<string, string> = {
  EISDIR: 'is a folder, not a dataset file',
  ENOTREG: 'is not a regular file (a FIFO, socket or device), not a dataset file',
  EFBIG: 'is too large to read as a dataset',
};

/** A dataset file's bytes; a folder, a FIFO or a device is refused naming the path. */
async function readDatasetFile(ctx: JobContext, path: string): Promise<Uint8Array> {
  try {
    return await ctx.platform.readFile(path);
  } catch (e) {
    const code = (e as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && code in NOT_A_FILE) {
      const detail = code === 'ENOTREG' && e instanceof Error && /\((.+)\)$/.exec(e.message)?.[1];
      const problem = detail ? `is a ${detail}, not a regular file: a dataset must be a regular file` : NOT_A_FILE[code];
      throw new EngineFailure('bad-dataset', `${path}: ${problem}`, path);
    }
    throw e;
  }
}

/**
 * The dataset a source names, parsed once and cached. `open`: the model it is for; an image folder
 * needs it (its images are brought to the model input's channels and size).
 */
export async function loadDataset(ctx: JobContext, source: DatasetSource, open?: OpenModel): Promise<Dataset> {
  if (source.kind === 'folder' || source.kind === 'folderFiles') {
    const where = datasetLabel(source);
    if (!open) throw new EngineFailure('bad-dataset', `${where}: a folder of images is read for a model (its input size); open the model first`, where);
    const io = modelIo(open.model, open.fileName);
    const key = `${datasetKey(source)}\n${io.dims.join(',')}`;
    const hit = ctx.datasets.get(key);
    if (hit) return hit;
    if (source.kind === 'folder' && !ctx.platform.allow(source.path, false)) {
      throw new EngineFailure('bad-request', `${source.path}: not allowed to read this path (choose it in a dialog)`, source.path);
    }
    const ds = await loadImageFolder(ctx, source, io);
    ctx.datasets.put(key, ds);
    return ds;
  }
  const key = source.kind === 'bytes' ? undefined : datasetKey(source);
  const cached = key !== undefined ? ctx.datasets.get(key) : undefined;
  if (cached) return cached;
  let files: { name: string; bytes: Uint8Array }[];
  if (source.kind === 'sample') {
    files = await ctx.platform.sampleDataset(source.split ?? 'test');
  } else if (source.kind === 'paths') {
    for (const p of source.paths) {
      if (!ctx.platform.allow(p, false)) throw new EngineFailure('bad-request', `${p}: not allowed to read this path (choose it in a dialog)`, p);
    }
    files = [];
    for (const p of source.paths) files.push({ name: p, bytes: await readDatasetFile(ctx, p) });
  } else {
    files = source.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
  }
  const ds = parseDataset(files);
  if (key !== undefined) ctx.datasets.put(key, ds);
  return ds;
}

export function datasetSummary(ds: Dataset, preview = false): DatasetSummary {
  const out: DatasetSummary = { name: ds.name, samples: ds.count, sampleShape: ds.sampleShape, classes: ds.classes };
  if (ds.conversion !== undefined) out.conversion = ds.conversion;
  if (ds.classNames) out.classNames = ds.classNames;
  if (ds.arrays) out.arrays = ds.arrays;
  if (preview && !ds.tokens && !ds.integerSamples) out.preview = datasetPreview(ds);
  if (ds.tokens) out.tokens = tokenSummary(ds.tokens);
  return out;
}

/** The `dataset` request: reads (or takes from the cache), checks against the model when named, describes. */
export const describeDataset: Handler<'dataset'> = async (req, ctx) => {
  const open = req.modelId !== undefined ? getModel(ctx, req.modelId) : undefined;
  const ds = await loadDataset(ctx, req.source, open);
  if (open) {
    const io = modelIo(open.model, open.fileName);
    try {
      checkDatasetFits(ds, io, io.classes);
    } catch (e) {
      // Nobody chose the bundled digits for this model: say so rather than name a file of ours.
      if (req.source.kind !== 'sample' || !(e instanceof Error) || problemKind(e) !== 'bad-dataset') throw e;
      throw new EngineFailure('bad-dataset', `${open.fileName}: no test set was chosen, and ${datasetLabel(req.source)} does not fit this model (${fitProblem(e, ds).problem}): choose its own test set`);
    }
    const fed = fedNote(open);
    const summary = { ...datasetSummary(ds, req.preview === true), ...(fed !== '' ? { fed } : {}) };
    return ds.tokens ? { ...summary, tokens: tokenSummary(ds.tokens, io.classes) } : summary;
  }
  return datasetSummary(ds, req.preview === true);
};

/**
 * What the model's other inputs are fed beside the samples (companion-inputs.ts), '' when none. An
 * input nobody can fill is refused when the model runs, naming it: the dataset itself is fine.
 */
function fedNote(open: OpenModel): string {
  return feedProblem(open.model) === undefined ? companionNote(modelCompanions(open.model, open.fileName)) : '';
}

/** A fit refusal split into the file it names (else the dataset's name) and the problem without that prefix. */
function fitProblem(e: Error, ds: Dataset): { named: string; problem: string } {
  const at = (e as { file?: unknown }).file;
  const named = typeof at === 'string' ? at : ds.name;
  return { named, problem: e.message.startsWith(`${named}: `) ? e.message.slice(named.length + 2) : e.message };
}

/**
 * Throws 'bad-dataset' naming the file (and what the data is for, e.g. "training set") unless its
 * samples fit the model input and, when `classes` is given, its labels fit the model's outputs.
 */
export function checkFits(ds: Dataset, source: DatasetSource, role: string, input: { dims: (number | string | null)[]; name?: string; elemType?: number }, classes?: number): void {
  try {
    checkDatasetFits(ds, input, classes ?? Number.MAX_SAFE_INTEGER);
  } catch (e) {
    if (!(e instanceof Error) || problemKind(e) !== 'bad-dataset') throw e;
    const { named, problem } = fitProblem(e, ds);
    const file = source.kind === 'sample' ? datasetLabel(source) : named;
    throw new EngineFailure('bad-dataset', `${role} ${file}: ${problem}`, source.kind === 'sample' ? undefined : file);
  }
}

/** Refuses a language-model test set (token ids) where only labelled samples are measured (sensitivity, per-node error). */
export function refuseTokenIds(ds: Dataset, what: string): void {
  if (!ds.tokens) return;
  const file = ds.file ?? ds.name;
  throw new EngineFailure('bad-dataset', `${file}: token ids (a language-model test set) are measured by eval and sweep (loss, perplexity); ${what} needs labelled samples`, file);
}
