// The fuzz cases: each index gives one case, built from its own seeded generator (so any case can be
// rebuilt alone from the run's seed and its index), written into its own folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, closeSync, ftruncateSync, linkSync, mkdirSync, openSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from '../../../src/core/train/random';
import { BYTE_OPS, holdsData, hugeSparse, mutateBytes, mutateStructure, rngFrom, weighted, type Rng, type StructOp } from './mutate';
import { concat, idxHeader, type SeedModel, type Seeds } from './seeds';
import { cloneMsg, encodeMessage, parseModel, sub, subs, walk, WireError, WT, type Field, type Msg } from './wire';

export type Command = 'info' | 'info-json' | 'stats' | 'prune' | 'export' | 'eval' | 'sweep' | 'dump-json';

export interface FuzzCase {
  index: number;
  /** The class: family/kind, e.g. "struct/overrun". */
  cls: string;
  /** What was done to the input, for the reproducer. */
  what: string;
  dir: string;
  cwd: string;
  command: Command;
  args: string[];
  /** refuse: exit 2 is required (exit 0 is a failure named by `why`); accept: exit 0 is required. */
  expect: 'refuse' | 'accept' | 'any';
  why?: string;
  /** Base names an error line may name (the files the case is about). */
  names: string[];
  /** Files whose bytes must not change. */
  inputs: string[];
  /** The output file of prune / export / dump --json / sweep --csv. */
  output?: string;
  /** The output's content before the run (it existed). */
  oldOutput?: Uint8Array;
  /** The model as the strict wire reader reads it (for the exit-0 oracles). */
  model?: Msg;
  /** Run as an unprivileged user (writing to /dev/full as root would replace the device). */
  asNobody?: boolean;
  /** RLIMIT_FSIZE in 512-byte blocks (writes past it fail with EFBIG); `ignore`: SIGXFSZ ignored. */
  fsize?: { blocks: number; ignore: boolean };
  /** A first run of the same command killed (-9) as its temp file appears, before the checked run. */
  killedFirst?: boolean;
  /** Send SIGINT this many ms after the start. */
  sigintAfterMs?: number;
  /** Not run here, and why. */
  skip?: string;
}

export interface CaseContext {
  seed: number;
  root: string;
  seeds: Seeds;
  /** A uid/gid that cannot write into /dev (undefined when there is none to switch to). */
  nobody?: { uid: number; gid: number };
}

/** The generator of case `index` of run `seed`. */
export function caseRng(seed: number, index: number): Rng {
  return rngFrom(mulberry32((Math.imul(index + 1, 0x9e3779b1) ^ seed) >>> 0));
}

const EVAL = ['eval', '--limit', '50', '--batch', '0', '--no-batch1', '--runtimes', 'sparse'];

function commandArgs(command: Command, model: string, out?: string): string[] {
  switch (command) {
    case 'info':
      return ['info', model];
    case 'info-json':
      return ['info', '--json', model];
    case 'stats':
      return ['stats', model];
    case 'prune':
      return ['prune', '--ratio', '0.5', '-o', out ?? 'out.onnx', model];
    case 'export':
      return ['export', '--format', 'sparse', '--ratio', '0.5', '-o', out ?? 'out.onnx', model];
    case 'dump-json':
      return ['dump', model, '--json', out ?? 'out.json'];
    case 'eval':
    case 'sweep':
      throw new Error(`${command} needs data`);
  }
}

function modelCommand(r: Rng): Command {
  return weighted<Command>(r, [
    ['info', 25],
    ['info-json', 20],
    ['stats', 15],
    ['prune', 25],
    ['export', 15],
  ]);
}

/** Writes `bytes` as the case's model and sets up its command (output `out-c<i>.onnx` beside it). */
function modelCase(ctx: CaseContext, index: number, r: Rng, cls: string, seed: SeedModel, bytes: Uint8Array, what: string, expect: FuzzCase['expect'], why: string | undefined, model: Msg | undefined, command = modelCommand(r)): FuzzCase {
  const dir = caseDir(ctx, index);
  const file = `${seed.name}-c${index}.onnx`;
  writeFileSync(join(dir, file), bytes);
  const out = command === 'prune' || command === 'export' ? `out-c${index}.onnx` : undefined;
  return {
    index,
    cls,
    what: `${seed.name}: ${what}`,
    dir,
    cwd: dir,
    command,
    args: commandArgs(command, file, out),
    expect,
    ...(why ? { why } : {}),
    names: [file],
    inputs: [join(dir, file)],
    ...(out ? { output: join(dir, out) } : {}),
    ...(model ? { model } : {}),
  };
}

