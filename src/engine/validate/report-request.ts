// The report request: its model, data, sweep spec and ratios, the compared model, and the optional
// sections (sweep, sensitivity, errors) with results the app already has (`given`, checked in outline).
import type { Request } from '../protocol';
import { datasetSource } from './dataset-source';
import { evalOptions } from './eval-requests';
import { bool, fail, int, isObj, modelId, optString, positiveInt, ratio, ratioList, type Obj, type RequestValidator } from './fields';
import { spec } from './prune-spec';

function reportExtras(msg: Obj, r: Extract<Request, { type: 'report' }>, where: string): void {
  if (msg.sweep !== undefined) r.sweep = bool(msg, 'sweep', where);
  if (msg.sensitivity !== undefined) {
    const s = msg.sensitivity;
    if (!isObj(s)) fail(`${where}: "sensitivity" must be an object`);
    r.sensitivity = {};
    if (s.ratios !== undefined) r.sensitivity.ratios = ratioList(s.ratios, where, 'sensitivity.ratios');
    if (s.limit !== undefined) r.sensitivity.limit = positiveInt(s.limit, 'sensitivity.limit', where);
    if (s.allocate !== undefined) r.sensitivity.allocate = ratio(s.allocate, `${where}: sensitivity.allocate`);
  }
  if (msg.errors !== undefined) {
    const e = msg.errors;
    if (!isObj(e)) fail(`${where}: "errors" must be an object`);
    r.errors = {};
    if (e.ratio !== undefined) r.errors.ratio = ratio(e.ratio, `${where}: errors.ratio`);
    if (e.samples !== undefined) r.errors.samples = positiveInt(e.samples, 'errors.samples', where);
  }
  if (msg.given !== undefined) {
    const g = msg.given;
    if (!isObj(g)) fail(`${where}: "given" must be an object`);
    r.given = {};
    if (g.sweep !== undefined) {
      const w = g.sweep;
      if (!isObj(w) || typeof w.dataset !== 'string' || typeof w.samples !== 'number' || !Array.isArray(w.points)) fail(`${where}: "given.sweep" must be {dataset, samples, points}`);
      r.given.sweep = w as unknown as NonNullable<typeof r.given.sweep>;
    }
    if (g.sensitivity !== undefined) {
      const w = g.sensitivity;
      if (!isObj(w) || typeof w.dataset !== 'string' || !isObj(w.result) || !Array.isArray(w.result.curves)) fail(`${where}: "given.sensitivity" must be {dataset, result}`);
      r.given.sensitivity = w as unknown as NonNullable<typeof r.given.sensitivity>;
    }
  }
}

export const report: RequestValidator<'report'> = (msg, id, where) => {
  const r: ReturnType<RequestValidator<'report'>> = { id, type: 'report', modelId: modelId(msg, where) };
  const path = optString(msg, 'path', where);
  if (path !== undefined) r.path = path;
  if (msg.dataset !== undefined) r.dataset = datasetSource(msg.dataset);
  if (msg.ratios !== undefined) r.ratios = ratioList(msg.ratios, where);
  if (msg.spec !== undefined) r.spec = spec(msg.spec, false);
  if (msg.options !== undefined) r.options = evalOptions(msg.options);
  if (msg.compareModelId !== undefined) r.compareModelId = int(msg, 'compareModelId', where);
  const tool = optString(msg, 'tool', where);
  if (tool !== undefined) r.tool = tool;
  reportExtras(msg, r, where);
  return r;
};
