// The one Node atomic writer: whole buffers (sync and async) and streamed pieces; a failure leaves
// the target as it was and no temporary file.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { problemKind } from '../../../../src/core/errors';
import { checkTarget, resetStaleTempCleaning, sameFile, WriteError, writeAtomic, writeAtomicSync } from '../../../../src/engine/node/atomic-write';
import { useTempDir } from '../../../support/temp-dir';

const dir = useTempDir('prunescope-atomic-');

const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);

describe('writeAtomicSync', () => {
  it('writes strings and bytes, replacing an existing file, leaving no temp file', () => {
    const target = join(dir(), 'sweep.csv');
    writeFileSync(target, 'old');
    writeAtomicSync(target, 'ratio,accuracy\n0,0.98\n');
    expect(readFileSync(target, 'utf8')).toBe('ratio,accuracy\n0,0.98\n');
    const png = join(dir(), 'h.png');
    writeAtomicSync(png, bytes);
    expect(new Uint8Array(readFileSync(png))).toEqual(bytes);
    expect(readdirSync(dir()).sort()).toEqual(['h.png', 'sweep.csv']);
  });

  it('throws the file system error when the rename fails, keeping the target and no temp file', () => {
    const target = join(dir(), 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expect(() => writeAtomicSync(target, 'data')).toThrow(expect.objectContaining({ code: 'EISDIR', message: `${target}: is a directory` }));
    expect(readdirSync(dir())).toEqual(['busy']);
    expect(readdirSync(target)).toEqual(['keep']);
  });
});

describe('writeAtomic', () => {
  it('writes a whole buffer and a stream of mixed pieces', async () => {
    const target = join(dir(), 'm.txt');
    await writeAtomic(target, bytes);
    expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
    function* rows(): Generator<string | Uint8Array> {
      for (let r = 0; r < 1000; r++) yield `${r} ${r * 2}\n`;
      yield new TextEncoder().encode('end\n');
    }
    await writeAtomic(target, rows());
    const lines = readFileSync(target, 'utf8').split('\n');
    expect(lines.length).toBe(1002);
    expect(lines[0]).toBe('0 0');
    expect(lines[999]).toBe('999 1998');
    expect(lines[1000]).toBe('end');
    expect(readdirSync(dir())).toEqual(['m.txt']);
  });

  it('a stream that fails halfway leaves the old target and no temporary file', async () => {
    const target = join(dir(), 'm.txt');
    writeFileSync(target, 'old');
    function* broken(): Generator<string> {
      yield 'x'.repeat(5_000_000); // more than one batch: something reached the temp file
      throw new Error('tensor went away');
    }
    await expect(writeAtomic(target, broken())).rejects.toThrow('tensor went away');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir())).toEqual(['m.txt']);
  });

  it('a missing folder rejects with ENOENT and creates nothing', async () => {
    await expect(writeAtomic(join(dir(), 'nope', 'x.onnx'), 'data')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir())).toEqual([]);
  });
});

describe('sameFile', () => {
  it('sees the same file through another spelling or a hard link, not a different file', () => {
    const model = join(dir(), 'model.onnx');
    writeFileSync(model, 'MODEL');
    const link = join(dir(), 'alias.onnx');
    linkSync(model, link);
    expect(sameFile(join(dir(), '.', 'model.onnx'), model)).toBe(true);
    expect(sameFile(link, model)).toBe(true);
    expect(sameFile(join(dir(), 'other.onnx'), model)).toBe(false);
  });
});

/** The same file through every spelling and alias the issue found overwriting models. */
function aliases(model: string): Record<string, string> {
  const alias = join(dir(), 'alias');
  symlinkSync(dir(), alias); // a symlinked folder alias of the model's folder
  mkdirSync(join(dir(), 'sub'));
  const hard = join(dir(), 'hard.onnx');
  linkSync(model, hard);
  return {
    'same path': model,
    './': join(dir(), '.', 'model.onnx').replace('/model.onnx', '/./model.onnx'),
    'sub/../': `${dir()}/sub/../model.onnx`,
    '//': `/${dir()}//model.onnx`,
    'symlinked folder': join(alias, 'model.onnx'),
    '/proc/self/cwd': `/proc/self/cwd/${relative(process.cwd(), model)}`, // "..": the kernel's, not path.join's
    'alias/..': `${alias}/../${basename(dir())}/model.onnx`,
    'hard link': hard,
  };
}

