// Tensors whose bytes live in a file beside the model (data_location = EXTERNAL).
import { elementCount, type Attribute, type Graph, type Model, type Node, type SparseTensor, type Tensor } from './model';
import { OnnxError } from './errors';
import { Ctx, checkLength, checkSparse, viewRaw } from './from-proto';
import { arrayTypeOf, storageLength } from './dtype';

function attributeTensors(a: Attribute, out: Tensor[]): void {
  switch (a.type) {
    case 'tensor':
      out.push(a.value);
      break;
    case 'tensors':
      out.push(...a.value);
      break;
    case 'sparse_tensor':
      out.push(a.value.values, a.value.indices);
      break;
    case 'sparse_tensors':
      for (const s of a.value) out.push(s.values, s.indices);
      break;
    case 'graph':
      graphTensors(a.value, out);
      break;
    case 'graphs':
      for (const g of a.value) graphTensors(g, out);
      break;
    default:
      break;
  }
}

function nodeTensors(nodes: Node[], out: Tensor[]): void {
  for (const n of nodes) for (const a of n.attributes) attributeTensors(a, out);
}

function graphTensors(g: Graph, out: Tensor[]): void {
  out.push(...g.initializers);
  for (const s of g.sparseInitializers) out.push(s.values, s.indices);
  nodeTensors(g.nodes, out);
}

/** Every tensor of the model: initializers, sparse parts, attribute tensors, in subgraphs and functions. */
export function allTensors(model: Model): Tensor[] {
  const out: Tensor[] = [];
  graphTensors(model.graph, out);
  for (const f of model.functions) {
    nodeTensors(f.nodes, out);
    for (const a of f.attributeDefaults) attributeTensors(a, out);
  }
  return out;
}

/** The tensors whose data is still in an external file (recursively, subgraphs included). */
export function externalTensors(model: Model): Tensor[] {
  return allTensors(model).filter((t) => t.external !== undefined && t.data === undefined);
}

/**
 * Why a location may not be read, or undefined when it is a plain relative path inside the
 * model's folder (no absolute path, drive letter, URL-like scheme, or '..' segment).
 */
export function unsafeLocation(location: string): string | undefined {
  if (location === '') return 'an empty location';
  if (location.includes('\0')) return 'a NUL character';
  if (/^[\\/]/.test(location)) return 'an absolute path';
  if (/^[a-zA-Z]:/.test(location)) return 'a drive or scheme prefix';
  if (location.split(/[\\/]/).some((seg) => seg === '..')) return "a '..' segment that leaves the model's folder";
  return undefined;
}

/**
 * Access to the files beside a model, by location relative to its folder. `size` is the size of
 * the regular file there, or undefined when there is no file; it throws an OnnxError for a file
 * that may not be read (outside the folder through a link, a device, a FIFO, a folder). `read`
 * returns exactly bytes [offset, offset + length) of it: nothing outside the declared range is read.
 */
export interface ExternalFiles {
  size(location: string): number | undefined;
  read(location: string, offset: number, length: number): Uint8Array;
}

/** A whole-file reader (location → bytes, undefined when missing) as ExternalFiles, each file read once. */
function wholeFiles(read: (location: string) => Uint8Array | undefined): ExternalFiles {
  const cache = new Map<string, Uint8Array | undefined>();
  const get = (location: string): Uint8Array | undefined => {
    if (!cache.has(location)) cache.set(location, read(location));
    return cache.get(location);
  };
  return {
    size: (location) => get(location)?.byteLength,
    read: (location, offset, length) => get(location)!.subarray(offset, offset + length),
  };
}

/** Every sparse tensor of the model (initializers and attributes, in subgraphs and functions). */
function allSparse(model: Model): SparseTensor[] {
  const out: SparseTensor[] = [];
  const attrs = (list: Attribute[]): void => {
    for (const a of list) {
      if (a.type === 'sparse_tensor') out.push(a.value);
      else if (a.type === 'sparse_tensors') out.push(...a.value);
      else if (a.type === 'graph') graph(a.value);
      else if (a.type === 'graphs') a.value.forEach(graph);
    }
  };
  const graph = (g: Graph): void => {
    out.push(...g.sparseInitializers);
    for (const n of g.nodes) attrs(n.attributes);
  };
  graph(model.graph);
  for (const f of model.functions) {
    for (const n of f.nodes) attrs(n.attributes);
    attrs(f.attributeDefaults);
  }
  return out;
}

/**
 * Checks every unresolved external tensor against the files beside the model without reading
 * them: a safe location, a file that exists, a declared range inside it, and as many bytes as the
 * dims ask for. Returns each tensor's byte range. Errors (OnnxError) name the model file, the
 * tensor and the external file.
 */
