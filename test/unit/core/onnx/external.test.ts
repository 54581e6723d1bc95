// External data: tensors stored in a .bin beside the model, loaded by loadModelFile, checked by onnxruntime.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { deepDiff } from '../../../../src/core/onnx/equal';
import { OnnxError } from '../../../../src/core/onnx/errors';
import { externalTensors, resolveExternalData } from '../../../../src/core/onnx/external';
import { DataType, type Graph, type Model, type Tensor } from '../../../../src/core/onnx/model';
import { loadModelFile } from '../../../../src/engine/node/files';
import { ORT_OPTIONS } from './ort-helpers';
import { rejectionOf } from '../../../support/errors';
import { ortRunOnce } from '../../../support/ort';

const W = Float32Array.from({ length: 12 }, (_, i) => i * 0.25 - 1.5); // [3, 4]
const B = Float32Array.from([0.5, -1, 2]);
const X = Float32Array.from([1, -2, 0.5, 3]);

function ext(name: string, dims: number[], location: string, offset: number, length: number): Tensor {
  return { name, dataType: DataType.FLOAT, dims, external: { location, offset, length, entries: [] } };
}

/** Y = X · Wᵀ + B (Gemm, transB = 1) with W and B in an external file. */
function gemmModel(location = 'weights.bin', bOffset = 64): Model {
  const graph: Graph = {
    name: 'external',
    inputs: [{ name: 'X', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 4] } }],
    outputs: [{ name: 'Y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 3] } }],
    valueInfo: [],
    nodes: [{ name: 'gemm', opType: 'Gemm', domain: '', inputs: ['X', 'W', 'B'], outputs: ['Y'], attributes: [{ name: 'transB', type: 'int', value: 1 }] }],
    initializers: [ext('W', [3, 4], location, 0, 48), ext('B', [3], location, bOffset, 12)],
    sparseInitializers: [],
  };
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'prunescope-test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [], graph, functions: [],
  };
}

function weightsFile(): Uint8Array {
  const bin = new Uint8Array(4096);
  bin.set(new Uint8Array(W.buffer), 0);
  bin.set(new Uint8Array(B.buffer), 64);
  return bin;
}

/** Reference Gemm computed in float64. */
function expectedY(): number[] {
  return [0, 1, 2].map((r) => B[r] + [0, 1, 2, 3].reduce((s, k) => s + X[k] * W[r * 4 + k], 0));
}

async function runOrt(model: string | Uint8Array): Promise<Float32Array> {
  const { outputs } = await ortRunOnce(model, { X: new ort.Tensor('float32', X, [1, 4]) }, ORT_OPTIONS);
  return outputs.Y.data as Float32Array;
}

const loadError = (file: string): Promise<OnnxError> => rejectionOf(() => loadModelFile(file), OnnxError, `${file} loaded without an error`);

describe('external data', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prunescope-onnx-ext-'));
  const modelPath = path.join(dir, 'model.onnx');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    writeFileSync(modelPath, encodeModel(gemmModel()));
    writeFileSync(path.join(dir, 'weights.bin'), weightsFile());
  });

  test('loadModelFile resolves the .bin; onnxruntime, reading the same files, agrees', async () => {
    const { model, fileName } = await loadModelFile(modelPath);
    expect(fileName).toBe('model.onnx');
    const [w, b] = model.graph.initializers;
    expect(w.external).toBeUndefined();
    expect(Array.from(w.data as Float32Array)).toEqual(Array.from(W));
    expect(Array.from(b.data as Float32Array)).toEqual(Array.from(B));
    const fromFiles = await runOrt(modelPath);
    const ref = expectedY();
    fromFiles.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
    // The resolved model, encoded with its weights inline, computes the same in onnxruntime.
    const inline = encodeModel(model);
    expect(externalTensors(decodeModel(inline))).toEqual([]);
    expect(Array.from(await runOrt(inline))).toEqual(Array.from(fromFiles));
  });

  test('unresolved external tensors are written back as the same references', async () => {
    const bytes = encodeModel(gemmModel());
    const model = decodeModel(bytes, 'model.onnx');
    const ext = externalTensors(model);
    expect(ext.map((t) => [t.name, t.external?.location, t.external?.offset, t.external?.length])).toEqual([
      ['W', 'weights.bin', 0, 48],
      ['B', 'weights.bin', 64, 12],
    ]);
    expect(ext.every((t) => t.data === undefined)).toBe(true);
    const again = encodeModel(model);
    expect(deepDiff(decodeModel(again), model)).toBeUndefined();
    const copy = path.join(dir, 'copy.onnx');
    writeFileSync(copy, again);
    const ref = expectedY();
    (await runOrt(copy)).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
  });

  test('a missing .bin names both files', async () => {
    rmSync(path.join(dir, 'weights.bin'));
    const e = await loadError(modelPath);
    expect(e.code).toBe('external-missing');
    expect(e.message).toMatch(/^model\.onnx: .*weights\.bin.*not found/);
  });

  test('an offset/length beyond the end of the .bin names both files', async () => {
    writeFileSync(path.join(dir, 'weights.bin'), weightsFile().subarray(0, 70));
    const e = await loadError(modelPath);
    expect(e.code).toBe('external-range');
    expect(e.message).toMatch(/^model\.onnx: tensor "B": bytes 64\.\.76 are outside external data file weights\.bin \(70 bytes\)/);
  });

  test('locations that leave the model folder are refused', async () => {
    for (const loc of ['../weights.bin', 'sub/../../weights.bin', '/etc/hostname', 'C:\\weights.bin']) {
      writeFileSync(modelPath, encodeModel(gemmModel(loc)));
      const e = await loadError(modelPath);
      expect(e.code).toBe('bad-model');
      expect(e.message).toMatch(/refused/);
    }
  });

  test('external tensors inside subgraphs are found and resolved, each file read once', () => {
    const constant = (name: string, offset: number) => ({
      name: `c_${name}`, opType: 'Constant', domain: '', inputs: [], outputs: [name],
      attributes: [{ name: 'value', type: 'tensor' as const, value: ext(name, [3], 'weights.bin', offset, 12) }],
    });
    const branch = (name: string, offset: number): Graph => ({
      name, inputs: [], outputs: [{ name }], valueInfo: [], nodes: [constant(name, offset)], initializers: [], sparseInitializers: [],
    });
    const model = gemmModel();
    model.graph.nodes.push({
      name: 'if', opType: 'If', domain: '', inputs: ['cond'], outputs: ['z'],
      attributes: [
        { name: 'then_branch', type: 'graph', value: branch('then_out', 64) },
        { name: 'else_branch', type: 'graph', value: branch('else_out', 0) },
      ],
    });
    const decoded = decodeModel(encodeModel(model));
    expect(externalTensors(decoded).map((t) => t.name)).toEqual(['W', 'B', 'then_out', 'else_out']);
    let reads = 0;
    resolveExternalData(decoded, (loc) => (reads++, loc === 'weights.bin' ? weightsFile() : undefined), 'model.onnx');
    expect(reads).toBe(1);
    expect(externalTensors(decoded)).toEqual([]);
    const thenGraph = decoded.graph.nodes[1].attributes[0];
    expect(thenGraph.type).toBe('graph');
    if (thenGraph.type !== 'graph') return;
    const value = thenGraph.value.nodes[0].attributes[0];
    expect(value.type === 'tensor' && Array.from(value.value.data as Float32Array)).toEqual(Array.from(B));
  });
});
