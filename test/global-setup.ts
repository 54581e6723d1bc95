// Vitest global setup: the product bundles are built ONCE per test run, before any suite starts,
// and every suite that needs a bundle reads it from here (no suite rebuilds a bundle of its own):
// - out/cli: the CLI, the Node engine entry (utility.js) and the worker-thread entries, exactly as
//   `npm run build:cli` makes them;
// - out/test-desktop: Electron main + preload as electron-vite builds them (no renderer section).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { CLI_OUT, DESKTOP_OUT, ROOT } from './support/paths';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, stdio: 'inherit' });
  rmSync(DESKTOP_OUT, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      'node_modules/electron-vite/bin/electron-vite.js',
      'build',
      '-c',
      'test/unit/main/fixtures/electron-vite.main-preload.config.ts',
      '--outDir',
      DESKTOP_OUT,
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  void CLI_OUT;
}
