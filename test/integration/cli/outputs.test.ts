// Every output of every command never replaces an input: the model (under any spelling, through a
// symlinked folder alias, /proc/self/cwd or a hard link), its external data, the datasets. Ctrl-C
// during a large prune writes nothing and says so, during dump --matrices leaves none of the run's files; stale temporary files of killed writers are
// cleaned; a device as the output and a full disk are one line naming the output.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixFileNames } from '../../../src/core/dump';
import { decodeModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/encode';
import { DataType, type Tensor } from '../../../src/core/onnx/model';
import { cliBin, prunescope, ROOT, type RunResult } from '../../support/cli';
import { floats, graph, model, node } from '../../support/hand-models';

const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
const IMAGES = join(ROOT, 'resources/mnist/test-images-idx3-ubyte.gz');
const LABELS = join(ROOT, 'resources/mnist/test-labels-idx1-ubyte.gz');
/** A temporary file of the atomic writer: `.NAME.PID.HEX8.tmp`. */
const TEMP = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'prunescope-outputs-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A folder holding a copy of the sample model as model.onnx, and its bytes. */
function modelDir(): { dir: string; model: string; bytes: Buffer } {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  copyFileSync(SAMPLE, model);
  return { dir, model, bytes: readFileSync(model) };
}

/** Exit 2, one line naming `file` first, then the refusal; nothing on stdout. */
function expectRefused(r: RunResult, file: string, problem: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0].startsWith(`prunescope: ${file}: `), lines[0]).toBe(true);
  expect(lines[0]).toMatch(problem);
  expect(r.stdout).toBe('');
}

function temps(dir: string): string[] {
  return readdirSync(dir).filter((n) => TEMP.test(n));
}

/** The quickest sweep: one ratio, a few samples, one runtime, no timing. */
const QUICK_SWEEP = ['--ratios', '0', '--limit', '20', '--batch', '0', '--no-batch1', '--runtimes', 'sparse'];

beforeAll(() => {
  cliBin();
});

