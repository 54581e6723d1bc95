// The Find grammar of the app and of `prunescope info --nodes --where`: space-separated terms that
// must all hold.
//   op:Conv            the op type, case-insensitive, whole
//   name:block1        a substring of the node's name, case-insensitive
//   relu               a bare word: a substring of the name, the op type or an input / output tensor
//   sparsity<0.8       a comparison of a metric (sparsity, macs, params, bytes) by < <= > >= = !=;
//                      numbers take % (÷100), k / M / G (×10³ / 10⁶ / 10⁹) and, for bytes,
//                      KB / MB / GB (×2¹⁰ / 2²⁰ / 2³⁰, as the app prints sizes)
// A node without a value for the metric (no weights: no sparsity; shapes unknown: no MACs) never
// satisfies a comparison. parseNodeQuery never throws: a bad term is an error naming it.
import type { NodeMetrics } from './node-metrics';

export type MetricName = 'sparsity' | 'macs' | 'params' | 'bytes';
export type Comparison = '<' | '<=' | '>' | '>=' | '=' | '!=';

export type QueryTerm =
  | { kind: 'op'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'text'; value: string }
  | { kind: 'compare'; metric: MetricName; op: Comparison; value: number };

export type ParsedQuery = { ok: true; terms: QueryTerm[] } | { ok: false; error: string };

/** What a term is tested against: a node's names and, when known, its metrics. */
export interface QueryNode {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

export const QUERY_METRICS: readonly MetricName[] = Object.freeze(['sparsity', 'macs', 'params', 'bytes']);

const COMPARE = /^([A-Za-z]+)(<=|>=|!=|<|>|=)(.*)$/;
const NUMBER = /^([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)(%|k|K|M|G|KB|MB|GB|B)?$/;
const SCALE: Record<string, number> = { '': 1, '%': 0.01, k: 1e3, K: 1e3, M: 1e6, G: 1e9, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function parseValue(metric: MetricName, text: string): number | string {
  const m = NUMBER.exec(text);
  if (!m) return `"${text}" is not a number (e.g. 0.8, 50%, 10k, 1M${metric === 'bytes' ? ', 1MB' : ''})`;
  const unit = m[2] ?? '';
  if (unit.endsWith('B') && metric !== 'bytes') return `"${unit}" is a size unit, only for bytes`;
  return Number(m[1]) * SCALE[unit];
}

function parseTerm(term: string): QueryTerm | string {
  const colon = term.indexOf(':');
  if (colon > 0) {
    const key = term.slice(0, colon).toLowerCase();
    const value = term.slice(colon + 1);
    if (key === 'op' || key === 'name') return value === '' ? `"${term}": ${key}: needs a value` : { kind: key, value };
  }
  const c = COMPARE.exec(term);
  if (c) {
    const metric = c[1].toLowerCase() as MetricName;
    if (!QUERY_METRICS.includes(metric)) return `"${term}": unknown measure "${c[1]}" (one of ${QUERY_METRICS.join(', ')})`;
    if (c[3] === '') return `"${term}": a number must follow ${c[2]}`;
    const v = parseValue(metric, c[3]);
    if (typeof v === 'string') return `"${term}": ${v}`;
    return { kind: 'compare', metric, op: c[2] as Comparison, value: v };
  }
  if (/[<>=]/.test(term)) return `"${term}": a comparison reads measure<number, e.g. sparsity<0.8 or macs>1M`;
  return { kind: 'text', value: term };
}

/** The terms of `query`, or an error naming the first bad term. An empty query has no terms. */
export function parseNodeQuery(query: string): ParsedQuery {
  const terms: QueryTerm[] = [];
  for (const word of query.trim().split(/\s+/)) {
    if (word === '') continue;
    const t = parseTerm(word);
    if (typeof t === 'string') return { ok: false, error: t };
    terms.push(t);
  }
  return { ok: true, terms };
}

function compare(a: number, op: Comparison, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '=':
      return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
    case '!=':
      return Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(b));
  }
}

function termHolds(t: QueryTerm, node: QueryNode, metrics: NodeMetrics | undefined): boolean {
  switch (t.kind) {
    case 'op':
      return node.opType.toLowerCase() === t.value.toLowerCase();
    case 'name':
      return node.name.toLowerCase().includes(t.value.toLowerCase());
    case 'text': {
      const q = t.value.toLowerCase();
      return [node.name, node.opType, ...node.inputs, ...node.outputs].some((s) => s.toLowerCase().includes(q));
    }
    case 'compare': {
      const v = metrics?.[t.metric];
      return typeof v === 'number' && compare(v, t.op, t.value);
    }
  }
}

/** True when every term holds for `node` (metrics: its row of nodeMetrics, if known). No terms: false. */
export function matchesQuery(terms: readonly QueryTerm[], node: QueryNode, metrics?: NodeMetrics): boolean {
  return terms.length > 0 && terms.every((t) => termHolds(t, node, metrics));
}

/** Whether any term needs the metrics (the app waits for them before answering such a query). */
export function needsMetrics(terms: readonly QueryTerm[]): boolean {
  return terms.some((t) => t.kind === 'compare');
}
