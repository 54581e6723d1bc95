// onnxruntime-node accepts every re-encoded model wherever it accepted the original.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { encodeModel } from '../../../../src/core/onnx/encode';
import { REAL_MODELS, corpusModels, readBytes, shortName } from './corpus';
import { ORT_OPTIONS as OPTIONS } from './ort-helpers';

async function accepts(bytes: Uint8Array): Promise<string | undefined> {
  try {
    const s = await ort.InferenceSession.create(bytes, OPTIONS);
    await s.release();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('onnxruntime-node accepts re-encoded models', () => {
  test('all of libonnx-testdata and the real models', async () => {
    const files = [...corpusModels(), ...REAL_MODELS];
    let originalOk = 0;
    const failures: string[] = [];
    const started = performance.now();
    for (const f of files) {
      const bytes = readBytes(f);
      if ((await accepts(bytes)) !== undefined) continue;
      originalOk++;
      const again = encodeModel(decodeModel(bytes, shortName(f)));
      const err = await accepts(again);
      if (err !== undefined) failures.push(`${shortName(f)}: ${err.split('\n')[0]}`);
    }
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`onnxruntime accepts: ${originalOk - failures.length} re-encoded / ${originalOk} originals accepted (of ${files.length} files, ${secs} s)`);
    if (failures.length) console.log(failures.join('\n'));
    expect(originalOk).toBeGreaterThan(900);
    expect(failures).toEqual([]);
  });
});
