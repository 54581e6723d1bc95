// Requests that write the model out: export (dense or sparse, optionally with external data),
// the JSON dump, and the matrix dumps of one or every weight.
import { bool, fail, modelId, optString, str, type RequestValidator } from './fields';
import { weightTable } from './model-requests';
import { optionalSpec, spec } from './prune-spec';

export const exportModel: RequestValidator<'export'> = (msg, id, where) => {
  if (msg.format !== 'dense' && msg.format !== 'sparse') fail(`${where}: "format" must be "dense" or "sparse"`);
  const externalData = msg.externalData !== undefined && bool(msg, 'externalData', where) ? { externalData: true } : {};
  return { id, type: 'export', modelId: modelId(msg, where), spec: spec(msg.spec, true), format: msg.format, path: optString(msg, 'path', where), ...externalData };
};

export const dumpJson: RequestValidator<'dumpJson'> = (msg, id, where) => ({ id, type: 'dumpJson', modelId: modelId(msg, where), path: optString(msg, 'path', where) });

export const dumpMatrix: RequestValidator<'dumpMatrix'> = (msg, id, where) => ({ id, type: 'dumpMatrix', modelId: modelId(msg, where), tensor: str(msg, 'tensor', where), spec: optionalSpec(msg.spec) });

export const dumpMatrices: RequestValidator<'dumpMatrices'> = (msg, id, where) => ({
  id,
  type: 'dumpMatrices',
  modelId: modelId(msg, where),
  dir: str(msg, 'dir', where),
  spec: optionalSpec(msg.spec),
  ...(msg.weights !== undefined ? { weights: { minConstantParams: weightTable(msg.weights, where).minConstantParams } } : {}),
});
