// Channel pruning: the plan (planChannels), the smaller model (applyChannels), the layers whose
// inputs shrink (channelConsumers, for refitting), and the tensor slicing they share.
export { planChannels } from './plan';
export { applyChannels, sliceTensor } from './apply';
export { channelConsumers, type ChannelConsumer } from './consumers';
export { channelsFinetuneStart } from './finetune';
