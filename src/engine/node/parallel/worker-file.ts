// Finding and starting the script of a worker thread: the bundled .js next to the code that uses
// it (out/cli for the CLI and the Node engine process; out/main for the desktop engine, whose code
// sits one folder down in out/main/chunks), or its TypeScript source under tsx (vitest, scripts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The worker script: `bundle` (e.g. parallel-worker.js) or `source` (its .ts entry) near this code. */
export function findWorkerFile(bundle: string, source: string): string {
  const dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [join(dir, bundle), join(dir, '..', bundle), join(dir, source), join(dir, 'parallel', source)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`no worker script found (looked for ${candidates.join(', ')}); build it with npm run build:cli`);
  return found;
}

/** Starts a worker thread on a built .js file, or on a .ts entry through tsx's require hook. */
export function startWorker(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file);
  const code = `const { createRequire } = require('node:module'); const r = createRequire(${JSON.stringify(file)}); r('tsx/cjs'); r(${JSON.stringify(file)});`;
  return new Worker(code, { eval: true });
}
