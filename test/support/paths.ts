// Where the tests find the repository and the bundles that test/global-setup.ts builds once per run.
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
/** scripts/build-cli.mjs's output: prunescope.js, utility.js, parallel-worker.js, stats-worker.js. */
export const CLI_OUT = join(ROOT, 'out/cli');
/** Electron main + preload built by electron-vite (main/index.js, preload/index.js). */
export const DESKTOP_OUT = join(ROOT, 'out/test-desktop');
export const UTILITY = join(CLI_OUT, 'utility.js');