export function caseDir(ctx: CaseContext, index: number): string {
  const dir = join(ctx.root, `c${index}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The strict reader's verdict on bytes: the parsed model, or the fault (certain faults must be refused). */
function strictVerdict(bytes: Uint8Array): { model?: Msg; fault?: string } {
  try {
    return { model: parseModel(bytes) };
  } catch (e) {
    if (e instanceof WireError && e.certain) return { fault: e.message };
    if (e instanceof WireError) return {};
    throw e;
  }
}

function pickSeed(r: Rng, seeds: SeedModel[]): SeedModel {
  return weighted(r, seeds.map((s) => [s, s.weight] as const));
}

// Families ---------------------------------------------------------------------------------------

function bytesCase(ctx: CaseContext, index: number, r: Rng): FuzzCase {
  const seed = pickSeed(r, ctx.seeds.models);
  const op = r.pick(BYTE_OPS);
  const { bytes, what } = mutateBytes(r, seed.bytes, op, seed.offsets);
  const v = strictVerdict(bytes);
  return modelCase(ctx, index, r, `bytes/${op}`, seed, bytes, what + (v.fault ? ` (${v.fault})` : ''), v.fault ? 'refuse' : 'any', v.fault ? `accepted corrupt protobuf` : undefined, v.model);
}

const STRUCT_OPS: readonly (readonly [StructOp, number])[] = [
  ['overrun', 6],
  ['wiretype', 6],
  ['drop', 3],
  ['dup', 3],
  ['dtype', 3],
  ['negdims', 2],
  ['hugedims', 2],
  ['segment', 2],
  ['elemtype0', 2],
  ['sparse-out-of-range', 2],
  ['sparse-negative', 1],
  ['sparse-duplicate', 1],
  ['sparse-unsorted', 1],
  ['sparse-count', 1],
  ['sparse-float-indices', 1],
];

function structCase(ctx: CaseContext, index: number, r: Rng): FuzzCase {
  const op = weighted(r, STRUCT_OPS);
  const candidates = op.startsWith('sparse-')
    ? [ctx.seeds.sparse]
    : ['dtype', 'negdims', 'hugedims', 'segment'].includes(op)
      ? ctx.seeds.models.filter((s) => hasTensorData(s.msg))
      : ctx.seeds.models;
  for (let attempt = 0; attempt < 8; attempt++) {
    const seed = pickSeed(r, candidates);
    const res = mutateStructure(r, seed.msg, op);
    if (!res) continue;
    const v = strictVerdict(res.bytes);
    const refuse = res.mustRefuse ?? (v.fault ? 'accepted corrupt protobuf' : undefined);
    const command = op === 'elemtype0' ? r.pick<Command>(['prune', 'export']) : modelCommand(r);
    return modelCase(ctx, index, r, `struct/${op}`, seed, res.bytes, res.what + (v.fault ? ` (${v.fault})` : ''), refuse ? 'refuse' : 'any', refuse ? `accepted ${refuse.replace(/^accepted /, '')}` : undefined, v.model, command);
  }
  return bytesCase(ctx, index, r);
}

function hasTensorData(m: Msg): boolean {
  let found = false;
  walk(m, (x) => {
    if (x.type === 'TensorProto' && holdsData(x)) found = true;
  });
  return found;
}

// Datasets ---------------------------------------------------------------------------------------

type DataKind =
  | 'ok-idx'
  | 'ok-gz'
  | 'ok-text'
  | 'ok-multimember'
  | 'idx-truncated'
  | 'idx-header-truncated'
  | 'idx-magic'
  | 'idx-count-mismatch'
  | 'idx-zero'
  | 'idx-label-range'
  | 'idx-bytes'
  | 'gz-crc'
  | 'gz-isize'
  | 'gz-trailing'
  | 'gz-truncated'
  | 'gz-bytes'
  | 'text-bad-value'
  | 'text-bad-label'
  | 'text-ragged'
  | 'text-empty'
  | 'text-not-utf8'
  | 'folder'
  | 'missing'
  | 'one-idx';

const DATA_KINDS: readonly (readonly [DataKind, number])[] = [
  ['ok-idx', 2],
  ['ok-gz', 2],
  ['ok-text', 2],
  ['ok-multimember', 2],
  ['idx-truncated', 3],
  ['idx-header-truncated', 1],
  ['idx-magic', 2],
  ['idx-count-mismatch', 2],
  ['idx-zero', 1],
  ['idx-label-range', 2],
  ['idx-bytes', 3],
  ['gz-crc', 2],
  ['gz-isize', 2],
  ['gz-trailing', 2],
  ['gz-truncated', 2],
  ['gz-bytes', 3],
  ['text-bad-value', 3],
  ['text-bad-label', 1],
  ['text-ragged', 1],
  ['text-empty', 1],
  ['text-not-utf8', 1],
  ['folder', 1],
  ['missing', 1],
  ['one-idx', 1],
];

const BAD_TOKENS = ['0x1', '0X1F', '0b1', '0o7', 'nan', 'NaN', 'inf', 'Infinity', '-Infinity', '1e999', '1_0', '1..2', '--1', '0x', '1e', '.', '-', '\u0661', '\uff11', '1/2', 'abc', '1.2.3'];

function gzip(b: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(b));
}

export function dataCase(ctx: CaseContext, index: number, r: Rng, forced?: DataKind): FuzzCase {
  const kind = forced ?? weighted(r, DATA_KINDS);
  const dir = caseDir(ctx, index);
  const d = ctx.seeds.data;
  const imgName = `images-c${index}.idx`;
  const lblName = `labels-c${index}.idx`;
  let files: [string, Uint8Array][] = [];
  let dataArgs: string[] | undefined;
  let expect: FuzzCase['expect'] = 'refuse';
  const why = `accepted a bad dataset (${kind})`;
  let what: string = kind;
  const images = new Uint8Array(d.images);
  const labels = new Uint8Array(d.labels);
  const which = r.chance(0.5) ? 'images' : 'labels';
  const pair = (im: Uint8Array, lb: Uint8Array, gz = false): [string, Uint8Array][] => [
    [gz ? `${imgName}.gz` : imgName, gz ? gzip(im) : im],
    [gz ? `${lblName}.gz` : lblName, gz ? gzip(lb) : lb],
  ];
  const gzWith = (f: (g: Uint8Array) => Uint8Array): [string, Uint8Array][] => {
    const p = pair(images, labels, true);
    const k = which === 'images' ? 0 : 1;
    p[k][1] = f(new Uint8Array(p[k][1]));
    return p;
  };
  switch (kind) {
    case 'ok-idx':
      files = pair(images, labels);
      expect = 'accept';
      break;
    case 'ok-gz':
      files = pair(images, labels, true);
      expect = 'accept';
      break;
    case 'ok-text':
      files = [[`digits-c${index}.txt`, new TextEncoder().encode(d.text)]];
      expect = 'accept';
      break;
    case 'ok-multimember': {
      // A valid gzip file of two members (gzip -c a >> f; gzip -c b >> f): the data is a + b.
      const p = pair(images, labels);
      const k = which === 'images' ? 0 : 1;
      const raw = p[k][1];
      const cut = 1 + r.int(raw.length - 1);
      p[k] = [`${p[k][0]}.gz`, concat(gzip(raw.subarray(0, cut)), gzip(raw.subarray(cut)))];
      files = p;
      expect = 'accept';
      what = `${which} as two gzip members split at ${cut}`;
      break;
    }
    case 'idx-truncated': {
      const p = pair(images, labels);
      const k = which === 'images' ? 0 : 1;
      const hdr = k === 0 ? 16 : 8;
      const n = hdr + r.int(p[k][1].length - hdr);
      p[k][1] = p[k][1].slice(0, n);
      files = r.chance(0.5) ? p : [[`${p[0][0]}.gz`, gzip(p[0][1])], [`${p[1][0]}.gz`, gzip(p[1][1])]];
      what = `${which} truncated to ${n} bytes`;
      break;
    }
    case 'idx-header-truncated': {
      const p = pair(images, labels);
      const k = which === 'images' ? 0 : 1;
      const n = r.int(k === 0 ? 16 : 8);
      p[k][1] = p[k][1].slice(0, n);
      files = p;
      what = `${which} cut to ${n} bytes of its header`;
      break;
    }
    case 'idx-magic': {
      const p = pair(images, labels);
      const k = which === 'images' ? 0 : 1;
      const b = p[k][1];
      const at = r.int(4);
      b[at] = at < 2 ? 1 + r.int(255) : at === 2 ? r.pick([0x00, 0x07, 0x0a, 0x0f, 0xff]) : 0;
      files = p;
      what = `${which} magic byte ${at} set to ${b[at]}`;
      break;
    }
    case 'idx-count-mismatch': {
      // A valid labels file with fewer (or more) labels than images.
      const n = r.chance(0.5) ? 100 - 1 - r.int(50) : 100 + 1 + r.int(50);
      const lb = concat(idxHeader(8, [n]), Uint8Array.from({ length: n }, (_, i) => d.labels[8 + (i % 100)]));
      files = pair(images, lb);
      what = `100 images, ${n} labels`;
      break;
    }
    case 'idx-zero':
      files = pair(idxHeader(8, [0, 28, 28]), idxHeader(8, [0]), r.chance(0.5));
      what = '0 images and 0 labels';
      break;
    case 'idx-label-range': {
      const at = 8 + r.int(100);
      labels[at] = 10 + r.int(246);
      files = pair(images, labels, r.chance(0.5));
      what = `label #${at - 8} set to ${labels[at]} (the model has 10 classes)`;
      break;
    }
    case 'idx-bytes': {
      const p = pair(images, labels);
      const k = which === 'images' ? 0 : 1;
      const op = r.pick(['bitflip', 'overwrite', 'truncate', 'insert', 'duplicate'] as const);
      const hdr = Array.from({ length: k === 0 ? 16 : 8 }, (_, i) => i);
      const m = mutateBytes(r, p[k][1], op, hdr);
      p[k][1] = m.bytes;
      files = p;
      expect = 'any';
      what = `${which}: ${m.what}`;
      break;
    }
    case 'gz-crc':
      files = gzWith((g) => {
        g[g.length - 8 + r.int(4)] ^= 1 << r.int(8);
        return g;
      });
      what = `${which}.gz with a wrong CRC32`;
      break;
    case 'gz-isize':
      files = gzWith((g) => {
        const dv = new DataView(g.buffer, g.byteOffset, g.byteLength);
        const real = dv.getUint32(g.length - 4, true);
        dv.setUint32(g.length - 4, r.chance(0.5) ? Math.max(0, real - 1 - r.int(real)) : real + 1 + r.int(1000), true);
        return g;
      });
      what = `${which}.gz with a wrong ISIZE`;
      break;
    case 'gz-trailing':
      files = gzWith((g) => concat(g, Uint8Array.from({ length: 1 + r.int(64) }, () => r.int(256))));
      what = `${which}.gz with garbage after the gzip member`;
      break;
    case 'gz-truncated':
      files = gzWith((g) => g.slice(0, 10 + r.int(g.length - 10)));
      what = `${which}.gz truncated`;
      break;
    case 'gz-bytes': {
      files = gzWith((g) => mutateBytes(r, g, r.pick(['bitflip', 'overwrite'] as const)).bytes);
      expect = 'any';
      what = `${which}.gz with bytes changed in its deflate data or header`;
      break;
    }
    case 'text-bad-value':
    case 'text-bad-label':
    case 'text-ragged': {
      const lines = d.text.trimEnd().split('\n');
      const li = r.int(lines.length);
      const toks = lines[li].split(' ');
      if (kind === 'text-bad-value') {
        const ti = r.int(toks.length - 1);
        toks[ti] = r.pick(BAD_TOKENS);
        what = `line ${li + 1} value ${ti + 1} is "${toks[ti]}"`;
      } else if (kind === 'text-bad-label') {
        toks[toks.length - 1] = r.pick(['1.5', '-1', '10', '99', 'x', '0x1', '1e0x']);
        what = `line ${li + 1} label is "${toks[toks.length - 1]}"`;
      } else {
        toks.splice(r.int(toks.length - 1), 1 + r.int(3));
        what = `line ${li + 1} has ${toks.length - 1} values`;
      }
      lines[li] = toks.join(' ');
      files = [[`digits-c${index}.txt`, new TextEncoder().encode(lines.join('\n') + '\n')]];
      break;
    }
    case 'text-empty':
      files = [[`digits-c${index}.txt`, new TextEncoder().encode(r.pick(['', '\n', '\n\n  \n', '\r\n\r\n']))]];
      what = 'a text dataset of 0 samples';
      break;
    case 'text-not-utf8': {
      const b = new TextEncoder().encode(d.text);
      b[r.int(b.length)] = 0xff;
      files = [[`digits-c${index}.txt`, b]];
      what = 'a text dataset with a 0xff byte';
      break;
    }
    case 'folder':
      mkdirSync(join(dir, `folder-c${index}`));
      dataArgs = ['--data', `folder-c${index}`];
      what = 'a folder given as the dataset';
      break;
    case 'missing':
      files = pair(images, labels).slice(0, 1);
      dataArgs = ['--data', imgName, '--data', `missing-c${index}.idx`];
      what = 'the labels file does not exist';
      break;
    case 'one-idx':
      files = pair(images, labels, r.chance(0.5)).slice(which === 'images' ? 0 : 1, which === 'images' ? 1 : 2);
      what = `only the ${which} file`;
      break;
  }
  for (const [name, b] of files) writeFileSync(join(dir, name), b);
  if (!dataArgs) dataArgs = files.flatMap(([name]) => ['--data', name]);
  const mlp = ctx.seeds.byName.get('mlp') as SeedModel;
  const names = dataArgs.filter((_, i) => i % 2 === 1).map((p) => basename(p));
  return {
    index,
    cls: `data/${kind}`,
    what,
    dir,
    cwd: dir,
    command: 'eval',
    args: [...EVAL, ...dataArgs, mlp.path],
    expect,
    ...(expect === 'refuse' ? { why } : {}),
    names,
    inputs: [mlp.path, ...files.map(([name]) => join(dir, name))],
  };
}

