// What a Ctrl-C truly left behind: a file replaced by a rename (or created) since it was marked is
// reported as written; an untouched one is not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cancelMessage, changedFiles, checkOutput, markFiles } from '../../../src/cli/outputs';
import { CliError } from '../../../src/cli/command';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-cli-outputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('cancel messages', () => {
  it('nothing changed: "nothing was written"', () => {
    const old = join(dir, 'old.onnx');
    writeFileSync(old, 'old');
    const marks = markFiles([old, join(dir, 'new.onnx')]);
    expect(changedFiles(marks)).toEqual([]);
    expect(cancelMessage(changedFiles(marks))).toBe('cancelled (Ctrl-C); nothing was written');
  });

  it('a file renamed over OUT, or a new OUT, after the mark: named as written', () => {
    const old = join(dir, 'old.onnx');
    writeFileSync(old, 'old');
    const fresh = join(dir, 'new.onnx');
    const marks = markFiles([old, fresh]);
    writeFileSync(join(dir, 'tmp'), 'new'); // same size as before: the inode tells
    renameSync(join(dir, 'tmp'), old);
    writeFileSync(fresh, 'x');
    expect(changedFiles(marks)).toEqual([old, fresh]);
    expect(cancelMessage([old])).toBe(`cancelled (Ctrl-C) too late: ${old} was already written`);
  });
});

describe('checkOutput', () => {
  it('is one CliError line naming the output', () => {
    const model = join(dir, 'm.onnx');
    writeFileSync(model, 'M');
    expect(() => checkOutput(`${dir}/./m.onnx`, [model])).toThrow(CliError);
    expect(() => checkOutput(`${dir}/./m.onnx`, [model])).toThrow(`${dir}/./m.onnx: refusing to write over the model ${model}; choose another file`);
    expect(() => checkOutput(join(dir, 'out.onnx'), [model])).not.toThrow();
  });
});