describe('sweep --csv never writes over the model or a dataset', () => {
  it.each([
    ['the same name', (d: string) => ['model.onnx', d]],
    ['./', (d: string) => ['./model.onnx', d]],
    ['sub/../', (d: string) => ['sub/../model.onnx', d]],
    ['//', (d: string) => [`/${d}//model.onnx`, d]],
  ])('%s', (_how, spell) => {
    const { dir, model, bytes } = modelDir();
    mkdirSync(join(dir, 'sub'));
    const [csv, cwd] = spell(dir);
    const r = prunescope(['sweep', 'model.onnx', ...QUICK_SWEEP, '--csv', csv], cwd);
    expectRefused(r, csv, /refusing to write over the model model\.onnx/);
    expect(readFileSync(model).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['model.onnx', 'sub']);
  });

  it('nor over the labels file of --data', () => {
    const { dir } = modelDir();
    copyFileSync(IMAGES, join(dir, 'images.gz'));
    copyFileSync(LABELS, join(dir, 'labels.gz'));
    const labels = readFileSync(join(dir, 'labels.gz'));
    const r = prunescope(['sweep', 'model.onnx', ...QUICK_SWEEP, '--data', 'images.gz', '--data', 'labels.gz', '--csv', './labels.gz'], dir);
    expectRefused(r, './labels.gz', /refusing to write over the dataset labels\.gz/);
    expect(readFileSync(join(dir, 'labels.gz')).equals(labels)).toBe(true);
  });

  it('and writes a new CSV beside them', () => {
    const { dir } = modelDir();
    const r = prunescope(['sweep', 'model.onnx', ...QUICK_SWEEP, '--csv', 'sweep.csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'sweep.csv'), 'utf8').split('\n')[0]).toMatch(/ratio/);
    expect(temps(dir)).toEqual([]);
  });
});

describe('an alias of the model is still the model (compared by device and inode)', () => {
  /** The model's folder seen through a symlink, and /proc/self/cwd (the CLI runs in `dir`). */
  function setup(): { dir: string; model: string; bytes: Buffer; alias: string } {
    const m = modelDir();
    const alias = join(tempDir(), 'alias');
    symlinkSync(m.dir, alias);
    return { ...m, alias };
  }

  it.each([
    ['prune', ['--ratio', '0.5']],
    ['export (dense)', ['--ratio', '0.5']],
    ['export (sparse)', ['--ratio', '0.5', '--format', 'sparse']],
  ])('%s -o through a symlinked folder alias, /proc/self/cwd and a hard link', (what, options) => {
    const { dir, model, bytes, alias } = setup();
    linkSync(model, join(dir, 'hard.onnx'));
    const command = what.split(' ')[0];
    for (const out of [join(alias, 'model.onnx'), '/proc/self/cwd/model.onnx', 'hard.onnx', `${alias}/../${basename(dir)}/model.onnx`]) {
      const r = prunescope([command, 'model.onnx', ...options, '-o', out], dir);
      expectRefused(r, out, /refusing to write over the model model\.onnx/);
      expect(readFileSync(model).equals(bytes), out).toBe(true);
    }
    expect(readdirSync(dir).sort()).toEqual(['hard.onnx', 'model.onnx']);
  });

  it('dump --json through the alias and /proc/self/cwd', () => {
    const { dir, model, bytes, alias } = setup();
    for (const out of [join(alias, 'model.onnx'), '/proc/self/cwd/model.onnx']) {
      const r = prunescope(['dump', 'model.onnx', '--json', out], dir);
      expectRefused(r, out, /refusing to write over the model model\.onnx/);
      expect(readFileSync(model).equals(bytes)).toBe(true);
    }
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('dump --matrices into the alias, where a matrix would take the model file name', () => {
    const { dir, bytes, alias } = setup();
    const weights = decodeModel(new Uint8Array(bytes)).graph.initializers.map((t) => t.name);
    const name = matrixFileNames(weights)[0];
    rmSync(join(dir, 'model.onnx'));
    writeFileSync(join(dir, name), bytes); // the model is named like its first matrix
    const r = prunescope(['dump', name, '--matrices', alias], dir);
    expectRefused(r, join(alias, name), new RegExp(`refusing to write over the model ${name.replace(/\./g, '\\.')}`));
    expect(readFileSync(join(dir, name)).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual([name]);
  });
});

describe('a model with external data', () => {
  it('prune -o its external data file is refused, naming it', () => {
    const dir = tempDir();
    const m = decodeModel(new Uint8Array(readFileSync(SAMPLE)));
    const big = m.graph.initializers.reduce((a, b) => ((a.data as Float32Array).length >= (b.data as Float32Array).length ? a : b));
    const data = big.data as Float32Array;
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const ext: Tensor = { name: big.name, dataType: big.dataType, dims: big.dims, external: { location: 'weights.bin', offset: 0, length: data.byteLength, entries: [] } };
    m.graph.initializers = m.graph.initializers.map((t) => (t === big ? ext : t));
    writeFileSync(join(dir, 'ext.onnx'), encodeModel(m));
    const before = readFileSync(join(dir, 'weights.bin'));
    const r = prunescope(['prune', 'ext.onnx', '--ratio', '0.5', '-o', './weights.bin'], dir);
    expectRefused(r, './weights.bin', /refusing to write over the external data of ext\.onnx/);
    expect(readFileSync(join(dir, 'weights.bin')).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['ext.onnx', 'weights.bin']);
  });
});

/** A Gemm with an n×n float weight (n = 6000: 144 MB), made with the project's own encoder. */
function bigModel(file: string, n: number): void {
  const w = new Float32Array(n * n);
  let s = 12345;
  for (let i = 0; i < w.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    w[i] = s / 2 ** 32 - 0.5;
  }
  const m = model(
    graph('big', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, n] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, n] } }],
      nodes: [node('Gemm', ['x', 'W'], ['y'], [{ name: 'transB', type: 'int', value: 1 }])],
      initializers: [floats('W', [n, n], w)],
    }),
  );
  writeFileSync(file, encodeModel(m));
}

/** Runs prune, sends SIGINT as soon as its temporary file appears; the exit code, stderr and whether a temp file was seen. */
function pruneInterrupted(dir: string, out: string): Promise<{ code: number | null; signal: string | null; stderr: string; sawTemp: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliBin(), 'prune', 'big.onnx', '--ratio', '0.5', '-o', out], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sawTemp = false;
    const poll = setInterval(() => {
      if (!sawTemp && temps(dir).length > 0) {
        sawTemp = true; // it is writing OUT now
        child.kill('SIGINT');
      }
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      done({ code, signal, stderr, sawTemp });
    });
  });
}

