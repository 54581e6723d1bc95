// The handler of every request type (cancel is handled by the host itself).

import type { HandlerTable } from '../context';
import { dataset, evaluate, sweep } from './eval';
import { dumpJson, dumpMatrices, dumpMatrix, exportModel } from './export';
import { close, open, prune, prunePreview, stats } from './model';
import { runtimes } from './runtimes';
import { nodeErrors } from './node-errors';
import { report } from './report';
import { diff } from './diff';
import { nodeMetricsOf } from './metrics';
import { allocateFromCurves, sensitivity } from './sensitivity';

export const handlers: HandlerTable = {
  open,
  close,
  stats,
  prunePreview,
  prune,
  dataset,
  runtimes,
  evaluate,
  sweep,
  export: exportModel,
  dumpJson,
  dumpMatrix,
  dumpMatrices,
  nodeErrors,
  // issue 16: report
  report,
  diff, // issue 16: diff
  nodeMetrics: nodeMetricsOf,
  // issue 16: sensitivity
  sensitivity,
  allocate: allocateFromCurves,
};
