import { describe, expect, it } from 'vitest';
import { CSP, devCsp, externalLinkTarget, needsCsp, withCspHeader } from '../../../src/main/security';

describe('CSP', () => {
  it('is strict: self scripts only, no eval, no objects, no framing', () => {
    const directives = Object.fromEntries(
      CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(directives['worker-src']).toEqual(["'self'", 'blob:']);
    expect(CSP).not.toContain('unsafe-eval');
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
  });

  it('lets the dev server HMR socket through, only in dev', () => {
    expect(devCsp('http://localhost:5173/')).toContain("connect-src 'self' ws://localhost:5173");
    expect(CSP).toContain("connect-src 'self';");
  });

  it('goes on app responses only and replaces any existing policy', () => {
    expect(needsCsp('file:///app/out/renderer/index.html')).toBe(true);
    expect(needsCsp('http://localhost:5173/src/main.ts', 'http://localhost:5173')).toBe(true);
    expect(needsCsp('https://example.com/', 'http://localhost:5173')).toBe(false);
    expect(needsCsp('https://example.com/')).toBe(false);
    const h = withCspHeader({ 'content-security-policy': ['x'], 'Content-Type': ['text/html'] }, CSP);
    expect(h).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP] });
  });
});

describe('externalLinkTarget', () => {
  it('opens https links to known hosts only', () => {
    expect(externalLinkTarget('https://github.com/onnx/onnx')).toBe('https://github.com/onnx/onnx');
    expect(externalLinkTarget('https://docs.onnx.ai/x')).toBe('https://docs.onnx.ai/x');
    expect(externalLinkTarget('http://github.com/')).toBeNull();
    expect(externalLinkTarget('https://github.com.evil.example/')).toBeNull();
    expect(externalLinkTarget('https://evilgithub.com/')).toBeNull();
    expect(externalLinkTarget('https://user:pw@github.com/')).toBeNull();
    expect(externalLinkTarget('file:///etc/passwd')).toBeNull();
    expect(externalLinkTarget('javascript:alert(1)')).toBeNull();
    expect(externalLinkTarget('nonsense')).toBeNull();
  });
});
