// Node only: large batches split across worker threads (one Session per worker), and the
// statistics of large tensors counted in shards on worker threads.
export { SessionPool, chunkSize, defaultWorkerFile, type PoolOptions } from './pool';
export { StatsPool } from './stats-pool';
export { envWorkers, nodeParallelRunner, nodeParallelWorkers, sharedCopy } from './runner';
