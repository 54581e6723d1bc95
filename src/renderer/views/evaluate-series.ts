// The Evaluate chart's series, pure (no DOM): accuracy per runtime (or per method) on the left axis,
// and on the right axis the chosen measure: batch-1 time per runtime, or the exported file's
// onnxruntime time ×original (batch 1, large batch), MACs or file size, one series (per method).

import { EXPORTED_ORT_LABEL, ortTimeRatio, RUNNER_NAMES, type EvalPoint, type PruneMethod, type RuntimeName } from '../../engine/protocol';
import { METHOD_REGISTRY, METHODS, methodOf, sortPoints } from '../method-spec';

const RUNTIMES: readonly RuntimeName[] = RUNNER_NAMES;

export interface Series {
  label: string;
  color: string;
  /** accuracy: the left axis; measure: the right axis (dashed). */
  kind: 'accuracy' | 'measure';
  data: { x: number; y: number }[];
}

/** What the right axis plots. */
export type RightMeasure = 'time' | 'ort-b1' | 'ort-batch' | 'macs' | 'file';

export const MEASURES: Record<RightMeasure, { option: string; axis: string; series: string; value?: (p: EvalPoint) => number | undefined }> = {
  time: { option: 'batch-1 time', axis: 'batch-1 time (s)', series: 'time' },
  'ort-b1': { option: `${EXPORTED_ORT_LABEL}: time ×original, batch 1`, axis: 'ort time ×original, b1', series: 'onnxruntime ×original b1', value: (p) => ortTimeRatio(p).batch1 },
  'ort-batch': {
    option: `${EXPORTED_ORT_LABEL}: time ×original, large batch`,
    axis: 'ort time ×original, large',
    series: 'onnxruntime ×original large batch',
    value: (p) => ortTimeRatio(p).batch,
  },
  macs: { option: 'exported file: MACs at batch 1', axis: 'MACs at b1 (M)', series: 'MACs', value: (p) => (p.exported ? p.exported.macs / 1e6 : undefined) },
  file: { option: 'exported file: size (dense)', axis: 'file (MB)', series: 'file size', value: (p) => (p.exported ? p.exported.denseBytes / (1024 * 1024) : undefined) },
};

/**
 * A language model's points carry no batch-1 time (its sequences are timed in large batches only,
 * as the CLI's sweep table says): its "time" is the time for the whole set, samples ÷ throughput.
 */
export const LANGUAGE_TIME = { option: 'time for the set (large batch)', axis: 'time for the set (s)' };

/** Points of a language model on token ids: they carry perplexity (and loss) instead of accuracy. */
export function isLanguageModel(points: readonly EvalPoint[]): boolean {
  return points.some((p) => p.results.some((m) => m.perplexity !== undefined));
}

function methodColor(method: PruneMethod, series: string[]): string {
  // Blue, orange, green: distinct in both themes and for the common colour-vision deficiencies.
  return series[[0, 1, 2][METHODS.indexOf(method)] % series.length];
}

/** The series to draw for these points (pure apart from the theme colours passed in). */
export function chartSeries(points: EvalPoint[], palette: string[], right: RightMeasure = 'time'): { series: Series[]; byMethod: boolean; runtime: RuntimeName | null; language: boolean } {
  const sorted = sortPoints(points);
  const methods = METHODS.filter((m) => sorted.some((p) => methodOf(p) === m));
  const ran = (r: RuntimeName): boolean => sorted.some((p) => p.results.some((m) => m.runtime === r && !m.unavailable));
  const runtimes = RUNTIMES.filter(ran);
  const series: Series[] = [];
  const language = isLanguageModel(points);
  const push = (label: string, color: string, pts: EvalPoint[], runtime: RuntimeName): void => {
    const ms = pts.map((p) => ({ x: p.ratio, n: p.samples, m: p.results.find((r) => r.runtime === runtime) }));
    // A language model: perplexity on the left axis instead of accuracy.
    const value = (m: (typeof ms)[number]['m']): number => (language ? (m?.perplexity ?? 0) : (m?.accuracy ?? 0));
    series.push({ label: `${label} ${language ? 'perplexity' : 'accuracy'}`, color, kind: 'accuracy', data: ms.filter((x) => x.m && !x.m.unavailable).map((x) => ({ x: x.x, y: value(x.m) })) });
    if (right === 'time') {
      const seconds = ({ n, m }: (typeof ms)[number]): number | undefined =>
        m?.batch1Seconds ?? (language && m?.batchThroughput !== undefined && m.batchThroughput > 0 ? n / m.batchThroughput : undefined);
      const data = ms.flatMap((x) => {
        const y = x.m && !x.m.unavailable ? seconds(x) : undefined;
        return y === undefined || !Number.isFinite(y) ? [] : [{ x: x.x, y }];
      });
      series.push({ label: `${label} time`, color, kind: 'measure', data });
    }
  };
  /** The exported file's measure of these points (one series: it does not depend on the runtime). */
  const measure = (label: string, color: string, pts: EvalPoint[]): void => {
    const value = MEASURES[right].value;
    if (!value) return;
    const data = pts.flatMap((p) => {
      const y = value(p);
      return y === undefined || !Number.isFinite(y) ? [] : [{ x: p.ratio, y }];
    });
    series.push({ label, color, kind: 'measure', data });
  };
  if (methods.length > 1) {
    const runtime = runtimes[0] ?? null;
    for (const m of methods) {
      const pts = sorted.filter((p) => methodOf(p) === m);
      if (runtime) push(METHOD_REGISTRY[m].name, methodColor(m, palette), pts, runtime);
      measure(`${METHOD_REGISTRY[m].name} ${MEASURES[right].series}`, methodColor(m, palette), pts);
    }
    return { series, byMethod: true, runtime, language };
  }
  runtimes.forEach((r, i) => push(r, palette[i % palette.length], sorted, r));
  measure(MEASURES[right].series, palette[3 % palette.length], sorted);
  return { series, byMethod: false, runtime: null, language };
}
