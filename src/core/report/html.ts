// The report file: ONE self-contained HTML page holding the report's data as JSON in a
// <script type="application/json" id="prunescope-report"> and the viewer (a classic script with its
// CSS inlined) in a second <script>. Nothing is loaded from anywhere: a Content-Security-Policy
// forbids every fetch, so a page that tried would fail visibly instead of leaking.
//
// Escaping: the JSON goes into a script element, where the HTML parser ends the element at the
// first "</script" whatever the JSON means; every "<" is written as the JSON escape \u003c (so a
// tensor named "</script>" stays text), and U+2028 / U+2029 as \u2028 / \u2029. The viewer script
// gets "<" before "/script" and "!--" written as \x3C, which means "<" wherever such text can occur
// in JavaScript (strings, templates, regular expressions, comments).

/** The id of the JSON data element the viewer reads. */
export const REPORT_DATA_ID = 'prunescope-report';

/** What a page is made of. */
export interface ReportPage {
  /** The page title (plain text). */
  title: string;
  /** The report data; JSON.stringify must accept it. */
  data: unknown;
  /** The viewer: a classic script that reads the data element and draws the page. */
  script: string;
}

/**
 * The page's policy: inline script and style only, pictures from data: and blob: URLs (chart and
 * graph exports), no connections, no workers, no frames, no forms.
 */
export const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'";

/** JSON text safe inside a script element: no "<" (so no "</script" or "<!--"), no line separators. */
export function jsonForScript(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error('the report data cannot be written as JSON');
  return text.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JavaScript safe inside a script element: "</script" and "<!--" (any case) get their "<" as \x3C. */
export function scriptForScript(code: string): string {
  return code.replace(/<(?=\/script|!--)/gi, '\\x3C');
}

/** Text safe in HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole page. */
export function reportHtml(page: ReportPage): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    '</head>',
    '<body>',
    `<noscript>This report is drawn by its script; open it in a browser with JavaScript on.</noscript>`,
    `<script type="application/json" id="${REPORT_DATA_ID}">${jsonForScript(page.data)}</script>`,
    `<script>${scriptForScript(page.script)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Where a page would reach outside itself: src / href / action attributes of its markup and CSS url() / @import
 * naming anything but a data: URL or a fragment, and http(s):// / ws(s):// / file:// / protocol-relative
 * URLs anywhere except XML namespace names (www.w3.org), which are identifiers, not loads. Empty: self-contained.
 */
export function externalReferences(html: string): string[] {
  const found: string[] = [];
  // Attributes in the markup only (a script's own `a.href = x` is not a reference of the page).
  const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script\s*>)/gi, '$1$2');
  const attr = /\b(?:src|href|action|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi;
  for (const m of markup.matchAll(attr)) if (!/^(?:data:|#|$)/i.test(m[1] ?? '')) found.push(m[0]);
  // CSS url(...) naming a file or address (lower case: the script's own `new URL(x)` is not CSS), and @import.
  const css = /url\(\s*["']?([^"')\s]*[./:][^"')\s]*)|@import\s+(?:url\(\s*)?["']?([^"')\s;]*)/gi;
  for (const m of html.matchAll(css)) {
    if (m[0].startsWith('URL(')) continue;
    if (!/^(?:data:|#)/i.test(m[1] ?? m[2] ?? '')) found.push(m[0]);
  }
  const url = /\b(?:https?|wss?|file|ftp):\/\/[^\s"'`)<>]*/gi;
  for (const m of html.matchAll(url)) if (!/^https?:\/\/www\.w3\.org\//i.test(m[0])) found.push(m[0]);
  return found;
}
