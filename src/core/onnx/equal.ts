// Deep comparison of normalized models and tensors: typed arrays by value, NaN equal to NaN.

type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

function typedDiff(a: TypedArray, b: TypedArray, path: string): string | undefined {
  if (a.constructor !== b.constructor) return `${path}: ${a.constructor.name} vs ${b.constructor.name}`;
  if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(x !== x && y !== y)) return `${path}[${i}]: ${String(x)} vs ${String(y)}`;
  }
  return undefined;
}

/**
 * The first difference between two values as "path: a vs b", or undefined when they are equal.
 * Objects compare by their defined keys (a key set to undefined equals a missing key), arrays and
 * typed arrays element by element, numbers with NaN equal to NaN.
 */
export function deepDiff(a: unknown, b: unknown, path = ''): string | undefined {
  if (sameScalar(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path || '<root>'}: ${show(a)} vs ${show(b)}`;
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a instanceof DataView || b instanceof DataView) {
      return `${path}: ${show(a)} vs ${show(b)}`;
    }
    return typedDiff(a as TypedArray, b as TypedArray, path);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: array vs non-array`;
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = deepDiff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    if (ao[k] === undefined && bo[k] === undefined) continue;
    const d = deepDiff(ao[k], bo[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 60) + '…' : v);
  if (v === null || typeof v !== 'object') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as TypedArray).length})`;
  return Array.isArray(v) ? `array(${v.length})` : 'object';
}

/** True when two models (or tensors, graphs, …) hold the same content; see deepDiff. */
export function modelsEqual(a: unknown, b: unknown): boolean {
  return deepDiff(a, b) === undefined;
}
