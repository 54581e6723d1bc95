// Runs the real `bin/prunescope.js` (over out/cli/prunescope.js, built once per run by
// test/global-setup.ts) as a subprocess, as a user would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths';

export { ROOT };

/** Path of `bin/prunescope.js`. */
export function cliBin(): string {
  return join(ROOT, 'bin/prunescope.js');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/prunescope.js ...args` in `cwd`. */
export function prunescope(args: string[], cwd = ROOT): RunResult {
  const r = spawnSync(process.execPath, [cliBin(), ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PRUNESCOPE_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The cells of one column of the first table a command printed (its header row starts with
 * `ratio` or `method`; columns are two or more spaces apart), one per row.
 */
export function tableColumn(r: RunResult, name: string): string[] {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const at = lines.findIndex((l) => /^(ratio|method)\s/.test(l.trimStart()));
  if (at < 0) throw new Error(`no table in: ${r.stdout}`);
  const head = lines[at].trim().split(/\s{2,}/);
  if (!head.includes(name)) throw new Error(`no column "${name}" in: ${head.join(' | ')}`);
  const end = lines.findIndex((l, i) => i > at && l.trim() === '');
  return lines.slice(at + 1, end < 0 ? undefined : end).map((l) => l.trim().split(/\s{2,}/)[head.indexOf(name)]);
}
