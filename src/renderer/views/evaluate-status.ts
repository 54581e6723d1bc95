// The Evaluate panel's final status line: "Done" only when at least one figure was measured, and
// then which runtime measured them (and why the others did not); "Failed: …" with every runtime's
// reason when none ran.

import { RUNNER_NAMES, type EvalPoint, type RuntimeName } from '../../engine/protocol';

/** Each runtime's first reason for not running, in the results' order. */
function reasons(points: EvalPoint[]): Map<RuntimeName, string> {
  const out = new Map<RuntimeName, string>();
  for (const m of points.flatMap((p) => p.results)) if (m.unavailable && !out.has(m.runtime)) out.set(m.runtime, m.unavailable);
  return out;
}

/** "Failed: no runtime could run x.onnx (sparse: …; onnxruntime: …)" when nothing was measured, else null. */
export function failedText(points: EvalPoint[], fileName: string): string | null {
  const all = points.flatMap((p) => p.results);
  if (all.some((m) => !m.unavailable)) return null;
  const why = [...reasons(points)].map(([r, text]) => `${r}: ${text}`);
  return `Failed: no runtime could run ${fileName}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}

/** "Done: <what> · measured by sparse, onnxruntime (onnxruntime-web …) · dense did not run: …". */
export function doneText(what: string, points: EvalPoint[], label: (r: RuntimeName) => string): string {
  const all = points.flatMap((p) => p.results);
  const ran = RUNNER_NAMES.filter((r) => all.some((m) => m.runtime === r && !m.unavailable));
  const named = ran.map((r) => (label(r) !== r ? `${r} (${label(r)})` : r));
  const skipped = [...reasons(points)].filter(([r]) => !ran.includes(r)).map(([r, text]) => `${r} did not run: ${text}`);
  return [`Done: ${what}`, `measured by ${named.join(', ')}`, ...skipped].join(' · ');
}