describe('protected inputs (compared by identity)', () => {
  it('sameFile sees the model through every alias, and not a new file beside it through the alias', () => {
    const model = join(dir(), 'model.onnx');
    writeFileSync(model, 'MODEL');
    for (const [how, p] of Object.entries(aliases(model))) expect(sameFile(p, model), how).toBe(true);
    expect(sameFile(join(dir(), 'alias', 'new.onnx'), join(dir(), 'new.onnx'))).toBe(true);
    expect(sameFile(join(dir(), 'alias', 'new.onnx'), model)).toBe(false);
  });

  it.each([false, true])('refuses every alias of the model before writing anything (sync %s)', async (sync) => {
    const model = join(dir(), 'model.onnx');
    writeFileSync(model, 'MODEL');
    const all = aliases(model);
    const before = readdirSync(dir()).sort();
    for (const [how, p] of Object.entries(all)) {
      const write = sync ? async () => writeAtomicSync(p, 'CSV', { protect: [model] }) : () => writeAtomic(p, 'CSV', { protect: [model] });
      const e = await write().then(() => undefined, (x: unknown) => x);
      expect(e, how).toBeInstanceOf(WriteError);
      expect((e as Error).message, how).toBe(`${p}: refusing to write over the model ${model}; choose another file`);
      expect(problemKind(e)).toBe('io');
      expect(readFileSync(model, 'utf8'), how).toBe('MODEL');
      expect(readdirSync(dir()).sort(), how).toEqual(before); // not even a temporary file
    }
  });

  it('names what each protected input is, and writes a new file beside them', async () => {
    const data = join(dir(), 'labels.gz');
    writeFileSync(data, 'LABELS');
    await expect(writeAtomic(join(dir(), 'alias-free', '..', 'labels.gz'), 'x', { protect: ['m.onnx', { path: data, what: 'the dataset' }] })).rejects.toThrow(
      /labels\.gz: refusing to write over the dataset .*labels\.gz/,
    );
    await writeAtomic(join(dir(), 'out.csv'), 'x', { protect: [{ path: data, what: 'the dataset' }] });
    expect(readFileSync(join(dir(), 'out.csv'), 'utf8')).toBe('x');
  });

  it('refuses a device (a symlink to /dev/full) as not a regular file, and writes through a symlink to a file', async () => {
    const full = join(dir(), 'full.onnx');
    symlinkSync('/dev/full', full);
    await expect(writeAtomic(full, 'x')).rejects.toThrow(`${full}: not a regular file (a device, FIFO or socket); choose a file`);
    expect(readdirSync(dir())).toEqual(['full.onnx']);
    const real = join(dir(), 'real.csv');
    writeFileSync(real, 'old');
    const link = join(dir(), 'link.csv');
    symlinkSync(real, link);
    await writeAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(checkTarget(link)).toBe(real);
  });

  it('a FIFO as the output is refused without blocking', async () => {
    const fifo = join(dir(), 'out.csv');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo here
    await expect(writeAtomic(fifo, 'x')).rejects.toThrow(/out\.csv: not a regular file/);
  });
});

describe('cancel', () => {
  it('cancelled before the write: nothing is created', async () => {
    const target = join(dir(), 'out.onnx');
    const e = await writeAtomic(target, bytes, { cancel: { cancelled: true } }).catch((x: unknown) => x);
    expect(problemKind(e)).toBe('cancelled');
    expect((e as Error).message).toBe(`${target}: cancelled; nothing was written`);
    expect(readdirSync(dir())).toEqual([]);
  });

  it('cancelled halfway through the pieces: the old target stays and no temporary file is left', async () => {
    const target = join(dir(), 'out.txt');
    writeFileSync(target, 'old');
    const cancel = { cancelled: false };
    function* rows(): Generator<string> {
      for (let i = 0; i < 3; i++) yield 'x'.repeat(5_000_000); // several batches reach the temp file
      cancel.cancelled = true;
      yield 'end';
    }
    await expect(writeAtomic(target, rows(), { cancel })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir())).toEqual(['out.txt']);
  });

  it('cancelled after the last piece but before the rename: nothing is written', async () => {
    const target = join(dir(), 'out.txt');
    const cancel = { cancelled: false };
    function* once(): Generator<Uint8Array> {
      yield bytes;
      cancel.cancelled = true; // after the only piece: only the check before the rename sees it
    }
    await expect(writeAtomic(target, once(), { cancel })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(readdirSync(dir())).toEqual([]);
  });
});

describe('stale temporary files', () => {
  /** The PID of a process that has exited. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  }

  it('the next write into the folder removes ours of dead processes, never a live one or anything else', async () => {
    resetStaleTempCleaning();
    const sleeper = spawn('sleep', ['60']);
    try {
      const dead = deadPid();
      const names = {
        dead: `.out.onnx.${dead}.0123abcd.tmp`,
        deadOther: `.model.onnx.json.${dead}.deadbeef.tmp`,
        mine: `.out.onnx.${process.pid}.0123abcd.tmp`,
        live: `.out.onnx.${sleeper.pid}.0123abcd.tmp`,
        notOurs: `.out.onnx.${dead}.tmp`,
        userFile: `out.onnx.${dead}.0123abcd.tmp`,
      };
      for (const n of Object.values(names)) writeFileSync(join(dir(), n), 'partial');
      mkdirSync(join(dir(), `.d.${dead}.00000000.tmp`)); // a folder of that name: not ours
      await writeAtomic(join(dir(), 'out.onnx'), 'new');
      expect(readdirSync(dir()).sort()).toEqual(
        [names.mine, names.live, names.notOurs, names.userFile, `.d.${dead}.00000000.tmp`, 'out.onnx'].sort(),
      );
    } finally {
      sleeper.kill();
    }
  });

  it('writeAtomicSync cleans too', () => {
    resetStaleTempCleaning();
    const stale = `.s.csv.${deadPid()}.00ff00ff.tmp`;
    writeFileSync(join(dir(), stale), 'partial');
    writeAtomicSync(join(dir(), 's.csv'), 'x');
    expect(readdirSync(dir())).toEqual(['s.csv']);
  });
});
