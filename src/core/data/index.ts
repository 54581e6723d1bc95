// Labelled datasets: IDX pairs (gzipped or not) and the experiment's text format.
export { DatasetError, classCount, type Dataset } from './dataset';
export { parseDataset, checkDatasetFits, datasetName, type DatasetFile, type ModelInputShape } from './parse';
export { parseIdx, parseIdxHeader, encodeIdx, looksLikeIdx, IdxType, MAX_IDX_ELEMENTS, type IdxHeader, type IdxTypeCode, type IdxImages, type IdxLabels } from './idx';
export { parseTextDataset, MAX_TEXT_BYTES } from './text';
export { maybeGunzip, isGzip, crc32, ContentReader } from './gzip';
