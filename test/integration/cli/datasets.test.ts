// `prunescope eval` / `sweep` on datasets as a user gives them: gzip as RFC 1952 defines it (made
// by node:zlib and by the real gzip program), damaged and hostile files (bad CRC, trailing bytes,
// a gzip bomb, a folder, a FIFO, a device, no samples, hexadecimal text), errors naming the full
// file at fault, `--data IMAGES LABELS` as the usage line reads, a model no runtime can run, and
// the sparsity of a model pruned before it is evaluated.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, IdxType } from '../../../src/core/data';
import { encodeModel } from '../../../src/core/onnx/encode';
import { DataType } from '../../../src/core/onnx/model';
import { ROOT, cliBin, prunescope, type RunResult } from '../../support/cli';
import { graph, model, node } from '../../support/hand-models';
import { fileTempDir } from '../../support/temp-dir';

const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
const IMAGES = join(ROOT, 'resources/mnist/test-images-idx3-ubyte.gz');
const LABELS = join(ROOT, 'resources/mnist/test-labels-idx1-ubyte.gz');
const FAST = ['--limit', '50', '--batch', '0', '--runtimes', 'dense'];

const dir = fileTempDir('prunescope-datasets-');

/** One line on stderr starting "prunescope: <file>: ", exit 2, nothing on stdout (no table). */
function expectOneLineError(r: RunResult, file: string, problem: RegExp): void {
  expect(r.stderr.split('\n').filter((l) => l !== ''), r.stderr).toHaveLength(1);
  expect(r.stderr.startsWith(`prunescope: ${file}: `), r.stderr).toBe(true);
  expect(r.stderr).toMatch(problem);
  expect(r.code).toBe(2);
  expect(r.stdout).not.toMatch(/ratio\s+sparsity/);
}

/** The dense accuracy of an eval table's single row. */
function denseAccuracy(r: RunResult): string {
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  const head = lines[1].trim().split(/\s{2,}/);
  const row = lines[2].trim().split(/\s{2,}/);
  return row[head.indexOf('dense acc')];
}

const evalOn = (data: string[], extra: string[] = FAST): RunResult => prunescope(['eval', SAMPLE, ...data.flatMap((d) => ['--data', d]), ...extra]);

/** evalOn for a path that could block a reader: killed after a generous 120 s (then the exit code is -1). */
function evalOnGuarded(data: string): RunResult {
  const r = spawnSync(process.execPath, [cliBin(), 'eval', SAMPLE, '--data', data, ...FAST], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('gzip datasets', () => {
  it('accepts a valid multi-member gzip (cat a.gz b.gz, made by the gzip program)', () => {
    const raw = gunzipSync(readFileSync(LABELS));
    const a = execFileSync('gzip', ['-c'], { input: raw.subarray(0, 1000) });
    const b = execFileSync('gzip', ['-c'], { input: raw.subarray(1000) });
    const both = join(dir, 'multi-labels.gz');
    writeFileSync(both, Buffer.concat([a, b]));
    expect(denseAccuracy(evalOn([IMAGES, both]))).toBe(denseAccuracy(evalOn([IMAGES, LABELS])));
  });

  it('refuses a wrong CRC32 and bytes after the gzip data, naming the file', () => {
    const gz = readFileSync(LABELS);
    const crc = join(dir, 'crc-labels.gz');
    const bad = Buffer.from(gz);
    bad[bad.length - 6] ^= 0x10;
    writeFileSync(crc, bad);
    expectOneLineError(evalOn([IMAGES, crc]), crc, /CRC32/);
    const tail = join(dir, 'tail-labels.gz');
    writeFileSync(tail, Buffer.concat([gz, Buffer.from('junk')]));
    expectOneLineError(evalOn([IMAGES, tail]), tail, /4 bytes after the end of the gzip data/);
  });

  it('refuses a gzip bomb (2 GiB of zeros in 2 MB) after the bytes its IDX header declares', () => {
    const header = encodeIdx(IdxType.UBYTE, [2000], new Array(2000).fill(1));
    const zeros = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
    const bomb = join(dir, 'bomb-labels.gz');
    writeFileSync(bomb, Buffer.concat([gzipSync(header), ...new Array(2048).fill(zeros)]));
    expectOneLineError(evalOn([IMAGES, bomb]), bomb, /decompresses to more than its header declares/);
  });
});

describe('dataset paths that are not data files', () => {
  it('reads a folder as a folder of images: an empty one is refused', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expectOneLineError(evalOn([empty]), empty, /: holds no class folders; an image folder holds one subfolder of PNG or JPEG images per class$/m);
  });

  it('refuses a FIFO without blocking', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expectOneLineError(evalOnGuarded(fifo), fifo, /is a FIFO, not a regular file/);
  });

  it('refuses a device without reading it', () => {
    expectOneLineError(evalOnGuarded('/dev/zero'), '/dev/zero', /is a character device, not a regular file/);
  });
});