// Output paths -----------------------------------------------------------------------------------

type OutKind = 'same' | 'dot' | 'dotdot' | 'slashes' | 'dir-symlink' | 'proc-cwd' | 'hardlink' | 'file-symlink' | 'missing-folder' | 'is-folder' | 'efbig';

const OUT_KINDS: readonly (readonly [OutKind, number])[] = [
  ['same', 2],
  ['dot', 2],
  ['dotdot', 2],
  ['slashes', 2],
  ['dir-symlink', 3],
  ['proc-cwd', 2],
  ['hardlink', 1],
  ['file-symlink', 1],
  ['missing-folder', 2],
  ['is-folder', 1],
  ['efbig', 1],
];

export function outCase(ctx: CaseContext, index: number, r: Rng, forced?: OutKind): FuzzCase {
  const kind = forced ?? weighted(r, OUT_KINDS);
  const dir = caseDir(ctx, index);
  const drawn = weighted<Command>(r, [
    ['prune', 4],
    ['export', 3],
    ['dump-json', 2],
    ['sweep', 1],
  ]);
  // A sweep's CSV is too small to reach the file size limit.
  const command = kind === 'efbig' && drawn === 'sweep' ? 'prune' : drawn;
  const seed = command === 'sweep' || kind === 'efbig' ? (ctx.seeds.byName.get('mlp') as SeedModel) : pickSeed(r, ctx.seeds.models.filter((s) => s.prunable));
  const file = `${seed.name}-c${index}.onnx`;
  copyFileSync(seed.path, join(dir, file));
  mkdirSync(join(dir, 'sub'));
  let out: string;
  let outputPath: string | undefined;
  let expect: FuzzCase['expect'] = 'refuse';
  let why = 'overwrote the model through an alias of its path';
  let names = [file];
  switch (kind) {
    case 'same':
      out = file;
      break;
    case 'dot':
      out = `./${file}`;
      break;
    case 'dotdot':
      out = `sub/../${file}`;
      break;
    case 'slashes':
      out = `${dir}//${file}`.replace(/^\//, '//');
      break;
    case 'dir-symlink':
      symlinkSync(dir, join(dir, 'alias'));
      out = `alias/${file}`;
      break;
    case 'proc-cwd':
      out = `/proc/self/cwd/${file}`;
      break;
    case 'hardlink':
      linkSync(join(dir, file), join(dir, `hard-c${index}.onnx`));
      out = `hard-c${index}.onnx`;
      expect = 'any';
      names = [file, out];
      break;
    case 'file-symlink':
      symlinkSync(file, join(dir, `link-c${index}.onnx`));
      out = `link-c${index}.onnx`;
      expect = 'any';
      names = [file, out];
      break;
    case 'missing-folder':
      out = `nosuch-c${index}/out-c${index}.onnx`;
      why = 'wrote into a folder that does not exist';
      names = [`out-c${index}.onnx`, `nosuch-c${index}`];
      break;
    case 'is-folder':
      mkdirSync(join(dir, `folder-c${index}`));
      out = `folder-c${index}`;
      why = 'wrote over a folder';
      names = [out];
      break;
    case 'efbig':
      out = `out-c${index}.onnx`;
      outputPath = join(dir, out);
      why = 'reported success though the file system refused the write';
      names = [out];
      break;
  }
  let args: string[];
  if (command === 'sweep') {
    const d = ctx.seeds.data;
    writeFileSync(join(dir, 'images.idx'), d.images);
    writeFileSync(join(dir, 'labels.idx'), d.labels);
    args = ['sweep', '--ratios', '0', '--limit', '20', '--batch', '0', '--no-batch1', '--runtimes', 'sparse', '--data', 'images.idx', '--data', 'labels.idx', '--csv', out, file];
  } else args = commandArgs(command, file, out);
  const fc: FuzzCase = {
    index,
    cls: `out/${kind}`,
    what: `${command} with output ${out}`,
    dir,
    cwd: dir,
    command,
    args,
    expect,
    ...(expect === 'refuse' ? { why } : {}),
    names,
    inputs: [join(dir, file)],
    ...(outputPath ? { output: outputPath } : {}),
  };
  if (kind === 'efbig') fc.fsize = { blocks: 16, ignore: true };
  if (kind === 'hardlink' || kind === 'file-symlink') fc.output = join(dir, out);
  return fc;
}

/** `-o /dev/full`, run unprivileged (as root the atomic rename would replace the device node). */
export function devFullCase(ctx: CaseContext, index: number): FuzzCase {
  const dir = caseDir(ctx, index);
  const seed = ctx.seeds.byName.get('linear') as SeedModel;
  const file = `${seed.name}-c${index}.onnx`;
  copyFileSync(seed.path, join(dir, file));
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    index,
    cls: 'out/dev-full',
    what: 'prune -o /dev/full',
    dir,
    cwd: dir,
    command: 'prune',
    args: commandArgs('prune', file, '/dev/full'),
    expect: 'refuse',
    why: 'reported success writing to /dev/full',
    names: ['/dev/full', 'full'],
    inputs: [join(dir, file)],
    ...(root ? (ctx.nobody ? { asNobody: true } : { skip: 'running as root with no unprivileged user to switch to' }) : {}),
  };
}

