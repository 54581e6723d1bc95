// Measuring requests: evaluate (one spec) and sweep (a ratio list, methods), with their options
// (runtimes, batch, limit, workers).
import { RUNNER_NAMES } from '../../core/eval/types';
import { isWorkerCount, MAX_WORKERS } from '../../core/eval/workers';
import type { EvalOptions, RuntimeName } from '../protocol';
import { datasetSource } from './dataset-source';
import { fail, isObj, modelId, ratioList, stringList, type RequestValidator } from './fields';
import { methodList, spec } from './prune-spec';

export function evalOptions(v: unknown): EvalOptions | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) fail('"options" must be an object');
  const o: EvalOptions = {};
  if (v.runtimes !== undefined) {
    const r = stringList(v.runtimes, 'options.runtimes');
    for (const x of r) if (!RUNNER_NAMES.includes(x as RuntimeName)) fail(`options.runtimes: unknown runtime "${x}"`);
    o.runtimes = r as RuntimeName[];
  }
  if (v.batch !== undefined) {
    if (typeof v.batch !== 'number' || !Number.isInteger(v.batch) || v.batch < 0) fail('options.batch must be an integer ≥ 0');
    o.batch = v.batch;
  }
  if (v.batch1 !== undefined) {
    if (typeof v.batch1 !== 'boolean') fail('options.batch1 must be a boolean');
    o.batch1 = v.batch1;
  }
  if (v.limit !== undefined) {
    if (typeof v.limit !== 'number' || !Number.isInteger(v.limit) || v.limit < 1) fail('options.limit must be an integer ≥ 1');
    o.limit = v.limit;
  }
  if (v.workers !== undefined) {
    if (!isWorkerCount(v.workers)) fail(`options.workers must be a whole number from 1 to ${MAX_WORKERS}`);
    o.workers = v.workers;
  }
  return o;
}

export const evaluate: RequestValidator<'evaluate'> = (msg, id, where) => ({
  id,
  type: 'evaluate',
  modelId: modelId(msg, where),
  spec: spec(msg.spec, true),
  dataset: datasetSource(msg.dataset),
  options: evalOptions(msg.options),
});

export const sweep: RequestValidator<'sweep'> = (msg, id, where) => {
  if (!Array.isArray(msg.ratios) || msg.ratios.length === 0) fail(`${where}: "ratios" must be a non-empty list`);
  const r: ReturnType<RequestValidator<'sweep'>> = {
    id,
    type: 'sweep',
    modelId: modelId(msg, where),
    spec: spec(msg.spec, false),
    ratios: ratioList(msg.ratios, where),
    dataset: datasetSource(msg.dataset),
    options: evalOptions(msg.options),
  };
  if (msg.methods !== undefined) r.methods = methodList(msg.methods, `${where}: methods`);
  return r;
};
