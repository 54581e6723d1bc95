// Statistics of tensors: moments, exact |w| quantiles and histograms.
export { tensorStats, shardedFloat32Stats, DEFAULT_BINS, FLOAT32_PATH_MIN, type Stats, type StatsOptions, type ShardRunner, type TensorStatistics } from './tensor-stats';
export { float32Pass, scanShard, type Float32Pass, type ScanPlan, type ShardScan } from './float32-stats';
export { histogram, histogramInto, histogramRange, binEdges, type Histogram } from './histogram';
export { absQuantile, absQuantiles, absQuantilesFloat32, quantilesInPlace, selectInPlace, finiteAbsCopy, type FloatBuffer } from './quantile';
export { keyTables } from './counters';
