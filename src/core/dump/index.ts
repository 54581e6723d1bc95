// Dumps of tensors and tables as text: matrices, CSV, safe file names.
export {
  tensorToMatrixText,
  matrixTextChunks,
  matrixShape,
  parseMatrixText,
  type MatrixShape,
  type ParsedMatrix,
} from './matrix';
export { matrixFileNames, uniqueFileNames, safeStem } from './names';
export { formatFloat32, formatFloat64, parseNumberToken } from './numbers';
export { toCsv, csvRecord, csvField, parseCsv, type CsvValue } from './csv';
export { sweepCsv, accuracyDecimals, SWEEP_CSV_COLUMNS, type SweepCsvContext } from './sweep-csv';
export { shapeText, typeText, tensorTypeText, tensorValueText, attributeText } from './describe';
export { sparseToDense } from './sparse';
