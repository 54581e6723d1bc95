// --select / --exclude (tensor names and op types) on the real CLI with the LeNet CNN, and `info`
// listing the prunable tensors with their marks. Oracles: the Conv / Gemm weights found by a walk of
// the protobuf (onnx-buf), and the zeros counted in the written file read back by onnx-buf.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cliBin, prunescope } from '../../support/cli';
import { fileTempDir } from '../../support/temp-dir';

const LENET = join(ROOT, 'test/models/cnn/lenet.onnx');
const tmp = fileTempDir('prunescope-select-');

function weightsOf(file: string, op: string): string[] {
  return fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(file))).graph!.node.filter((n) => n.opType === op).map((n) => n.input[1]);
}

/** Zeros and elements of each initializer of the written file. */
function zeros(file: string): Map<string, { zeros: number; n: number }> {
  const out = new Map<string, { zeros: number; n: number }>();
  for (const t of fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(file))).graph!.initializer) {
    const raw = t.rawData.slice();
    const v = raw.length > 0 ? new Float32Array(raw.buffer, 0, raw.length / 4) : Float32Array.from(t.floatData);
    out.set(t.name, { zeros: v.filter((x) => x === 0).length, n: v.length });
  }
  return out;
}

const CONV = weightsOf(LENET, 'Conv');
const GEMM = weightsOf(LENET, 'Gemm');
const ORIGINAL = zeros(LENET);

beforeAll(() => {
  cliBin();
});

describe('--select and --exclude', () => {
  it('prune --select Conv: only the Conv weights lose round(R × n) entries', () => {
    const out = join(mkdtempSync(join(tmp, 'case-')), 'conv.onnx');
    const r = prunescope(['prune', LENET, '--ratio', '0.5', '--select', 'Conv', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of CONV) expect(r.stdout).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}\\s`, 'm'));
    for (const name of GEMM) expect(r.stdout).not.toContain(name);
    const z = zeros(out);
    for (const name of CONV) expect(z.get(name)!.zeros).toBe(Math.round(0.5 * z.get(name)!.n));
    for (const name of GEMM) expect(z.get(name)!.zeros).toBe(ORIGINAL.get(name)!.zeros);
  });

  it('export --exclude Gemm,NAME (comma list) and the default selection of the app (Conv and Gemm)', () => {
    const dir = mkdtempSync(join(tmp, 'case-'));
    const out = join(dir, 'ex.onnx');
    const r = prunescope(['export', LENET, '--ratio', '0.4', '--exclude', `Gemm,${CONV[0]}`, '-o', out]);
    expect(r.code).toBe(0);
    const z = zeros(out);
    expect(z.get(CONV[0])!.zeros).toBe(ORIGINAL.get(CONV[0])!.zeros);
    for (const name of CONV.slice(1)) expect(z.get(name)!.zeros).toBe(Math.round(0.4 * z.get(name)!.n));
    for (const name of GEMM) expect(z.get(name)!.zeros).toBe(ORIGINAL.get(name)!.zeros);
    const all = join(dir, 'all.onnx');
    expect(prunescope(['prune', LENET, '--ratio', '0.4', '-o', all]).code).toBe(0);
    const za = zeros(all);
    for (const name of [...CONV, ...GEMM]) expect(za.get(name)!.zeros).toBe(Math.round(0.4 * za.get(name)!.n));
  });

  it('an unknown name is one line listing the op types and tensors; nothing is written', () => {
    const out = join(mkdtempSync(join(tmp, 'case-')), 'bad.onnx');
    for (const args of [['--select', 'Conv,Conv2d'], ['--exclude', 'MatMul'], ['--select', 'c1.bias']]) {
      const r = prunescope(['prune', LENET, '--ratio', '0.5', ...args, '-o', out]);
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^prunescope: lenet\.onnx: --(select|exclude) \S+: not a prunable tensor or op type/);
      expect(lines[0]).toContain(`Tensors: ${[...CONV, ...GEMM].join(', ')}`);
      expect(existsSync(out)).toBe(false);
    }
    const e = prunescope(['eval', LENET, '--select', 'Conv2d', '--limit', '10']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--select Conv2d: not a prunable tensor or op type\. Op types: Conv, Gemm/);
  });

  it('info lists the prunable tensors with the default selection and their marks', () => {
    const r = prunescope(['info', LENET]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Prunable weights (${CONV.length + GEMM.length}; ${CONV.length + GEMM.length} selected by default`);
    expect(r.stdout).toMatch(new RegExp(`\\* ${CONV[0].replace(/\./g, '\\.')}\\s+Conv\\s.*first`));
    expect(r.stdout).toMatch(new RegExp(`\\* ${GEMM[GEMM.length - 1].replace(/\./g, '\\.')}\\s+Gemm\\s.*last`));
    const json = JSON.parse(prunescope(['info', LENET, '--json']).stdout) as { prunable: { name: string }[] };
    expect(json.prunable.map((p) => p.name)).toEqual([...CONV, ...GEMM]);
  });
});
