// Shape checks for requests arriving from another process: anything malformed becomes a
// 'bad-request' error naming the problem, never a crash. One validator per request type, in files
// by family: model-requests, dataset-source, prune-spec, eval-requests, export-requests,
// report-request, analysis-requests; fields.ts holds the field checks they are made of.
import type { Request, RequestType } from '../protocol';
import { allocate, diff, nodeErrors, nodeMetrics, sensitivity } from './analysis-requests';
import { dataset } from './dataset-source';
import { evaluate, sweep } from './eval-requests';
import { dumpJson, dumpMatrices, dumpMatrix, exportModel } from './export-requests';
import { fail, int, isObj, type RequestValidator } from './fields';
import { close, open, runtimes, stats } from './model-requests';
import { prune, prunePreview } from './prune-spec';
import { report } from './report-request';

export { BadRequest } from './fields';

const VALIDATORS: { [T in RequestType]: RequestValidator<T> } = {
  open,
  close,
  runtimes,
  stats,
  prunePreview,
  prune,
  dataset,
  evaluate,
  sweep,
  export: exportModel,
  dumpJson,
  dumpMatrix,
  dumpMatrices,
  report,
  cancel: (msg, id, where) => ({ id, type: 'cancel', target: int(msg, 'target', where) }),
  nodeErrors,
  diff,
  nodeMetrics,
  sensitivity,
  allocate,
};

/** The id of a message, or -1 when it has none. */
export function requestId(msg: unknown): number {
  return isObj(msg) && typeof msg.id === 'number' && Number.isInteger(msg.id) ? msg.id : -1;
}

/** Returns a well-formed Request or throws BadRequest. */
export function validateRequest(msg: unknown): Request {
  if (!isObj(msg)) fail('a request must be an object');
  const id = int(msg, 'id', 'request');
  const type = msg.type;
  const where = `request ${id} (${String(type)})`;
  if (typeof type !== 'string' || !Object.hasOwn(VALIDATORS, type)) fail(`${where}: unknown request type`);
  return VALIDATORS[type as RequestType](msg, id, where);
}
