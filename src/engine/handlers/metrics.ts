// nodeMetrics (issue 16): core's per-node metrics of the open model, or of the model a spec prunes
// (the pruned-model cache's entry, so after a 'prune' it is the result the user applied).
import { nodeMetrics } from '../../core/analysis/node-metrics';
import { methodSpecOf } from '../../core/prune/method';
import type { Handler } from '../context';
import { specKey } from '../methods/cache';
import { jobProgress, prunedModel } from '../methods/run';
import { getModel } from './common';

export const nodeMetricsOf: Handler<'nodeMetrics'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (!req.spec) return nodeMetrics(open.model);
  const method = methodSpecOf(req.spec).method ?? 'magnitude';
  if (req.cachedOnly && method !== 'magnitude' && !ctx.pruned.get(open.modelId, specKey(req.spec))) return null;
  const entry = await prunedModel(ctx, open, req.spec, jobProgress(ctx));
  return nodeMetrics(entry.model);
};
