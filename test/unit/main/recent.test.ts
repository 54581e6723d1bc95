import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecentFiles } from '../../../src/main/recent';

let dir: string;
let store: string;
const models: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-recent-'));
  store = join(dir, 'userData', 'recent.json');
  models.length = 0;
  for (let i = 0; i < 12; i++) {
    const p = join(dir, `m${i}.onnx`);
    writeFileSync(p, 'x');
    models.push(p);
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('RecentFiles', () => {
  it('persists across instances, most recent first', () => {
    const a = new RecentFiles(store, { caseInsensitive: false });
    a.add(models[0]);
    a.add(models[1]);
    expect(existsSync(store)).toBe(true);
    const b = new RecentFiles(store, { caseInsensitive: false });
    expect(b.list()).toEqual([models[1], models[0]]);
    expect(JSON.parse(readFileSync(store, 'utf8')).paths).toEqual([models[1], models[0]]);
    // atomic writes leave no temporary files behind
    expect(readdirSync(join(dir, 'userData'))).toEqual(['recent.json']);
  });

  it('keeps at most 10 entries', () => {
    const r = new RecentFiles(store, { caseInsensitive: false });
    for (const m of models) r.add(m);
    expect(r.list()).toHaveLength(10);
    expect(r.list()[0]).toBe(models[11]);
    expect(r.list()).not.toContain(models[0]);
    expect(r.list()).not.toContain(models[1]);
    expect(new RecentFiles(store).list()).toHaveLength(10);
  });

  it('dedupes: re-adding moves an entry to the top', () => {
    const r = new RecentFiles(store, { caseInsensitive: false });
    r.add(models[0]);
    r.add(models[1]);
    r.add(models[0]);
    expect(r.list()).toEqual([models[0], models[1]]);
    const ci = new RecentFiles(join(dir, 'ci.json'), { caseInsensitive: true });
    ci.add('/X/Model.onnx');
    ci.add('/x/model.onnx');
    expect(ci.list()).toEqual(['/x/model.onnx']);
  });

  it('clears', () => {
    const r = new RecentFiles(store);
    r.add(models[0]);
    r.clear();
    expect(r.list()).toEqual([]);
    expect(new RecentFiles(store).list()).toEqual([]);
  });

  it('drops missing files', () => {
    const r = new RecentFiles(store, { caseInsensitive: false });
    r.add(models[0]);
    r.add(models[1]);
    r.add(models[2]);
    rmSync(models[1]);
    expect(r.checkEntry(models[0])).toBe(true);
    expect(r.checkEntry(models[1])).toBe(false);
    expect(r.list()).toEqual([models[2], models[0]]);
    rmSync(models[2]);
    expect(r.pruneMissing()).toEqual([models[2]]);
    expect(new RecentFiles(store).list()).toEqual([models[0]]);
  });

  it('tolerates a corrupt or odd file and replaces it on the next write', () => {
    const userData = join(dir, 'userData');
    rmSync(userData, { recursive: true, force: true });
    new RecentFiles(store).clear(); // creates the folder
    writeFileSync(store, '{"paths": [ "/a.onnx", ');
    expect(new RecentFiles(store).list()).toEqual([]);
    writeFileSync(store, JSON.stringify({ paths: [42, '', '/a.onnx', '/a.onnx', null, '/b.onnx'] }));
    expect(new RecentFiles(store, { caseInsensitive: false }).list()).toEqual(['/a.onnx', '/b.onnx']);
    writeFileSync(store, '"just a string"');
    const r = new RecentFiles(store);
    expect(r.list()).toEqual([]);
    r.add(models[3]);
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual({ version: 1, paths: [models[3]] });
  });
});
