// Channel pruning applied: a new, smaller model. Not implemented yet.
import type { Model } from '../../onnx/model';
import { PruneError, type PrunePlan } from '../types';

export function applyChannels(_model: Model, _plan: PrunePlan): Model {
  throw new PruneError('channel pruning is not available yet', 'unsupported');
}
