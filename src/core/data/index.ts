// Labelled datasets: IDX pairs (gzipped or not) and the experiment's text format.
export { DatasetError, classCount, type Dataset } from './dataset';
export { parseDataset, checkDatasetFits, datasetName, type DatasetFile, type ModelInputShape } from './parse';
export { parseIdx, encodeIdx, looksLikeIdx, IdxType, type IdxTypeCode, type IdxImages, type IdxLabels } from './idx';
export { parseTextDataset } from './text';
export { maybeGunzip, isGzip } from './gzip';
