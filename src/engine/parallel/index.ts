// Node only: large batches split across worker threads (one Session per worker).
export { SessionPool, chunkSize, defaultWorkerFile, type PoolOptions } from './pool';
