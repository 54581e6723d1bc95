// Analysis requests: per-node errors, diff, per-node metrics, sensitivity, and allocation from the
// curves of a sensitivity answer (checked field by field where the allocation reads them).
import type { SensitivityCurve, SensitivityPoint, SensitivityResult } from '../protocol';
import { datasetSource } from './dataset-source';
import { bool, fail, int, isObj, modelId, positiveInt, ratio, ratioList, str, stringList, type RequestValidator } from './fields';
import { spec } from './prune-spec';

/** The curves of a sensitivity answer, checked field by field where the allocation reads them. */
function sensitivityResult(v: unknown, where: string): SensitivityResult {
  const num = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
  if (!isObj(v)) fail(`${where} must be the answer of a sensitivity request`);
  if (typeof v.samples !== 'number' || !Number.isInteger(v.samples) || v.samples < 1) fail(`${where}: "samples" must be an integer ≥ 1`);
  if (typeof v.structure !== 'string') fail(`${where}: "structure" must be a string`);
  const b = v.baseline;
  if (!isObj(b) || !num(b.accuracy) || !num(b.loss)) fail(`${where}: "baseline" must be { accuracy, loss } (numbers)`);
  if (!Array.isArray(v.curves) || v.curves.length === 0) fail(`${where}: "curves" must be a non-empty list`);
  const curves = v.curves.map((c: unknown, i: number): SensitivityCurve => {
    const at = `${where}.curves[${i}]`;
    if (!isObj(c) || typeof c.tensor !== 'string' || c.tensor === '') fail(`${at}: "tensor" must be a non-empty string`);
    if (typeof c.params !== 'number' || !Number.isInteger(c.params) || c.params < 0) fail(`${at}: "params" must be an integer ≥ 0`);
    if (!Array.isArray(c.points)) fail(`${at}: "points" must be a list`);
    const points = c.points.map((p: unknown): SensitivityPoint => {
      if (!isObj(p) || !num(p.accuracy) || !num(p.loss)) fail(`${at}: each point must have numbers "accuracy" and "loss"`);
      return { ratio: ratio(p.ratio, `${at}: point ratio`), pruned: ratio(p.pruned, `${at}: point pruned`), accuracy: p.accuracy, loss: p.loss };
    });
    const nodes = c.nodes === undefined ? [] : stringList(c.nodes, `${at}.nodes`);
    return { tensor: c.tensor, params: c.params, nodes, nodesRun: typeof c.nodesRun === 'number' ? c.nodesRun : 0, points };
  });
  return { samples: v.samples, structure: v.structure, baseline: { accuracy: b.accuracy, loss: b.loss }, curves, totalNodes: typeof v.totalNodes === 'number' ? v.totalNodes : 0 };
}

export const nodeErrors: RequestValidator<'nodeErrors'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'nodeErrors'>> = { id, type: 'nodeErrors', modelId: modelId(msg, where), dataset: datasetSource(msg.dataset) };
  if (msg.spec !== undefined) r.spec = spec(msg.spec, true);
  if (msg.prunedModelId !== undefined) r.prunedModelId = int(msg, 'prunedModelId', where);
  if (msg.samples !== undefined) {
    r.samples = int(msg, 'samples', where);
    if (r.samples < 1) fail(`${where}: "samples" must be an integer ≥ 1`);
  }
  return r;
};

export const diff: RequestValidator<'diff'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'diff'>> = { id, type: 'diff', modelA: int(msg, 'modelA', where), modelB: int(msg, 'modelB', where) };
  if (msg.bins !== undefined) r.bins = int(msg, 'bins', where);
  return r;
};

export const nodeMetrics: RequestValidator<'nodeMetrics'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'nodeMetrics'>> = { id, type: 'nodeMetrics', modelId: modelId(msg, where) };
  if (msg.spec !== undefined) r.spec = spec(msg.spec, true);
  if (msg.cachedOnly !== undefined) r.cachedOnly = bool(msg, 'cachedOnly', where);
  return r;
};

export const sensitivity: RequestValidator<'sensitivity'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'sensitivity'>> = { id, type: 'sensitivity', modelId: modelId(msg, where), dataset: datasetSource(msg.dataset) };
  if (msg.ratios !== undefined) r.ratios = ratioList(msg.ratios, where);
  if (msg.select !== undefined) r.select = stringList(msg.select, `${where}: select`);
  if (msg.structure !== undefined) r.structure = str(msg, 'structure', where);
  if (msg.limit !== undefined) r.limit = positiveInt(msg.limit, 'limit', where);
  if (msg.allocate !== undefined) r.allocate = ratio(msg.allocate, `${where}: allocate`);
  return r;
};

export const allocate: RequestValidator<'allocate'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'allocate'>> = { id, type: 'allocate', modelId: modelId(msg, where), result: sensitivityResult(msg.result, `${where}: result`), target: ratio(msg.target, `${where}: target`) };
  if (msg.dataset !== undefined) r.dataset = datasetSource(msg.dataset);
  return r;
};
