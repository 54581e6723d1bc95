// The report page: the data survives the trip through a script element whatever the names in it
// hold ("</script>", "<!--", line separators), the viewer's own text cannot end its element, and
// the page refers to nothing outside itself.
import { describe, expect, it } from 'vitest';
import { escapeHtml, externalReferences, jsonForScript, REPORT_CSP, REPORT_DATA_ID, reportHtml, scriptForScript } from '../../../../src/core/report/html';

const hostile = '</script><script>window.pwned = 1</script><!-- \u2028 \u2029 </SCRIPT >';

/** The text of the JSON element as an HTML parser takes it: up to the first "</script" (any case). */
function dataText(html: string): string {
  const open = `<script type="application/json" id="${REPORT_DATA_ID}">`;
  const start = html.indexOf(open) + open.length;
  const end = html.slice(start).search(/<\/script/i);
  return html.slice(start, start + end);
}

describe('report page', () => {
  const data = { model: { fileName: hostile, graph: { nodes: [{ name: hostile, inputs: ['a<b', 'c>d & e'] }] } }, histograms: [{ name: '<!--x-->' }] };
  const page = reportHtml({ title: `${hostile} — report`, data, script: 'document.body.dataset.ok = "1";' });

  it('holds the data exactly, and a name containing </script> cannot end its element', () => {
    expect(JSON.parse(dataText(page))).toEqual(data);
    // Two script elements, two closing tags: the JSON one and the viewer's.
    expect(page.match(/<\/script/gi)).toHaveLength(2);
    expect(page).not.toContain('<script>window.pwned');
    expect(page).not.toContain('<!--');
  });

  it('writes no "<" and no line separator in the JSON', () => {
    const text = jsonForScript({ s: hostile });
    expect(text).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual({ s: hostile });
  });

  it('keeps the viewer script meaning the same while it cannot end its element', () => {
    const code = 'return ["</script>", `<!-- ${1 + 1} </Script>`, /<\\/script>/.source, "a < b"];';
    const safe = scriptForScript(code);
    expect(safe).not.toMatch(/<\/script|<!--/i);
    // The same values, by JavaScript's own reading of both texts.
    expect(new Function(safe)()).toEqual(new Function(code)());
  });

  it('escapes the title and states a policy that forbids every load', () => {
    expect(page).toContain(`<title>${escapeHtml(hostile)} — report</title>`);
    expect(escapeHtml('<a href="x">&\'')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    expect(page).toContain(`content="${escapeHtml(REPORT_CSP)}"`);
    expect(REPORT_CSP).toContain("default-src 'none'");
    expect(REPORT_CSP).not.toMatch(/connect-src|https?:/);
  });

  it('is self-contained: nothing but fragments, data: URLs and XML namespace names', () => {
    expect(externalReferences(page)).toEqual([]);
    const viewer = 'const ns = "http://www.w3.org/2000/svg"; a.href = b; el.style.fill = "url(#arrow)";';
    expect(externalReferences(reportHtml({ title: 't', data: {}, script: viewer }))).toEqual([]);
  });

  it('finds every kind of reference outside the page', () => {
    const cases = [
      '<img src="https://example.com/a.png">',
      '<link rel="stylesheet" href="style.css">',
      '<script src="viewer.js"></script>',
      '<style>body { background: url(http://example.com/x.png) }</style>',
      "<style>@import 'other.css';</style>",
      '<script>fetch("https://example.com/track")</script>',
      '<script>new WebSocket("wss://example.com")</script>',
      '<a href="//example.com/x">x</a>',
    ];
    for (const html of cases) expect(externalReferences(html), html).not.toEqual([]);
    expect(externalReferences('<a href="#graph">graph</a><img src="data:image/png;base64,AAAA">')).toEqual([]);
  });
});
