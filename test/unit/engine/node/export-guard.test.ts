// The engine's writes on the Node platform (the desktop app's exports go this way): never over the
// open model, compared by identity (a symlinked folder alias, /proc/self/cwd, a hard link), and a
// cancelled export writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { EngineClient } from '../../../../src/engine/client';
import { inProcessEngine } from '../../../../src/engine/in-process';
import { nodePlatform } from '../../../../src/engine/node/platform';
import { failure, SAMPLE } from '../../../support/engine';

let dir: string;
let model: string;
let bytes: Buffer;
let alias: string;
let engine: EngineClient;
let modelId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-export-guard-'));
  model = join(dir, 'model.onnx');
  copyFileSync(SAMPLE, model);
  bytes = readFileSync(model);
  alias = join(mkdtempSync(join(tmpdir(), 'prunescope-export-alias-')), 'alias');
  symlinkSync(dir, alias);
  linkSync(model, join(dir, 'hard.onnx'));
  engine = inProcessEngine(nodePlatform({ ort: false, statsWorkers: 0 }).platform).client;
  modelId = (await engine.call({ type: 'open', source: { kind: 'path', path: model } })).modelId;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(alias, '..'), { recursive: true, force: true });
});

describe('engine writes never replace the open model', () => {
  const spec = { ratio: 0.5, mode: 'layer' as const };
  const outs = (): string[] => [join(alias, 'model.onnx'), `/proc/self/cwd/${relative(process.cwd(), model)}`, join(dir, 'hard.onnx')];

  it.each(['dense', 'sparse'] as const)('export (%s) through every alias', async (format) => {
    for (const path of outs()) {
      const e = await failure(engine.call({ type: 'export', modelId, spec, format, path }));
      expect(e.message, path).toMatch(/refusing to (overwrite|write over) the (open )?model/);
      expect(e.message.startsWith(`${path}: `)).toBe(true);
      expect(readFileSync(model).equals(bytes)).toBe(true);
    }
    expect(readdirSync(dir).sort()).toEqual(['hard.onnx', 'model.onnx']);
  });

  it('dumpJson through every alias', async () => {
    for (const path of outs()) {
      const e = await failure(engine.call({ type: 'dumpJson', modelId, path }));
      expect(e.message.startsWith(`${path}: `)).toBe(true);
      expect(readFileSync(model).equals(bytes)).toBe(true);
    }
  });

  it('a cancelled export writes nothing', async () => {
    const path = join(dir, 'out.onnx');
    const pending = engine.request({ type: 'export', modelId, spec, format: 'dense', path });
    engine.cancel(pending.id); // reaches the engine before the handler's first await returns
    const e = await failure(pending.promise);
    expect(e.code).toBe('cancelled');
    expect(readdirSync(dir).sort()).toEqual(['hard.onnx', 'model.onnx']);
  });

  it('a cancel that arrives once the file is in place says the file was written', async () => {
    const base = nodePlatform({ ort: false, statsWorkers: 0 }).platform;
    let cancelNow = (): void => undefined;
    const late = inProcessEngine({
      ...base,
      writeFileAtomic: async (path, data, options) => {
        await base.writeFileAtomic(path, data, options);
        cancelNow(); // after the rename: too late for the writer's checks
        await new Promise((r) => setImmediate(r));
      },
    }).client;
    const id = (await late.call({ type: 'open', source: { kind: 'path', path: model } })).modelId;
    const path = join(dir, 'late.onnx');
    const pending = late.request({ type: 'export', modelId: id, spec, format: 'dense', path });
    cancelNow = () => late.cancel(pending.id);
    const e = await failure(pending.promise);
    expect(e.code).toBe('cancelled');
    expect(e.message).toBe(`${path}: the cancel came too late, the file was written`);
    expect(readFileSync(path).length).toBeGreaterThan(0);
    rmSync(path);
  });
});
