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
