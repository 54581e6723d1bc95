// Runs ESLint with the project's config on small sources that each break one layer rule, placed
// (by file path only: nothing is written) in the folder the rule is about, and expects that
// rule's error; sources that keep the rules pass clean.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { ROOT } from '../../support/paths';

const eslint = new ESLint({ cwd: ROOT });

async function problems(filePath: string, code: string): Promise<{ rule: string | null; message: string; line: number }[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message, line: m.line }));
}

interface Case {
  name: string;
  file: string;
  code: string;
  rule: 'no-restricted-imports' | 'no-restricted-globals';
  message: RegExp;
}

const broken: Case[] = [
  // core
  { name: 'core imports a node builtin', file: 'src/core/x.ts', code: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", rule: 'no-restricted-imports', message: /src\/core must not import node builtins/ },
  { name: 'core imports the engine', file: 'src/core/prune/x.ts', code: "import type { Request } from '../../engine/protocol';\nexport type R = Request;\n", rule: 'no-restricted-imports', message: /imports nothing of ours outside core/ },
  { name: 'core uses the DOM', file: 'src/core/x.ts', code: 'export const t = document.title;\n', rule: 'no-restricted-globals', message: /document/ },
  // the platform-neutral engine
  { name: 'neutral engine imports node:fs', file: 'src/engine/handlers/x.ts', code: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", rule: 'no-restricted-imports', message: /Node builtins belong in src\/engine\/node/ },
  { name: 'neutral engine imports path', file: 'src/engine/x.ts', code: "import { join } from 'path';\nexport const f = join;\n", rule: 'no-restricted-imports', message: /Node builtins belong in src\/engine\/node/ },
  { name: 'neutral engine imports the Node engine', file: 'src/engine/handlers/x.ts', code: "import { loadModelFile } from '../node/files';\nexport const f = loadModelFile;\n", rule: 'no-restricted-imports', message: /never src\/engine\/node or src\/engine\/browser/ },
  { name: 'neutral engine imports electron', file: 'src/engine/x.ts', code: "import { app } from 'electron';\nexport const a = app;\n", rule: 'no-restricted-imports', message: /no electron import/ },
  { name: 'neutral engine imports main', file: 'src/engine/x.ts', code: "import { saveUserFile } from '../main/save';\nexport const f = saveUserFile;\n", rule: 'no-restricted-imports', message: /depends only on core/ },
  { name: 'neutral engine uses the DOM', file: 'src/engine/methods/x.ts', code: "export const s = localStorage.getItem('k');\n", rule: 'no-restricted-globals', message: /localStorage: the engine has no page/ },
  { name: 'neutral engine uses a Node global', file: 'src/engine/x.ts', code: 'export const env = process.env;\n', rule: 'no-restricted-globals', message: /process: Node globals belong in src\/engine\/node/ },
  { name: 'neutral engine uses a worker global', file: 'src/engine/x.ts', code: 'export const n = self.name;\n', rule: 'no-restricted-globals', message: /self: Web Worker globals belong in src\/engine\/browser/ },
  // the browser engine
  { name: 'browser engine imports a node builtin', file: 'src/engine/browser/x.ts', code: "import { join } from 'node:path';\nexport const f = join;\n", rule: 'no-restricted-imports', message: /browser engine has no node builtins/ },
  { name: 'browser engine imports the Node engine', file: 'src/engine/browser/x.ts', code: "import { nodePlatform } from '../node/platform';\nexport const f = nodePlatform;\n", rule: 'no-restricted-imports', message: /never imports src\/engine\/node/ },
  { name: 'browser engine uses the DOM', file: 'src/engine/browser/x.ts', code: "export const el = document.createElement('div');\n", rule: 'no-restricted-globals', message: /document: a Web Worker has no page/ },
  { name: 'browser engine uses a Node global', file: 'src/engine/browser/x.ts', code: "export const b = Buffer.from('x');\n", rule: 'no-restricted-globals', message: /Buffer: the browser engine has no Node/ },
  // the Node engine
  { name: 'Node engine imports electron', file: 'src/engine/node/x.ts', code: "import { utilityProcess } from 'electron';\nexport const u = utilityProcess;\n", rule: 'no-restricted-imports', message: /no electron import/ },
  { name: 'Node engine imports the browser engine', file: 'src/engine/node/x.ts', code: "import '../browser/worker';\n", rule: 'no-restricted-imports', message: /never imports src\/engine\/browser/ },
  // the renderer
  { name: 'renderer imports an engine handler', file: 'src/renderer/x.ts', code: "import { EngineHost } from '../engine/host';\nexport const h = EngineHost;\n", rule: 'no-restricted-imports', message: /only engine\/protocol and engine\/client/ },
  { name: 'renderer view imports engine analysis', file: 'src/renderer/views/x.ts', code: "import * as summary from '../../engine/summary';\nexport const s = summary;\n", rule: 'no-restricted-imports', message: /only engine\/protocol and engine\/client/ },
  { name: 'renderer imports the Node engine', file: 'src/renderer/x.ts', code: "import { writeAtomic } from '../engine/node/atomic-write';\nexport const w = writeAtomic;\n", rule: 'no-restricted-imports', message: /only engine\/protocol and engine\/client/ },
  { name: 'renderer imports a node builtin', file: 'src/renderer/x.ts', code: "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", rule: 'no-restricted-imports', message: /never touches node builtins/ },
  { name: 'renderer imports electron', file: 'src/renderer/x.ts', code: "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n", rule: 'no-restricted-imports', message: /only through the preload API/ },
  { name: 'renderer imports main', file: 'src/renderer/x.ts', code: "import { IPC } from '../main/ipc';\nexport const i = IPC;\n", rule: 'no-restricted-imports', message: /imports only core, the engine protocol and client/ },
  { name: 'renderer imports the CLI', file: 'src/renderer/views/x.ts', code: "import { commands } from '../../cli/commands';\nexport const c = commands;\n", rule: 'no-restricted-imports', message: /imports only core, the engine protocol and client/ },
  { name: 'renderer imports the preload', file: 'src/renderer/x.ts', code: "import { createDesktopApi } from '../preload/api';\nexport const c = createDesktopApi;\n", rule: 'no-restricted-imports', message: /imports only core, the engine protocol and client/ },
  // the preload
  { name: 'preload imports the engine', file: 'src/preload/x.ts', code: "import type { Request } from '../engine/protocol';\nexport type R = Request;\n", rule: 'no-restricted-imports', message: /only electron and src\/shared/ },
  { name: 'preload imports a node builtin', file: 'src/preload/x.ts', code: "import { join } from 'node:path';\nexport const j = join;\n", rule: 'no-restricted-imports', message: /only electron and src\/shared/ },
  { name: 'preload imports main', file: 'src/preload/x.ts', code: "import { IPC } from '../main/ipc';\nexport const i = IPC;\n", rule: 'no-restricted-imports', message: /only electron and src\/shared/ },
  // main and the CLI
  { name: 'main imports the renderer', file: 'src/main/x.ts', code: "import { startApp } from '../renderer/app';\nexport const s = startApp;\n", rule: 'no-restricted-imports', message: /never imports the renderer/ },
  { name: 'main imports the browser engine', file: 'src/main/x.ts', code: "import '../engine/browser/worker';\n", rule: 'no-restricted-imports', message: /never imports the browser engine/ },
  { name: 'the CLI imports electron', file: 'src/cli/commands/x.ts', code: "import { app } from 'electron';\nexport const a = app;\n", rule: 'no-restricted-imports', message: /runs without Electron/ },
];

const clean: { name: string; file: string; code: string }[] = [
  { name: 'core imports core', file: 'src/core/prune/x.ts', code: "import { OnnxError } from '../onnx/errors';\nexport const e = OnnxError;\n" },
  { name: 'neutral engine imports core and its own modules', file: 'src/engine/handlers/x.ts', code: "import { decodeModel } from '../../core/onnx/decode';\nimport type { EnginePlatform } from '../platform';\nexport const f = (p: EnginePlatform, b: Uint8Array) => [p, decodeModel(b, 'm.onnx')];\n" },
  { name: 'browser engine uses worker globals', file: 'src/engine/browser/x.ts', code: "import { EngineHost } from '../host';\nexport const h = EngineHost;\nself.postMessage({ type: 'ready' });\nexport const cores = navigator.hardwareConcurrency;\n" },
  { name: 'Node engine uses node', file: 'src/engine/node/x.ts', code: "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport const read = (d: string) => readFileSync(join(d, 'x'), 'utf8') + process.pid + Buffer.byteLength('x');\n" },
  { name: 'renderer imports the protocol, the client, core and shared', file: 'src/renderer/views/x.ts', code: "import type { Request } from '../../engine/protocol';\nimport { EngineClient } from '../../engine/client';\nimport { histogram } from '../../core/stats/histogram';\nimport type { DesktopApi } from '../../shared/api';\nimport { baseName } from '../engine-link';\nexport const all = [EngineClient, histogram, baseName, document.title];\nexport type T = Request | DesktopApi;\n" },
  { name: 'preload imports electron, shared and itself', file: 'src/preload/x.ts', code: "import { contextBridge } from 'electron';\nimport { IPC } from '../shared/channels';\nimport { createDesktopApi } from './api';\nexport const all = [contextBridge, IPC, createDesktopApi];\n" },
  { name: 'main imports the Node engine and shared', file: 'src/main/x.ts', code: "import { app } from 'electron';\nimport { writeAtomicSync } from '../engine/node/atomic-write';\nimport { PathPolicy } from '../engine/path-policy';\nimport { TO_RENDERER } from '../shared/channels';\nexport const all = [app, writeAtomicSync, PathPolicy, TO_RENDERER];\n" },
];

describe('layer rules', () => {
  it.each(broken)('$name: $file', async ({ file, code, rule, message }) => {
    const found = await problems(file, code);
    expect(found).toHaveLength(1);
    expect(found[0].rule).toBe(rule);
    expect(found[0].message).toMatch(message);
  });

  it.each(clean)('clean: $name', async ({ file, code }) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
