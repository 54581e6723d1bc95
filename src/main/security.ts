// Security policy of the window, as pure functions: the Content-Security-Policy header, which
// responses get it, and which external links may open in the OS browser.

/** The renderer's CSP (the same as its index.html meta tag), sent as a response header too. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The dev server's variant: Vite's HMR client connects back over a WebSocket to the same host. */
export function devCsp(devServerUrl: string): string {
  const u = new URL(devServerUrl);
  const ws = `ws://${u.host}`;
  return CSP.replace("connect-src 'self'", `connect-src 'self' ${ws}`);
}

/** Whether a response for `url` gets the CSP header: the app's files and the dev server. */
export function needsCsp(url: string, devServerUrl?: string): boolean {
  if (url.startsWith('file:')) return true;
  if (!devServerUrl) return false;
  try {
    return new URL(url).origin === new URL(devServerUrl).origin;
  } catch {
    return false;
  }
}

/** Adds (replacing any casing of) Content-Security-Policy to a header record. */
export function withCspHeader(
  headers: Record<string, string | string[]> | undefined,
  csp: string,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

/** Hosts whose https links (e.g. in the About dialog) may open in the OS browser. */
export const EXTERNAL_HOSTS: readonly string[] = ['onnx.ai', 'github.com', 'netron.app', 'onnxruntime.ai'];

/** The URL to hand to shell.openExternal, or null: only https links to the hosts above. */
export function externalLinkTarget(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return null;
  const host = u.hostname.toLowerCase();
  return EXTERNAL_HOSTS.some((h) => host === h || host.endsWith('.' + h)) ? u.toString() : null;
}
