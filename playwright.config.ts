// Playwright: the browser build of the renderer (dist/web, engine in a Web Worker) in Debian's
// Chromium. The web server builds the app first, then serves it with `vite preview`. Tests save
// their own screenshots to docs/screenshots/. No wall-clock assertions: timeouts are generous.

import { defineConfig } from '@playwright/test';

const port = Number(process.env.PRUNESCOPE_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'test/e2e',
  workers: 1,
  retries: 0,
  fullyParallel: false,
  timeout: 15 * 60_000,
  expect: { timeout: 120_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    actionTimeout: 60_000,
    navigationTimeout: 120_000,
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `npx vite build -c vite.web.config.ts && npx vite preview -c vite.web.config.ts --port ${port} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 10 * 60_000,
    env: { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
