import { describe, expect, it } from 'vitest';
import {
  IpcError,
  checkArgCount,
  checkSender,
  isAppUrl,
  validateOptionalPath,
  validatePath,
  validateSaveData,
  validateSaveKind,
  validateSuggestedName,
  type FrameLike,
} from '../../../src/main/validate';

const APP = 'file:///opt/prunescope/resources/app/out/renderer/index.html';

describe('isAppUrl', () => {
  it('accepts the app page with a hash or query, nothing else', () => {
    expect(isAppUrl(APP, APP)).toBe(true);
    expect(isAppUrl(APP + '#/graph', APP)).toBe(true);
    expect(isAppUrl(APP + '?x=1', APP)).toBe(true);
    expect(isAppUrl('file:///tmp/evil.html', APP)).toBe(false);
    expect(isAppUrl('file:///opt/prunescope/resources/app/out/renderer/other.html', APP)).toBe(false);
    expect(isAppUrl('https://example.com/', APP)).toBe(false);
    expect(isAppUrl('about:blank', APP)).toBe(false);
    expect(isAppUrl('not a url', APP)).toBe(false);
  });

  it('matches paths whatever their escaping', () => {
    const spaced = 'file:///home/me/My%20Apps/prunescope/out/renderer/index.html';
    expect(isAppUrl('file:///home/me/My Apps/prunescope/out/renderer/index.html', spaced)).toBe(true);
    expect(isAppUrl('file:///home/me/My%20Apps/prunescope/out/renderer/index%2Ehtml', spaced)).toBe(true);
    expect(isAppUrl('file:///home/me/My%20Apps/prunescope/out/renderer/index.html%00', spaced)).toBe(false);
    expect(isAppUrl('file:///home/me/%E0%A4%A/out/renderer/index.html', spaced)).toBe(false);
  });

  it('accepts the dev server origin only', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://evil.localhost:5173/', dev)).toBe(false);
  });
});

describe('checkSender', () => {
  const main: FrameLike = { url: APP, parent: null };
  it('accepts the main window top frame on the app page', () => {
    expect(() => checkSender(main, main, APP)).not.toThrow();
  });
  it('refuses other frames, subframes, foreign pages and missing frames', () => {
    const sub: FrameLike = { url: APP, parent: main };
    const other: FrameLike = { url: APP, parent: null };
    const navigated = { url: 'https://evil.example/', parent: null };
    expect(() => checkSender(sub, main, APP)).toThrow(IpcError);
    expect(() => checkSender(other, main, APP)).toThrow(/other than the main window/);
    expect(() => checkSender(navigated, navigated, APP)).toThrow(/evil\.example/);
    expect(() => checkSender(null, main, APP)).toThrow(/unknown frame/);
    expect(() => checkSender(main, null, APP)).toThrow(/unknown frame/);
  });
});

describe('argument validators', () => {
  it('save kinds', () => {
    for (const k of ['onnx', 'json', 'csv', 'png', 'svg', 'txt']) expect(validateSaveKind(k)).toBe(k);
    for (const bad of ['exe', '', 'ONNX', 1, null, undefined, {}, ['png']]) {
      expect(() => validateSaveKind(bad)).toThrow(IpcError);
    }
  });

  it('suggested names keep only a safe last component', () => {
    expect(validateSuggestedName('mnist-pruned.onnx')).toBe('mnist-pruned.onnx');
    expect(validateSuggestedName('../../etc/passwd')).toBe('passwd');
    expect(validateSuggestedName('C:\\Windows\\x.png')).toBe('x.png');
    expect(validateSuggestedName('a<b>:c?.csv')).toBe('a_b__c_.csv');
    expect(validateSuggestedName('line\nbreak.txt')).toBe('line_break.txt');
    expect(validateSuggestedName('.hidden')).toBe('hidden');
    expect(validateSuggestedName('..')).toBe('untitled');
    expect(validateSuggestedName('')).toBe('untitled');
    expect(validateSuggestedName('x'.repeat(300))).toHaveLength(255);
    expect(() => validateSuggestedName(5)).toThrow(IpcError);
    expect(() => validateSuggestedName('x'.repeat(5000))).toThrow(/too long/);
  });

  it('save data is a string or a Uint8Array', () => {
    expect(validateSaveData('a,b\n')).toBe('a,b\n');
    const bytes = new Uint8Array([137, 80, 78, 71]);
    expect(validateSaveData(bytes)).toBe(bytes);
    for (const bad of [42, null, undefined, { length: 3 }, [1, 2, 3], new ArrayBuffer(4), new Float32Array(2)]) {
      expect(() => validateSaveData(bad)).toThrow(IpcError);
    }
  });

  it('paths are absolute non-empty strings without NUL', () => {
    expect(validatePath('/tmp/m.onnx')).toBe('/tmp/m.onnx');
    expect(validatePath('C:\\models\\m.onnx')).toBe('C:\\models\\m.onnx');
    expect(validatePath('\\\\server\\share\\m.onnx')).toBe('\\\\server\\share\\m.onnx');
    for (const bad of ['', 'relative.onnx', '/tmp/a\0b', 7, null, '/' + 'x'.repeat(5000)]) {
      expect(() => validatePath(bad)).toThrow(IpcError);
    }
    expect(validateOptionalPath(null)).toBeNull();
  });

  it('argument counts', () => {
    expect(() => checkArgCount([1, 2], 2, 'showSave')).not.toThrow();
    expect(() => checkArgCount([1], 2, 'showSave')).toThrow('showSave expects 2 argument(s), got 1');
  });
});
