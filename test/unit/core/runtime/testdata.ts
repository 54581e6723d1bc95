// Helpers for the ONNX backend test data (libonnx-testdata): reading cases and comparing tensors.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx';
import { DataType, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { tensorToFloat64 } from '../../../../src/core/onnx';
import type { RtData, RtTensor } from '../../../../src/core/runtime';

export const NODE_DIR = '/usr/share/libonnx-testdata/data/node';

export function readBytes(file: string): Uint8Array {
  // A plain Uint8Array copy: typed-array views into it are then aligned to its own buffer.
  return new Uint8Array(readFileSync(file));
}

export interface Case {
  name: string;
  model: Model;
  sets: { inputs: Tensor[]; outputs: Tensor[] }[];
}

function pbFiles(dir: string, kind: 'input' | 'output'): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${kind}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(kind.length + 1, -3)) - Number(b.slice(kind.length + 1, -3)))
    .map((f) => join(dir, f));
}

export function caseNames(): string[] {
  return existsSync(NODE_DIR) ? readdirSync(NODE_DIR).filter((d) => existsSync(join(NODE_DIR, d, 'model.onnx'))).sort() : [];
}

export function loadModel(name: string): Model {
  const file = join(NODE_DIR, name, 'model.onnx');
  return decodeModel(readBytes(file), file);
}

export function loadCase(name: string, model: Model, base = NODE_DIR): Case {
  const dir = join(base, name);
  const sets = readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort()
    .map((d) => ({
      inputs: pbFiles(join(dir, d), 'input').map((f) => decodeTensor(readBytes(f), f)),
      outputs: pbFiles(join(dir, d), 'output').map((f) => decodeTensor(readBytes(f), f)),
    }));
  return { name, model, sets };
}

export function toRt(t: Tensor): RtTensor {
  if (t.data === undefined || Array.isArray(t.data)) throw new Error(`tensor "${t.name}": no numeric data`);
  return { dims: [...t.dims], data: t.data as RtData, dataType: t.dataType };
}

/** Why `got` differs from `want` (float: |d| ≤ 1e-6 + 1e-5·|want|; integers and bools exactly), or undefined. */
export function mismatch(got: RtTensor, want: Tensor, rtol = 1e-5, atol = 1e-6): string | undefined {
  if (got.dataType !== want.dataType) return `element type ${got.dataType}, expected ${want.dataType}`;
  if (got.dims.join(',') !== want.dims.join(',')) return `dims [${got.dims.join(', ')}], expected [${want.dims.join(', ')}]`;
  const isFloat = [DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16].includes(want.dataType as 1);
  if (!isFloat) {
    const w = want.data as ArrayLike<number | bigint>;
    for (let i = 0; i < w.length; i++) {
      if (got.data[i] !== w[i]) return `element ${i} is ${got.data[i]}, expected ${w[i]}`;
    }
    return undefined;
  }
  const g = tensorToFloat64({ name: 'got', dims: got.dims, data: got.data, dataType: got.dataType });
  const w = tensorToFloat64(want);
  // float16/bfloat16 have ~3 significant digits: compare them at their own precision.
  const half = want.dataType === DataType.FLOAT16 || want.dataType === DataType.BFLOAT16;
  const rt = half ? 1e-2 : rtol;
  const at = half ? 1e-3 : atol;
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (Number.isNaN(b) ? !Number.isNaN(a) : !(Math.abs(a - b) <= at + rt * Math.abs(b) || a === b)) {
      return `element ${i} is ${a}, expected ${b}`;
    }
  }
  return undefined;
}