// Signals and killed writes ------------------------------------------------------------------------

export function signalCase(ctx: CaseContext, index: number, r: Rng): FuzzCase {
  const dir = caseDir(ctx, index);
  const seed = ctx.seeds.byName.get('mlp') as SeedModel;
  const out = `out-c${index}.onnx`;
  const old = new TextEncoder().encode(`previous output of case ${index}\n`);
  writeFileSync(join(dir, out), old);
  const killed = r.chance(0.5);
  const command: Command = r.chance(0.6) ? 'prune' : 'export';
  const base: FuzzCase = {
    index,
    cls: killed ? 'signal/killed-write' : 'signal/sigint',
    what: '',
    dir,
    cwd: dir,
    command,
    args: commandArgs(command, seed.path, out),
    expect: 'any',
    names: [out, basename(seed.path)],
    inputs: [seed.path],
    output: join(dir, out),
    oldOutput: old,
    model: seed.msg,
  };
  if (killed) {
    // The first run is killed (-9) the moment its temp file appears: the old OUT must survive it,
    // and the next write into the folder must leave no stale temp file behind.
    return { ...base, killedFirst: true, what: `${command} killed -9 as it starts writing, then run again` };
  }
  const ms = 30 + r.int(500);
  return { ...base, sigintAfterMs: ms, what: `${command} with SIGINT after ${ms} ms` };
}

