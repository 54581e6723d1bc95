// Builds the CLI bundle exactly as scripts/build-cli.mjs does, but into a private temp folder (other
// test files rebuild out/cli in parallel; reading a bundle while it is being rewritten would fail),
// next to a copy of bin/prunescope.js, and runs it as a real subprocess.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

export const ROOT = resolve(__dirname, '../..');

let bin: string | undefined;

/** Path of a freshly built `bin/prunescope.js` (built once per test file). */
export function cliBin(): string {
  if (bin) return bin;
  const dir = mkdtempSync(join(tmpdir(), 'prunescope-cli-'));
  buildSync({
    entryPoints: { prunescope: join(ROOT, 'src/cli/main.ts') },
    outdir: join(dir, 'out/cli'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['onnxruntime-node', 'electron'],
    logLevel: 'warning',
  });
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin/prunescope.js'), join(dir, 'bin/prunescope.js'));
  bin = join(dir, 'bin/prunescope.js');
  return bin;
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
    // The bundle leaves onnxruntime-node external; let it resolve from the project.
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), PRUNESCOPE_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
