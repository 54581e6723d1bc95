// Short human-readable text for ONNX types, shapes and attribute values, as the summaries, the CLI
// and the UI show them: `float32[N,1,28,28]`, `[3, 3]`, `graph "then_branch" (4 nodes)`.
import { elementCount, type Attribute, type Dim, type Graph, type Tensor, type TypeInfo } from '../onnx/model';
import { dtypeName } from '../onnx/tensor';
import { formatFloat32 } from './numbers';

/** `[N,1,28,28]`; unknown dims as `?`. */
export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/** `float32[N,1,28,28]`, `int64` (rank unknown), `sequence<float32[?]>`, `map<int64,float32>`. */
export function typeText(t: TypeInfo | undefined): string {
  if (t === undefined) return '?';
  switch (t.kind) {
    case 'tensor':
      return dtypeName(t.elemType) + (t.shape ? shapeText(t.shape) : '');
    case 'sparse_tensor':
      return `sparse ${dtypeName(t.elemType)}${t.shape ? shapeText(t.shape) : ''}`;
    case 'sequence':
      return `sequence<${typeText(t.elem)}>`;
    case 'map':
      return `map<${dtypeName(t.keyType)},${typeText(t.value)}>`;
    case 'optional':
      return `optional<${typeText(t.elem)}>`;
    default:
      return '?';
  }
}

/** `float32[1000,784]` for a tensor's own type and dims. */
export function tensorTypeText(t: Pick<Tensor, 'dataType' | 'dims'>): string {
  return dtypeName(t.dataType) + shapeText(t.dims);
}

const MAX_ITEMS = 16;
const MAX_CHARS = 120;

function clip(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}

function listText<T>(items: readonly T[], one: (item: T) => string): string {
  const shown = items.slice(0, MAX_ITEMS).map(one);
  if (items.length > MAX_ITEMS) shown.push(`… ${items.length} items`);
  return clip(`[${shown.join(', ')}]`);
}

/** A tensor value in a few words: its type, and its values when there are at most 8. */
export function tensorValueText(t: Tensor): string {
  const head = tensorTypeText(t);
  const n = elementCount(t.dims);
  const d = t.data;
  if (d === undefined) return `${head} (external)`;
  if (n > 8 || Array.isArray(d) || d.length < n) return head;
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = d[i];
    values.push(typeof v === 'bigint' ? String(v) : d instanceof Float32Array ? formatFloat32(v) : String(v));
  }
  return `${head} ${n === 1 && t.dims.length === 0 ? values[0] : `[${values.join(', ')}]`}`;
}

function graphText(g: Graph): string {
  return `graph ${JSON.stringify(g.name)} (${g.nodes.length} nodes)`;
}

/** The display string of an attribute's value. */
export function attributeText(a: Attribute): string {
  switch (a.type) {
    case 'float':
      return formatFloat32(a.value);
    case 'int':
      return String(a.value);
    case 'string':
      return clip(a.value);
    case 'tensor':
      return tensorValueText(a.value);
    case 'graph':
      return graphText(a.value);
    case 'sparse_tensor':
      return `sparse ${tensorTypeText({ dataType: a.value.values.dataType, dims: a.value.dims })} (${elementCount(a.value.values.dims)} stored)`;
    case 'type_proto':
      return typeText(a.value);
    case 'floats':
      return listText(a.value, formatFloat32);
    case 'ints':
      return listText(a.value, String);
    case 'strings':
      return listText(a.value, (s) => JSON.stringify(s));
    case 'tensors':
      return listText(a.value, tensorTypeText);
    case 'graphs':
      return listText(a.value, graphText);
    case 'sparse_tensors':
      return `${a.value.length} sparse tensors`;
    case 'type_protos':
      return listText(a.value, typeText);
    default:
      return a.refAttrName !== undefined ? `@${a.refAttrName}` : '';
  }
}
