// The CLI's outputs: which input files a command must never write over (the model, its datasets),
// the check made before any work starts, and what a Ctrl-C truly left behind.

import { statSync } from 'node:fs';
import { checkTarget, WriteError, type ProtectedFile } from '../engine/node/atomic-write';
import { CliError, type ParsedArgs } from './command';
import { stringList } from './commands/args';

/** The inputs of a command: MODEL, then the files of --data, --calib and --train. */
export function inputFiles(args: ParsedArgs, model: string): { path: string; what: string }[] {
  const out = [{ path: model, what: 'the model' }];
  for (const [option, what] of [
    ['data', 'the dataset'],
    ['calib', 'the calibration data'],
    ['train', 'the training data'],
  ] as const) {
    for (const p of stringList(args, option)) out.push({ path: p, what });
  }
  return out;
}

/**
 * Refuses, before anything is done, an output that would replace an input (by identity: any
 * spelling, symlinked folder alias, /proc/self/cwd, hard link) or that is not a regular file.
 * One line naming the output: "OUT: refusing to write over the model MODEL; choose another file".
 */
export function checkOutput(target: string, inputs: readonly ProtectedFile[]): void {
  if (target === '') throw new CliError('the output file name is empty');
  try {
    checkTarget(target, inputs);
  } catch (e) {
    if (e instanceof WriteError) throw new CliError(e.message);
    throw e;
  }
}

/** What identifies the file at a path now (undefined: none). A rename over it gives a new inode. */
export interface FileMark {
  path: string;
  id?: string;
}

function idOf(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}

export function markFiles(paths: readonly string[]): FileMark[] {
  return paths.map((path) => ({ path, id: idOf(path) }));
}

/** The marked files that were replaced or created since they were marked. */
export function changedFiles(marks: readonly FileMark[]): string[] {
  return marks.filter((m) => {
    const now = idOf(m.path);
    return now !== undefined && now !== m.id;
  }).map((m) => m.path);
}

/** The message of a Ctrl-C, true to what was written. */
export function cancelMessage(written: readonly string[]): string {
  if (written.length === 0) return 'cancelled (Ctrl-C); nothing was written';
  return `cancelled (Ctrl-C) too late: ${written.join(', ')} ${written.length === 1 ? 'was' : 'were'} already written`;
}
