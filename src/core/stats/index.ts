// Statistics of tensors: moments, exact |w| quantiles and histograms.
export { tensorStats, DEFAULT_BINS, type Stats, type StatsOptions } from './tensor-stats';
export { histogram, histogramInto, histogramRange, binEdges, type Histogram } from './histogram';
export { absQuantile, absQuantiles, absQuantilesFloat32, quantilesInPlace, selectInPlace, finiteAbsCopy, type FloatBuffer } from './quantile';