describe('Ctrl-C during prune of a large model', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    bigModel(join(dir, 'big.onnx'), 6000);
  });

  it('while OUT is being written: exit 130, nothing written, no temporary file, and it says so', async () => {
    const r = await pruneInterrupted(dir, 'out.onnx');
    expect(r.sawTemp).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('prunescope: cancelled (Ctrl-C); nothing was written\n');
    expect(existsSync(join(dir, 'out.onnx'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['big.onnx']);
  });

  it('an existing OUT stays as it was', async () => {
    writeFileSync(join(dir, 'old.onnx'), 'the old OUT');
    const r = await pruneInterrupted(dir, 'old.onnx');
    expect(r.sawTemp).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('prunescope: cancelled (Ctrl-C); nothing was written\n');
    expect(readFileSync(join(dir, 'old.onnx')).equals(Buffer.from('the old OUT'))).toBe(true); // (no diff of 144 MB)
    expect(readdirSync(dir).sort()).toEqual(['big.onnx', 'old.onnx']);
    rmSync(join(dir, 'old.onnx'));
  });
});

/** A chain of Adds, each with its own k×k float initializer: `count` matrices of k² values to dump. */
function manyMatricesModel(file: string, count: number, k: number): void {
  let s = 777;
  const inits = Array.from({ length: count }, (_, i) => {
    const w = new Float32Array(k * k);
    for (let j = 0; j < w.length; j++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      w[j] = s / 2 ** 32 - 0.5;
    }
    return floats(`W${i}`, [k, k], w);
  });
  const m = model(
    graph('many', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [k, k] } }],
      outputs: [{ name: `t${count - 1}`, type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [k, k] } }],
      nodes: inits.map((w, i) => node('Add', [i === 0 ? 'x' : `t${i - 1}`, w.name], [`t${i}`])),
      initializers: inits,
    }),
  );
  writeFileSync(file, encodeModel(m));
}

/** Runs dump --matrices DIR, sends SIGINT once the first matrix file of this run is in DIR. */
function dumpInterrupted(cwd: string, dir: string, before: readonly string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; sawMatrix: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliBin(), 'dump', 'many.onnx', '--matrices', dir], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sawMatrix = false;
    const poll = setInterval(() => {
      const fresh = existsSync(join(cwd, dir)) ? readdirSync(join(cwd, dir)).filter((n) => n.endsWith('_matrix.txt') && !before.includes(n)) : [];
      if (!sawMatrix && fresh.length > 0) {
        sawMatrix = true;
        child.kill('SIGINT');
      }
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      done({ code, signal, stdout, stderr, sawMatrix });
    });
  });
}

describe('Ctrl-C during dump --matrices', () => {
  let cwd: string;
  const COUNT = 60;
  beforeAll(() => {
    cwd = tempDir();
    manyMatricesModel(join(cwd, 'many.onnx'), COUNT, 400); // 60 files of 160,000 values (~1.6 MB of text each)
  });

  it('into a folder it creates: exit 130, the folder and every file of the run removed, and it says so', async () => {
    const r = await dumpInterrupted(cwd, 'mats', []);
    expect(r.sawMatrix).toBe(true);
    expect(r.signal).toBe(null);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^prunescope: cancelled \(Ctrl-C\); removed the (file|\d+ files) this run had written\n$/);
    expect(r.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual(['many.onnx']);
  });

  it('into a folder that exists: only the files that were there before are left', async () => {
    mkdirSync(join(cwd, 'old'));
    const names = matrixFileNames(Array.from({ length: COUNT }, (_, i) => `W${i}`));
    // An unrelated file, and an older dump of the last matrix (written last, so never reached).
    writeFileSync(join(cwd, 'old', 'notes.txt'), 'mine');
    writeFileSync(join(cwd, 'old', names[COUNT - 1]), 'an older dump');
    const before = readdirSync(join(cwd, 'old'));
    const r = await dumpInterrupted(cwd, 'old', before);
    expect(r.sawMatrix).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^prunescope: cancelled \(Ctrl-C\); removed the (file|\d+ files) this run had written\n$/);
    expect(readdirSync(join(cwd, 'old')).sort()).toEqual([...before].sort());
    expect(readFileSync(join(cwd, 'old', 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(cwd, 'old', names[COUNT - 1]), 'utf8')).toBe('an older dump');
    rmSync(join(cwd, 'old'), { recursive: true });
  });
});