// External data ------------------------------------------------------------------------------------

type ExtKind = 'ok' | 'ok-offset' | 'escape-file-symlink' | 'escape-dir-symlink' | 'escape-dotdot' | 'absolute' | 'past-end' | 'wrong-length' | 'dev-zero' | 'fifo' | 'big-file';

const EXT_KINDS: readonly (readonly [ExtKind, number])[] = [
  ['ok', 2],
  ['ok-offset', 2],
  ['escape-file-symlink', 2],
  ['escape-dir-symlink', 2],
  ['escape-dotdot', 1],
  ['absolute', 1],
  ['past-end', 2],
  ['wrong-length', 2],
];

function entry(key: string, value: string): Field {
  const enc = new TextEncoder();
  return { num: 13, wt: WT.LEN, msg: { type: 'StringStringEntryProto', fields: [{ num: 1, wt: WT.LEN, bytes: enc.encode(key) }, { num: 2, wt: WT.LEN, bytes: enc.encode(value) }] } };
}

export function extCase(ctx: CaseContext, index: number, r: Rng, forced?: ExtKind): FuzzCase {
  const kind = forced ?? weighted(r, EXT_KINDS);
  const dir = caseDir(ctx, index);
  const seed = ctx.seeds.byName.get('conv2d') as SeedModel;
  const m = cloneMsg(seed.msg);
  const graph = sub(m, 7) as Msg;
  const inits = subs(graph, 5).filter((t) => t.fields.some((f) => f.num === 9));
  const t = r.pick(inits);
  const raw = t.fields.find((f) => f.num === 9)?.bytes as Uint8Array;
  t.fields = t.fields.filter((f) => f.num !== 9);
  const bin = `w-c${index}.bin`;
  let location = bin;
  let offset = 0;
  let length = raw.length;
  let expect: FuzzCase['expect'] = 'refuse';
  let why = `accepted external data that ${kind}`;
  let names = [bin];
  const outside = join(ctx.root, `outside-c${index}`);
  switch (kind) {
    case 'ok':
      writeFileSync(join(dir, bin), raw);
      expect = 'accept';
      break;
    case 'ok-offset': {
      const pre = Uint8Array.from({ length: 1 + r.int(100) }, () => r.int(256));
      writeFileSync(join(dir, bin), concat(pre, raw, Uint8Array.of(1, 2, 3)));
      offset = pre.length;
      expect = 'accept';
      break;
    }
    case 'escape-file-symlink':
      writeFileSync(`${outside}.bin`, raw);
      symlinkSync(`${outside}.bin`, join(dir, bin));
      why = 'accepted external data read through a symlink leaving the model folder';
      break;
    case 'escape-dir-symlink':
      mkdirSync(outside);
      writeFileSync(join(outside, bin), raw);
      symlinkSync(outside, join(dir, 'd'));
      location = `d/${bin}`;
      why = 'accepted external data read through a folder symlink leaving the model folder';
      break;
    case 'escape-dotdot':
      writeFileSync(`${outside}.bin`, raw);
      location = `../${basename(outside)}.bin`;
      names = [basename(location)];
      why = 'accepted external data outside the model folder (..)';
      break;
    case 'absolute':
      writeFileSync(`${outside}.bin`, raw);
      location = `${outside}.bin`;
      names = [basename(location)];
      why = 'accepted external data at an absolute path';
      break;
    case 'past-end':
      writeFileSync(join(dir, bin), raw);
      offset = r.chance(0.5) ? raw.length + r.int(100) : 1 + r.int(raw.length);
      why = 'accepted external data past the end of its file';
      break;
    case 'wrong-length':
      writeFileSync(join(dir, bin), concat(raw, raw));
      length = r.chance(0.5) ? raw.length - 1 - r.int(raw.length - 1) : raw.length + 1 + r.int(raw.length - 1);
      why = "accepted external data whose length does not match the tensor's dims";
      break;
    case 'dev-zero':
      symlinkSync('/dev/zero', join(dir, bin));
      why = 'accepted a device as external data';
      break;
    case 'fifo': {
      const mk = spawnSync('mkfifo', [join(dir, bin)]);
      if (mk.status !== 0) throw new Error('mkfifo failed');
      why = 'accepted a FIFO as external data';
      break;
    }
    case 'big-file': {
      // A sparse file of 2.5 GiB (no disk used): the tensor's bytes sit past 2 GiB.
      const fd = openSync(join(dir, bin), 'w');
      offset = 2 ** 31 + 4096;
      writeSync(fd, raw, 0, raw.length, offset);
      ftruncateSync(fd, 2.5 * 2 ** 30);
      closeSync(fd);
      expect = 'accept';
      break;
    }
  }
  t.fields.push(entry('location', location), entry('offset', String(offset)), entry('length', String(length)), { num: 14, wt: WT.VARINT, varint: 1n });
  const bytes = encodeMessage(m);
  const command = kind === 'dev-zero' || kind === 'fifo' || kind === 'big-file' ? 'info-json' : r.pick<Command>(['info-json', 'stats', 'prune', 'info']);
  const fc = modelCase(ctx, index, r, `ext/${kind}`, { ...seed, name: 'ext' }, bytes, `${kind}: location ${location}, offset ${offset}, length ${length}`, expect, expect === 'refuse' ? why : undefined, m, command);
  fc.names = [...fc.names, ...names];
  if (kind !== 'dev-zero' && kind !== 'fifo' && kind !== 'big-file') {
    const target = location.startsWith('/') ? location : join(dir, location);
    if (kind.startsWith('escape') || kind === 'absolute') fc.inputs.push(target);
    else fc.inputs.push(join(dir, bin));
  }
  return fc;
}

