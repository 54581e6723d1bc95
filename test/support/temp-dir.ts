// Temporary directories for tests, always removed: one per test (useTempDir) or one per file
// (fileTempDir; a test that needs its own makes it inside that one). A suite that leaves its
// files behind fills the disk of whoever runs it often (one run left ~60 directories before).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach } from 'vitest';

/** Registers the hooks; the returned function gives the current test's directory. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** A directory for the whole test file, made now and removed after its last test. Call at the top level. */
export function fileTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
