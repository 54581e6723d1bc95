// The inputs a BERT-style model takes beside its token ids: which get which values (by the names
// Hugging Face and torch exports give them), an input that cannot be guessed refused by name, and
// Prunescope's runtime fed that way computing what onnxruntime-node computes with the feeds written
// out by hand here (the licence classifier: input_ids, attention_mask, token_type_ids).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/core/onnx/decode';
import { DataType } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { companionData, companionInputs, companionNote } from '../../../../src/core/runtime/companion-inputs';

const ids = { name: 'input_ids', dims: ['batch_size', 'sequence_length'], dataType: DataType.INT64 };
const input = (name: string, dataType: number = DataType.INT64, dims: (string | number)[] = ['batch_size', 'sequence_length']) => ({ name, dims, dataType });
const MODEL = join(__dirname, '../../../models/segments/licence-bert.onnx');

describe('companion inputs', () => {
  it('fills attention_mask with ones, token_type_ids with zeros, position_ids with 0..T−1', () => {
    const cs = companionInputs([ids, input('attention_mask'), input('token_type_ids', DataType.INT32), input('position_ids')], ids, 'm');
    expect(cs.map((c) => [c.name, c.fill])).toEqual([['attention_mask', 'ones'], ['token_type_ids', 'zeros'], ['position_ids', 'positions']]);
    expect([...(companionData(cs[0], [2, 3]) as BigInt64Array)]).toEqual([1n, 1n, 1n, 1n, 1n, 1n]);
    expect([...(companionData(cs[1], [2, 3]) as Int32Array)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...(companionData(cs[2], [2, 3]) as BigInt64Array)]).toEqual([0n, 1n, 2n, 0n, 1n, 2n]);
    expect(companionNote(cs)).toBe('attention_mask: all ones (every token attended: the sequences are taken as unpadded); token_type_ids: all zeros (one segment); position_ids: positions 0..T−1');
  });

  it('takes a bool or float mask, and names as exporters prefix them', () => {
    const cs = companionInputs([ids, input('bert.attention_mask', DataType.BOOL), input('segment_ids', DataType.FLOAT)], ids, 'm');
    expect([...(companionData(cs[0], [1, 2]) as Uint8Array)]).toEqual([1, 1]);
    expect([...(companionData(cs[1], [1, 2]) as Float32Array)]).toEqual([0, 0]);
  });

  it('refuses an input it cannot tell the values of, naming it, and one of another rank', () => {
    expect(() => companionInputs([ids, input('past_key_values.0.key', DataType.FLOAT, ['b', 4, 'p', 16])], ids, 'gpt2.onnx')).toThrow(
      /^gpt2\.onnx: input "past_key_values\.0\.key" cannot be fed: beside the data input "input_ids" Prunescope fills only attention_mask/,
    );
    expect(() => companionInputs([ids, input('attention_mask', DataType.INT64, ['b', 1, 1, 't'])], ids, 'm')).toThrow('input "attention_mask" has rank 4, the data input "input_ids" 2');
    expect(() => companionInputs([ids, input('attention_mask', DataType.STRING)], ids, 'm')).toThrow('input "attention_mask" takes element type 8');
  });

  it('runFloat feeds them: the licence classifier equals onnxruntime-node fed by hand', async () => {
    const bytes = readFileSync(MODEL);
    const session = Session.create(decodeModel(new Uint8Array(bytes), 'licence-bert.onnx'), { kernels: 'sparse' });
    const n = 3;
    const t = 32;
    const x = Float32Array.from({ length: n * t }, (_, i) => (i * 7 + 3) % 80);
    const ours = Float32Array.from(session.runFloat(x, n));
    const o = await ort.InferenceSession.create(bytes);
    const dims = [n, t];
    const big = (v: (i: number) => number): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from({ length: n * t }, (_, i) => BigInt(v(i))), dims);
    const want = (await o.run({ input_ids: big((i) => x[i]), attention_mask: big(() => 1), token_type_ids: big(() => 0) })).logits.data as Float32Array;
    const segmentOne = (await o.run({ input_ids: big((i) => x[i]), attention_mask: big(() => 1), token_type_ids: big(() => 1) })).logits.data as Float32Array;
    await o.release();
    expect(ours.length).toBe(n * 3);
    for (let i = 0; i < want.length; i++) expect(Math.abs(ours[i] - want[i]), `logit ${i}`).toBeLessThan(1e-4);
    // The segment embedding matters: feeding the other segment would have been caught.
    expect(Math.max(...want.map((v, i) => Math.abs(v - segmentOne[i])))).toBeGreaterThan(1e-3);
  });
});