// Resources ----------------------------------------------------------------------------------------

function manyTensorsCase(ctx: CaseContext, index: number, command: Command): FuzzCase {
  const dir = caseDir(ctx, index);
  const file = `many-c${index}.onnx`;
  copyFileSync(join(ctx.seeds.dir, 'many.onnx'), join(dir, file));
  const out = command === 'prune' ? `out-c${index}.onnx` : undefined;
  return {
    index,
    cls: `resource/many-tensors-${command}`,
    what: `${command} of 100,000 one-element initializers`,
    dir,
    cwd: dir,
    command,
    args: commandArgs(command, file, out),
    expect: 'accept',
    names: [file],
    inputs: [join(dir, file)],
    ...(out ? { output: join(dir, out) } : {}),
  };
}

function hugeSparseCase(ctx: CaseContext, index: number, command: Command): FuzzCase {
  const bytes = hugeSparse(ctx.seeds.sparse.msg);
  if (!bytes) throw new Error('the sparse seed has no sparse initializer to grow');
  const r = caseRng(ctx.seed, index);
  return modelCase(ctx, index, r, `resource/sparse-2^40-${command}`, ctx.seeds.sparse, bytes, 'a sparse initializer of dense dims [2^20, 2^20]', 'any', undefined, parseModel(bytes), command);
}

