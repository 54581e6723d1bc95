// A model opened from picked files (the browser build's path, here with Node's Blob): its external
// data resolved among the picked files by relative path or name, read on demand for statistics and
// export; a missing or short data file named in one line; data over the engine's limit refused at open.
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../../src/core/onnx/encode';
import { decodeModel } from '../../../src/core/onnx/decode';
import { DataType, type Model } from '../../../src/core/onnx/model';
import { EngineRequestError } from '../../../src/engine/client';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform } from '../../../src/engine/node/platform';
import { resolvePicked } from '../../../src/engine/picked-files';

const W = [0.5, -2, 0, 1.5, -0.25, 3]; // [3, 2]
const B = [0.1, 0.2];

function model(location: string): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', metadataProps: [], functions: [],
    graph: {
      name: 'g', valueInfo: [], sparseInitializers: [],
      nodes: [{ name: 'mm', opType: 'Gemm', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: [] }],
      initializers: [
        { name: 'w', dataType: DataType.FLOAT, dims: [3, 2], external: { location, offset: 8, length: 24, entries: [] } },
        { name: 'b', dataType: DataType.FLOAT, dims: [2], data: new Float32Array(B) },
      ],
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 3] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 2] } }],
    },
  };
}

/** 8 bytes of padding, then W. */
function dataBlob(cut = 0): Blob {
  const bytes = new Uint8Array(8 + 24);
  bytes.set(new Uint8Array(new Float32Array(W).buffer), 8);
  return new Blob([bytes.subarray(0, bytes.length - cut)]);
}

const bytesOf = (m: Model): ArrayBuffer => encodeModel(m).slice().buffer;

describe('a model opened with picked external data files', () => {
  it('resolves locations by relative path within a picked folder, else by name', () => {
    const files = [
      { name: 'f/a/w.data', file: new Blob([]) },
      { name: 'f/b/w.data', file: new Blob([]) },
      { name: 'only.bin', file: new Blob([]) },
    ];
    expect(resolvePicked('f/b/m.onnx', 'w.data', files)?.name).toBe('f/b/w.data');
    expect(resolvePicked('f/m.onnx', 'a/w.data', files)?.name).toBe('f/a/w.data');
    expect(resolvePicked('m.onnx', 'sub/only.bin', files)?.name).toBe('only.bin');
    expect(resolvePicked('m.onnx', 'w.data', files)).toBeUndefined(); // two files of that name elsewhere: ambiguous
  });

  it('reads the weights on demand for statistics and export', async () => {
    const { client } = inProcessEngine(nodePlatform().platform);
    const s = await client.call({ type: 'open', source: { kind: 'bytes', name: 'pick/m.onnx', bytes: bytesOf(model('weights/w.data')), dataFiles: [{ name: 'pick/weights/w.data', file: dataBlob() }] } });
    expect(s.fileName).toBe('m.onnx');
    const [st] = await client.call({ type: 'stats', modelId: s.modelId, tensors: ['w'], bins: 4 });
    expect(st.min).toBe(-2);
    expect(st.max).toBe(3);
    expect(st.zeros).toBe(1);
    expect(st.count).toBe(6);
    // Export in memory (the browser's download): the data embedded, the smallest half zeroed.
    const r = await client.call({ type: 'export', modelId: s.modelId, spec: { ratio: 0.5, mode: 'layer' }, format: 'dense' });
    const out = decodeModel(new Uint8Array(r.bytes!), 'out.onnx');
    const w = out.graph.initializers.find((t) => t.name === 'w')!;
    expect([...(w.data as Float32Array)]).toEqual([0, -2, 0, 1.5, 0, 3]);
  });

  it('names a data file that was not picked, or is short, in one line', async () => {
    const { client } = inProcessEngine(nodePlatform().platform);
    const missing = client.call({ type: 'open', source: { kind: 'bytes', name: 'm.onnx', bytes: bytesOf(model('w.data')) } });
    await expect(missing).rejects.toThrow(/^m\.onnx: its external data file w\.data was not picked; open the \.onnx together with it/);
    const short = client.call({ type: 'open', source: { kind: 'bytes', name: 'm.onnx', bytes: bytesOf(model('w.data')), dataFiles: [{ name: 'w.data', file: dataBlob(4) }] } });
    await expect(short).rejects.toThrow(/^m\.onnx: tensor "w": bytes 8\.\.32 are outside external data file w\.data \(28 bytes\)$/);
    await expect(short).rejects.toBeInstanceOf(EngineRequestError);
  });

  it('refuses data over the engine limit before reading it', async () => {
    const platform = { ...nodePlatform().platform, memoryLimit: () => 16 };
    const { client } = inProcessEngine(platform);
    const big = client.call({ type: 'open', source: { kind: 'bytes', name: 'm.onnx', bytes: bytesOf(model('w.data')), dataFiles: [{ name: 'w.data', file: dataBlob() }] } });
    await expect(big).rejects.toThrow('m.onnx: its external data is 0.0 MB; the browser build opens models with up to 0.0 MB of data; use the desktop app or the CLI');
  });
});