describe('temporary files of killed writers', () => {
  it('kill -9 mid-write leaves OUT old or complete; the next write into the folder removes the stale temp file, not a live one', async () => {
    const dir = tempDir();
    bigModel(join(dir, 'big.onnx'), 4000);
    writeFileSync(join(dir, 'out.onnx'), 'old');
    // A real kill -9 while the temporary file is being written.
    const killed = await new Promise<string[]>((done) => {
      const child = spawn(process.execPath, [cliBin(), 'prune', 'big.onnx', '--ratio', '0.5', '-o', 'out.onnx'], { cwd: dir });
      const poll = setInterval(() => {
        if (temps(dir).length > 0) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 1);
      child.on('exit', () => {
        clearInterval(poll);
        done(temps(dir));
      });
    });
    expect(killed).toHaveLength(1); // the kill left its temporary file
    const out = readFileSync(join(dir, 'out.onnx'));
    expect(out.toString() === 'old' || decodeModel(new Uint8Array(out)).graph.initializers.length === 1).toBe(true);
    // One of a live process (this test's own) beside it.
    const live = `.out.onnx.${process.pid}.0123abcd.tmp`;
    writeFileSync(join(dir, live), 'partial');
    const r = prunescope(['prune', 'big.onnx', '--ratio', '0.5', '-o', 'out.onnx'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(temps(dir)).toEqual([live]);
    expect(decodeModel(new Uint8Array(readFileSync(join(dir, 'out.onnx')))).graph.initializers.length).toBe(1);
  });

  it('a stale temp file of a dead process (made by hand) is removed by the next write there', () => {
    const { dir } = modelDir();
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const stale = `.out.onnx.${dead}.89abcdef.tmp`;
    const live = `.out.onnx.${process.pid}.89abcdef.tmp`;
    writeFileSync(join(dir, stale), 'partial');
    writeFileSync(join(dir, live), 'partial');
    const r = prunescope(['prune', 'model.onnx', '--ratio', '0.5', '-o', 'out.onnx'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([live, 'model.onnx', 'out.onnx'].sort());
  });
});

describe('outputs that cannot be written name the output', () => {
  it('a symlink to /dev/full is refused as not a regular file', () => {
    const { dir } = modelDir();
    symlinkSync('/dev/full', join(dir, 'out.onnx'));
    const r = prunescope(['prune', 'model.onnx', '--ratio', '0.5', '-o', 'out.onnx'], dir);
    expectRefused(r, 'out.onnx', /not a regular file/);
    expect(readdirSync(dir).sort()).toEqual(['model.onnx', 'out.onnx']);
  });

  it('a folder as OUT', () => {
    const { dir } = modelDir();
    mkdirSync(join(dir, 'out.onnx'));
    expectRefused(prunescope(['prune', 'model.onnx', '--ratio', '0.5', '-o', 'out.onnx'], dir), 'out.onnx', /is a directory/);
  });

  // A real full disk: a 1 MB tmpfs in a private mount namespace (where unshare can make one).
  const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s']).status === 0;
  it.skipIf(!canMount)('a full disk: "OUT: no space left on device", nothing left in the folder', () => {
    const { dir } = modelDir();
    const mnt = join(dir, 'full');
    mkdirSync(mnt);
    const script = 'mount -t tmpfs -o size=1m tmpfs "$1" && cd "$2" && "$3" "$4" prune model.onnx --ratio 0.5 -o "$1/out.onnx"; s=$?; ls -A "$1" >&2; exit $s';
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', mnt, dir, process.execPath, cliBin()], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    // The one error line, then the folder's listing (empty: no temporary file left).
    expect(r.stderr).toBe(`prunescope: ${mnt}/out.onnx: no space left on device\n`);
    expect(r.stdout).toBe('');
  });
});
