// Tensors whose bytes live in a file beside the model (data_location = EXTERNAL).
import type { Attribute, Graph, Model, Node, Tensor } from './model';
import { OnnxError } from './errors';
import { Ctx, checkLength, viewRaw } from './from-proto';

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
 * Reads every unresolved external tensor through `read` (given the location relative to the
 * model's folder; undefined when the file does not exist) and sets its `data`, removing
 * `external`. Each external file is read once. Typed arrays view the returned bytes when aligned.
 * Errors (OnnxError) name the model file and the external file.
 */
export function resolveExternalData(model: Model, read: (location: string) => Uint8Array | undefined, fileName: string): void {
  const cache = new Map<string, Uint8Array | undefined>();
  const ctx = new Ctx(fileName);
  for (const t of externalTensors(model)) {
    const x = t.external!;
    const tname = JSON.stringify(t.name);
    const bad = unsafeLocation(x.location);
    if (bad) {
      throw new OnnxError('bad-model', `tensor ${tname}: external data location ${JSON.stringify(x.location)} is refused (${bad})`, fileName);
    }
    if (!cache.has(x.location)) cache.set(x.location, read(x.location));
    const bytes = cache.get(x.location);
    if (!bytes) {
      throw new OnnxError('external-missing', `external data file ${x.location} (for tensor ${tname}) not found`, fileName);
    }
    const end = x.length === undefined ? bytes.byteLength : x.offset + x.length;
    if (x.offset > bytes.byteLength || end > bytes.byteLength) {
      throw new OnnxError(
        'external-range',
        `tensor ${tname}: bytes ${x.offset}..${end} are outside external data file ${x.location} (${bytes.byteLength} bytes)`,
        fileName,
      );
    }
    t.data = viewRaw(t.dataType, bytes.subarray(x.offset, end), t.name, ctx);
    delete t.external;
    if (!t.segment) checkLength(t, ctx);
  }
}
