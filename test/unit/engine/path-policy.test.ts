// The one path-grant policy, as main (grants, forwards, re-sends) and the desktop engine (checks) use it.
import { describe, expect, it } from 'vitest';
import { PathPolicy } from '../../../src/engine/path-policy';

describe('PathPolicy', () => {
  it('unrestricted allows everything; restricted only what was granted', () => {
    expect(new PathPolicy().allows('/any/model.onnx', true)).toBe(true);
    const p = new PathPolicy({ restricted: true });
    expect(p.allows('/m.onnx', false)).toBe(false);
    p.grant(['/m.onnx']);
    expect(p.allows('/m.onnx', false)).toBe(true);
    expect(p.allows('/m.onnx', true)).toBe(false);
    expect(p.allows('/other.onnx', false)).toBe(false);
  });

  it('a write grant also allows reading the path', () => {
    const p = new PathPolicy({ restricted: true });
    p.grant(['/out/pruned.onnx'], true);
    expect(p.allows('/out/pruned.onnx', true)).toBe(true);
    expect(p.allows('/out/pruned.onnx', false)).toBe(true);
  });

  it('normalizes paths before storing and checking, and reports each grant normalized', () => {
    const told: { paths: string[]; write: boolean }[] = [];
    const p = new PathPolicy({
      restricted: true,
      normalize: (path) => path.replace(/\/\.\//g, '/'),
      onGrant: (paths, write) => told.push({ paths, write }),
    });
    expect(p.grant(['/data/./a.onnx', '/data/b.onnx'])).toEqual(['/data/a.onnx', '/data/b.onnx']);
    p.grant([], true); // nothing to tell
    p.grant(['/out/./c.csv'], true);
    expect(told).toEqual([
      { paths: ['/data/a.onnx', '/data/b.onnx'], write: false },
      { paths: ['/out/c.csv'], write: true },
    ]);
    expect(p.allows('/data/./b.onnx', false)).toBe(true);
    expect(p.snapshot()).toEqual({ read: ['/data/a.onnx', '/data/b.onnx'], write: ['/out/c.csv'] });
  });
});