export function checkExternalData(model: Model, size: (location: string) => number | undefined, fileName: string): Map<Tensor, { offset: number; length: number }> {
  const sizes = new Map<string, number | undefined>();
  const ctx = new Ctx(fileName);
  const out = new Map<Tensor, { offset: number; length: number }>();
  for (const t of externalTensors(model)) {
    const x = t.external!;
    const tname = JSON.stringify(t.name);
    const bad = unsafeLocation(x.location);
    if (bad) {
      throw new OnnxError('bad-model', `tensor ${tname}: external data location ${JSON.stringify(x.location)} is refused (${bad})`, fileName);
    }
    if (!sizes.has(x.location)) sizes.set(x.location, size(x.location));
    const have = sizes.get(x.location);
    if (have === undefined) {
      throw new OnnxError('external-missing', `external data file ${x.location} (for tensor ${tname}) not found`, fileName);
    }
    const end = x.length === undefined ? have : x.offset + x.length;
    if (x.offset > have || end > have) {
      throw new OnnxError('external-range', `tensor ${tname}: bytes ${x.offset}..${end} are outside external data file ${x.location} (${have} bytes)`, fileName);
    }
    // The stored bytes must be what the dims ask for before anything is read (a huge range is
    // refused here, not after reading it).
    const want = expectedBytes(t);
    if (want !== undefined && want !== end - x.offset) {
      ctx.fail(`tensor ${tname}: dims [${t.dims.join(', ')}] need ${want} bytes, external data file ${x.location} holds ${end - x.offset} for it (bytes ${x.offset}..${end})`);
    }
    out.set(t, { offset: x.offset, length: end - x.offset });
  }
  return out;
}

/**
 * Reads every unresolved external tensor through `files` (locations relative to the model's
 * folder) and sets its `data`, removing `external`. Only each tensor's declared byte range is read,
 * into memory of its own (aligned). A plain function (location → whole file bytes, undefined when
 * missing) also works: each file is then read once and tensors view it. Errors (OnnxError) name the
 * model file, the tensor and the external file.
 */
export function resolveExternalData(model: Model, files: ExternalFiles | ((location: string) => Uint8Array | undefined), fileName: string): void {
  const io = typeof files === 'function' ? wholeFiles(files) : files;
  const ranges = checkExternalData(model, (location) => io.size(location), fileName);
  for (const [t, r] of ranges) setData(t, io.read(t.external!.location, r.offset, r.length), fileName);
  checkResolvedSparse(model, new Set(ranges.keys()), fileName);
}

function setData(t: Tensor, bytes: Uint8Array, fileName: string): void {
  const ctx = new Ctx(fileName);
  t.data = viewRaw(t.dataType, bytes, t.name, ctx);
  delete t.external;
  checkLength(t, ctx);
}

function checkResolvedSparse(model: Model, resolved: Set<Tensor>, fileName: string): void {
  if (resolved.size === 0) return;
  const ctx = new Ctx(fileName);
  for (const s of allSparse(model)) {
    if (resolved.has(s.values) || resolved.has(s.indices)) checkSparse(s, ctx);
  }
}

/**
 * The stored bytes of a model's external tensors, read on demand, tensor by tensor (the platform's
 * file access: positional reads of the declared range only). Ranges were checked at open.
 */
export interface TensorBytes {
  /** Bytes of every external tensor not yet read into the model. */
  readonly totalBytes: number;
  /** The tensor's stored bytes in memory of their own (aligned; shared memory where the platform has it). */
  read(t: Tensor): Promise<Uint8Array>;
  /** Bytes [from, from + length) of the tensor's stored bytes (a chunk of a large tensor). */
  readChunk(t: Tensor, from: number, length: number): Promise<Uint8Array>;
  /** Bytes the tensor stores. */
  storedBytes(t: Tensor): number;
  /**
   * Gives back memory `read` returned (a tensor's data viewing it) once nothing uses it any more,
   * to be reused by later reads: streaming passes then hold a few buffers, whatever the model's
   * size, instead of waiting for the garbage collector. Anything else is ignored.
   */
  release(data: unknown): void;
  close(): Promise<void>;
}

/** A copy of an external tensor with these (its stored) bytes as its data; the tensor itself is unchanged. */
export function withExternalBytes(t: Tensor, bytes: Uint8Array, fileName: string): Tensor {
  const copy: Tensor = { ...t, dims: [...t.dims] };
  setData(copy, bytes, fileName);
  return copy;
}

/**
 * Reads every external tensor through `bytes` and sets its data (the whole model in memory, for
 * requests that need it); `step` runs after each tensor (progress, cancel: it may throw).
 */
export async function loadExternalData(model: Model, bytes: TensorBytes, fileName: string, step?: (done: number, total: number, t: Tensor) => Promise<void> | void): Promise<void> {
  const list = externalTensors(model);
  const resolved = new Set<Tensor>();
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    setData(t, await bytes.read(t), fileName);
    resolved.add(t);
    await step?.(i + 1, list.length, t);
  }
  checkResolvedSparse(model, resolved, fileName);
}

/** Bytes of raw data a fixed-size tensor needs (undefined for strings). */
function expectedBytes(t: Tensor): number | undefined {
  const ctor = arrayTypeOf(t.dataType);
  if (!ctor) return undefined;
  return storageLength(t.dataType, elementCount(t.dims)) * ctor.BYTES_PER_ELEMENT;
}