describe('dataset contents', () => {
  it('refuses a dataset without samples instead of reporting NaN', () => {
    const images = join(dir, 'empty-images-idx3-ubyte');
    const labels = join(dir, 'empty-labels-idx1-ubyte');
    writeFileSync(images, encodeIdx(IdxType.UBYTE, [0, 28, 28], []));
    writeFileSync(labels, encodeIdx(IdxType.UBYTE, [0], []));
    expectOneLineError(evalOn([images, labels]), images, /: no samples/);
  });

  it('refuses hexadecimal text values with the line and column', () => {
    const text = join(dir, 'hex.txt');
    const line = (first: string, label: string): string => [first, ...new Array(783).fill('0')].join(' ') + ` ${label}\n`;
    writeFileSync(text, line('0', '7') + line('0x1', '2'));
    expectOneLineError(evalOn([text]), text, /line 2, column 1 \(value 1\): "0x1" is not a number \(values are decimal numbers\)/);
  });

  it('names the full path of a file that does not fit, and the labels file for labels', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const narrow = join(dir, 'sub', 'narrow.txt');
    writeFileSync(narrow, '1 2 3 0\n');
    expectOneLineError(evalOn([narrow]), narrow, /samples have shape \[3\] \(3 values\)/);
    const images = join(dir, 'sub', 'few-images-idx3-ubyte');
    const labels = join(dir, 'sub', 'few-labels-idx1-ubyte');
    writeFileSync(images, encodeIdx(IdxType.UBYTE, [2, 28, 28], new Array(2 * 784).fill(0)));
    writeFileSync(labels, encodeIdx(IdxType.UBYTE, [2], [3, 12]));
    expectOneLineError(evalOn([images, labels]), labels, /labels go up to 12 but the model has 10 outputs/);
  });
});

describe('--data IMAGES LABELS', () => {
  it('takes two files after one --data, before or after the model', () => {
    const expected = denseAccuracy(evalOn([IMAGES, LABELS]));
    expect(denseAccuracy(prunescope(['eval', SAMPLE, '--data', IMAGES, LABELS, ...FAST]))).toBe(expected);
    expect(denseAccuracy(prunescope(['eval', '--data', LABELS, IMAGES, SAMPLE, ...FAST]))).toBe(expected);
  });

  it('still reads `--data TEXT MODEL` as one text file and the model', () => {
    const text = join(dir, 'one.txt');
    writeFileSync(text, [...new Array(784).fill('0'), '3'].join(' ') + '\n');
    const r = prunescope(['eval', '--data', text, SAMPLE, ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sample-mlp\.onnx: 1 samples/);
  });
});

describe('eval answers', () => {
  it('exits 2 with the reasons when no runtime can run the model', () => {
    const m = model(
      graph('mystery', {
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 784] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['N', 10] } }],
        nodes: [{ ...node('Mystery', ['x'], ['y']), domain: 'org.example.nothing' }],
      }),
    );
    m.opsetImports.push({ domain: 'org.example.nothing', version: 1 });
    const file = join(dir, 'mystery.onnx');
    writeFileSync(file, encodeModel(m));
    const r = prunescope(['eval', file, '--limit', '20', '--batch', '0']);
    expectOneLineError(r, file, /no runtime could run this model \(sparse: .*Mystery.*; dense: .*Mystery.*; onnxruntime: .+\)/);
  });

  it('reports the sparsity an already-pruned model holds at ratio 0', () => {
    const pruned = join(dir, 'pruned-half.onnx');
    const p = prunescope(['prune', SAMPLE, '--ratio', '0.5', '-o', pruned]);
    expect(p.code, p.stderr).toBe(0);
    // Per layer, ratio 0.5 zeroes exactly half of each weight matrix (every one has an even size).
    const r = prunescope(['eval', pruned, ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    const [head, row] = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s{2,}/));
    expect(row[head.indexOf('sparsity')]).toBe('0.500');
    expect(row[head.indexOf('ratio')]).toBe('0');
    // no --data: the bundled split is said as such, not as a bare file name
    expect(r.stdout.split('\n')[0]).toMatch(/^pruned-half\.onnx: 50 samples of the bundled MNIST test split \(no --data given\)/);
  });

  it('without --data, a model the bundled digits do not fit (a language model) is told to choose its own test set', () => {
    const gpt = join(ROOT, 'test/models/language/char-gpt.onnx');
    const r = prunescope(['eval', gpt, ...FAST]);
    expect(r.stderr.trim()).toBe("prunescope: char-gpt.onnx: no test set was chosen, and the bundled MNIST test split does not fit this model (samples are float values; model input 'input_ids' takes int64): choose its own test set");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
