// Finds the model path on a command line, as Electron hands it to main (process.argv at start,
// or the argv of a second instance). Electron/Chromium switches are skipped; in an unpackaged run
// (`electron .` / `electron out/main/index.js`) the app path that follows the executable is skipped.

import { extname, isAbsolute, resolve } from 'node:path';

export type ArgvResult =
  | { kind: 'none' }
  | { kind: 'open'; path: string }
  | { kind: 'rejected'; path: string; reason: string };

export interface ArgvOptions {
  /** Directory relative paths are resolved against (the second instance's cwd). */
  cwd: string;
  /** true when running unpackaged (process.defaultApp): argv[1] is the app path, not a file. */
  defaultApp: boolean;
}

/** The positional arguments after the executable (and the app path when unpackaged). */
export function positionalArgs(argv: readonly string[], options: Pick<ArgvOptions, 'defaultApp'>): string[] {
  const out: string[] = [];
  let skippedAppPath = !options.defaultApp;
  let afterDashDash = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (!afterDashDash) {
      if (arg === '--') {
        afterDashDash = true;
        continue;
      }
      // Chromium and Electron switches always use the --name or --name=value form.
      if (arg.startsWith('-')) continue;
    }
    if (!skippedAppPath) {
      skippedAppPath = true;
      continue;
    }
    if (arg.length > 0) out.push(arg);
  }
  return out;
}

/** The model to open from a command line: the first positional argument, which must be .onnx. */
export function parseOpenArgv(argv: readonly string[], options: ArgvOptions): ArgvResult {
  const args = positionalArgs(argv, options);
  if (args.length === 0) return { kind: 'none' };
  let raw = args[0];
  if (raw.startsWith('file://')) {
    try {
      raw = decodeURIComponent(new URL(raw).pathname);
      if (/^\/[A-Za-z]:\//.test(raw)) raw = raw.slice(1); // file:///C:/x on Windows
    } catch {
      return { kind: 'rejected', path: raw, reason: 'is not a valid file URL' };
    }
  }
  const path = isAbsolute(raw) ? resolve(raw) : resolve(options.cwd, raw);
  if (extname(path).toLowerCase() !== '.onnx') {
    return { kind: 'rejected', path, reason: 'is not an .onnx file' };
  }
  return { kind: 'open', path };
}