function bombCase(ctx: CaseContext, index: number, which: 'images' | 'labels'): FuzzCase {
  const dir = caseDir(ctx, index);
  const d = ctx.seeds.data;
  const im = which === 'images' ? d.imagesBomb : gzip(d.images);
  const lb = which === 'labels' ? d.labelsBomb : gzip(d.labels);
  const imName = `images-c${index}.idx.gz`;
  const lbName = `labels-c${index}.idx.gz`;
  writeFileSync(join(dir, imName), im);
  writeFileSync(join(dir, lbName), lb);
  const mlp = ctx.seeds.byName.get('mlp') as SeedModel;
  return {
    index,
    cls: `data/gzip-bomb-${which}`,
    what: `${which}.gz inflates to 50 MB past what its IDX header declares`,
    dir,
    cwd: dir,
    command: 'eval',
    args: [...EVAL, '--data', imName, '--data', lbName, mlp.path],
    expect: 'refuse',
    why: 'accepted a gzip member inflating far past what its IDX header declares',
    names: [which === 'images' ? imName : lbName],
    inputs: [mlp.path, join(dir, imName), join(dir, lbName)],
  };
}

function specialDataCase(ctx: CaseContext, index: number, kind: 'fifo' | 'dev-zero'): FuzzCase {
  const dir = caseDir(ctx, index);
  const mlp = ctx.seeds.byName.get('mlp') as SeedModel;
  let data: string;
  if (kind === 'fifo') {
    data = `fifo-c${index}.txt`;
    if (spawnSync('mkfifo', [join(dir, data)]).status !== 0) throw new Error('mkfifo failed');
  } else data = '/dev/zero';
  return {
    index,
    cls: `data/${kind}`,
    what: `${kind === 'fifo' ? 'a FIFO' : '/dev/zero'} given as the dataset`,
    dir,
    cwd: dir,
    command: 'eval',
    args: [...EVAL, '--data', data, mlp.path],
    expect: 'refuse',
    why: `accepted ${kind === 'fifo' ? 'a FIFO' : 'a device'} as a dataset`,
    names: [basename(data)],
    inputs: [mlp.path],
  };
}

