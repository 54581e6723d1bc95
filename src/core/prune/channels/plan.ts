// Channel pruning: which output channels / neurons each selected weight loses, found with the
// dependency analysis of the graph. Not implemented yet: every call is refused as unsupported.
import type { Model } from '../../onnx/model';
import { PruneError, type PruneOptions, type PrunePlan } from '../types';

export function planChannels(_model: Model, _opts: PruneOptions): PrunePlan {
  throw new PruneError('channel pruning is not available yet', 'unsupported');
}
