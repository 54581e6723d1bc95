// Shared by the main-process tests: building main + preload with the project's electron-vite
// settings into a folder of the test's own (no race with other suites building out/).
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');

export function buildDesktopBundles(outDir: string): void {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
      'build',
      '-c',
      'test/main/fixtures/electron-vite.main-preload.config.ts',
      '--outDir',
      outDir,
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}