/** Cases every run holds (the first indexes): the resource and special-file faults of the issue. */
const FIXED: ((ctx: CaseContext, index: number) => FuzzCase)[] = [
  (c, i) => manyTensorsCase(c, i, 'stats'),
  (c, i) => manyTensorsCase(c, i, 'info'),
  (c, i) => manyTensorsCase(c, i, 'prune'),
  (c, i) => hugeSparseCase(c, i, 'prune'),
  (c, i) => hugeSparseCase(c, i, 'info-json'),
  (c, i) => extCase(c, i, caseRng(c.seed, i), 'dev-zero'),
  (c, i) => extCase(c, i, caseRng(c.seed, i), 'fifo'),
  (c, i) => extCase(c, i, caseRng(c.seed, i), 'big-file'),
  (c, i) => specialDataCase(c, i, 'fifo'),
  (c, i) => specialDataCase(c, i, 'dev-zero'),
  (c, i) => bombCase(c, i, 'images'),
  (c, i) => bombCase(c, i, 'labels'),
  (c, i) => devFullCase(c, i),
];

export const FIXED_COUNT = FIXED.length;

/** Builds case `index` (its files written under ctx.root/c<index>). */
export function makeCase(ctx: CaseContext, index: number): FuzzCase {
  if (index < FIXED.length) return FIXED[index](ctx, index);
  const r = caseRng(ctx.seed, index);
  // Weights chosen for the default 1,000 cases (seed 19): signal/ (Ctrl-C, killed writes) 57 cases and
  // out/ 172, as 2,000 cases gave them (55 and 216) at 30/30/20/10/5/3; the byte and structure
  // mutations fewer (240 and 237, were 596 and 615); every class of the 2,000 still present.
  const family = weighted(r, [
    ['bytes', 25],
    ['struct', 25],
    ['data', 20],
    ['out', 18],
    ['ext', 5],
    ['signal', 6],
  ] as const);
  switch (family) {
    case 'bytes':
      return bytesCase(ctx, index, r);
    case 'struct':
      return structCase(ctx, index, r);
    case 'data':
      return dataCase(ctx, index, r);
    case 'out':
      return outCase(ctx, index, r);
    case 'ext':
      return extCase(ctx, index, r);
    case 'signal':
      return signalCase(ctx, index, r);
  }
}
