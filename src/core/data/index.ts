// Labelled datasets: IDX pairs (gzipped or not), the experiment's text format, NumPy .npy pairs and
// .npz archives, folders of images (one subfolder per class).
export { DatasetError, classCount, type Dataset } from './dataset';
export { parseDataset, datasetName, type DatasetFile } from './parse';
export { checkDatasetFits, imageTarget, imageTargetFrom, type ModelInputShape, type ImageTarget } from './fit';
export { parseNpy, parseNpyHeader, looksLikeNpy, UINT8_SCALING, type NpyArray, type NpyHeader } from './npy';
export { openNpz, pickNpzArrays, looksLikeZip } from './npz';
export { parseIdx, parseIdxHeader, encodeIdx, looksLikeIdx, IdxType, MAX_IDX_ELEMENTS, type IdxHeader, type IdxTypeCode, type IdxImages, type IdxLabels } from './idx';
export { parseTextDataset, MAX_TEXT_BYTES } from './text';
export { maybeGunzip, isGzip, crc32, ContentReader } from './gzip';
export { decodeImage, convertChannels, resizeBilinear, imageToSample, looksLikeImage, type Pixels } from './images';
export { parseNormalization, describeNormalization, type ImageNormalization } from './normalize';
export { planImageFolder, ImageFolderBuilder, type FolderEntry, type FolderPlan } from './image-folder';
export { datasetPreview, type DatasetPreview, type PreviewSample } from './preview';
export { parseTokenNpy, tokenIdsOf, isTokenArray, type TokenIds } from './token-ids';
export { checkTokensFit, tokenSummary, type LanguageModelShape } from './token-fit';
export { bundledDigitsMisfit, fedInput, type GraphIo } from './digits-fit';
