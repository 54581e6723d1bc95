// Resize and Upsample against onnxruntime-node on cases libonnx-testdata (ONNX 1.12) lacks:
// opsets 10, 18 and 19 (antialias, axes, keep_aspect_ratio_policy, half_pixel_symmetric), 3-D
// linear, nearest on uint8, crop-and-resize with nearest, Upsample 7 and 9.
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../../src/core/onnx/model';
import { Session, unsupportedNodes } from '../../../../src/core/runtime';
import { graph, model, node } from '../../../support/hand-models';
import { type Attrs, type OpCase, f32s, int64s, randomFloats, relDiff, runBoth } from './single-op';

const str = (name: string, value: string): Attrs[number] => ({ name, type: 'string', value });
const int = (name: string, value: number): Attrs[number] => ({ name, type: 'int', value });
const x = (dims: number[], seed = 1): OpCase['x'] => ({ dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed) });
const scales = (v: number[]) => f32s('scales', [v.length], v);
const sizes = (v: number[]) => int64s('sizes', v);
const noRoi = f32s('roi', [0], []);

const CASES: [string, OpCase][] = [
  ['opset 11 nearest asymmetric floor ×2 (PaddleOCR det)', {
    op: 'Resize', opset: 11, x: x([1, 3, 5, 6]), consts: [noRoi, scales([1, 1, 2, 2])],
    attrs: [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')],
  }],
  ['opset 13 linear half_pixel, sizes up and down', { op: 'Resize', opset: 13, x: x([2, 2, 5, 7], 2), consts: ['', '', sizes([2, 2, 9, 4])], attrs: [str('mode', 'linear')] }],
  ['opset 13 linear on 3 spatial axes', { op: 'Resize', opset: 13, x: x([1, 2, 3, 4, 5], 3), consts: ['', scales([1, 1, 2, 1.5, 0.6])], attrs: [str('mode', 'linear')] }],
  ['opset 13 cubic pytorch_half_pixel, one output row', {
    op: 'Resize', opset: 13, x: x([1, 1, 6, 6], 4), consts: ['', '', sizes([1, 1, 1, 9])], attrs: [str('mode', 'cubic'), str('coordinate_transformation_mode', 'pytorch_half_pixel')],
  }],
  ['opset 13 nearest tf_crop_and_resize with extrapolation', {
    op: 'Resize', opset: 13, x: x([1, 1, 5, 5], 5), consts: [f32s('roi', [8], [0, 0, -0.2, 0.3, 1, 1, 0.7, 1.4]), '', sizes([1, 1, 4, 6])],
    attrs: [str('mode', 'nearest'), str('coordinate_transformation_mode', 'tf_crop_and_resize'), { name: 'extrapolation_value', type: 'float', value: -7 }],
  }],
  ['opset 13 nearest uint8 round_prefer_ceil half_pixel', {
    op: 'Resize', opset: 13, x: { dims: [1, 1, 3, 5], data: Uint8Array.from({ length: 15 }, (_, i) => i * 13), dataType: DataType.UINT8 },
    consts: ['', scales([1, 1, 2.5, 0.8])], attrs: [str('mode', 'nearest'), str('nearest_mode', 'round_prefer_ceil')],
  }],
  ['opset 18 linear antialias downsample', { op: 'Resize', opset: 18, x: x([1, 2, 12, 10], 6), consts: ['', scales([1, 1, 0.4, 0.3])], attrs: [str('mode', 'linear'), int('antialias', 1)] }],
  ['opset 18 cubic antialias downsample with sizes', {
    op: 'Resize', opset: 18, x: x([1, 1, 11, 9], 7), consts: ['', '', sizes([1, 1, 4, 5])], attrs: [str('mode', 'cubic'), int('antialias', 1)],
  }],
  ['opset 18 axes and keep_aspect_ratio_policy not_larger', {
    op: 'Resize', opset: 18, x: x([1, 2, 6, 9], 8), consts: ['', '', sizes([4, 4])],
    attrs: [str('mode', 'linear'), { name: 'axes', type: 'ints', value: [2, 3] }, str('keep_aspect_ratio_policy', 'not_larger')],
  }],
  ['opset 18 keep_aspect_ratio_policy not_smaller', {
    op: 'Resize', opset: 18, x: x([1, 1, 6, 9], 9), consts: ['', '', sizes([1, 1, 4, 4])], attrs: [str('mode', 'nearest'), str('keep_aspect_ratio_policy', 'not_smaller')],
  }],
  ['opset 19 half_pixel_symmetric', {
    op: 'Resize', opset: 19, x: x([1, 1, 5, 7], 10), consts: ['', scales([1, 1, 1.7, 0.55])], attrs: [str('mode', 'linear'), str('coordinate_transformation_mode', 'half_pixel_symmetric')],
  }],
  ['opset 10 nearest downsample', { op: 'Resize', opset: 10, x: x([1, 1, 7, 9], 11), consts: [scales([1, 1, 0.5, 0.4])], attrs: [str('mode', 'nearest')] }],
  ['opset 10 linear upsample', { op: 'Resize', opset: 10, x: x([1, 2, 3, 4], 12), consts: [scales([1, 1, 2, 3])], attrs: [str('mode', 'linear')] }],
  ['Upsample 9 nearest', { op: 'Upsample', opset: 9, x: x([1, 2, 3, 4], 13), consts: [scales([1, 1, 2, 3])], attrs: [str('mode', 'nearest')] }],
  ['Upsample 9 linear', { op: 'Upsample', opset: 9, x: x([1, 2, 3, 4], 14), consts: [scales([1, 1, 2, 2])], attrs: [str('mode', 'linear')] }],
  ['Upsample 7 scales attribute', { op: 'Upsample', opset: 7, x: x([1, 1, 2, 3], 15), attrs: [{ name: 'scales', type: 'floats', value: [1, 1, 3, 2] }] }],
];

describe('Resize and Upsample against onnxruntime-node', () => {
  it.each(CASES)('%s', async (_label, c) => {
    const [r] = await runBoth(c);
    expect(r.ours.dims).toEqual([...r.ort.dims]);
    expect(r.ort.data.length).toBeGreaterThan(0);
    expect(relDiff(r)).toBeLessThan(1e-5);
  });
});

describe('modes the runtime does not know', () => {
  it('are named with the node before anything runs', () => {
    const m = model(graph('g', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: DataType.FLOAT, shape: [1, 1, 4, 4] } }],
      outputs: [{ name: 'z', type: { kind: 'tensor', elemType: DataType.FLOAT } }],
      nodes: [
        node('Resize', ['x', '', 'scales'], ['y'], [str('mode', 'area')], 'up'),
        node('Pad', ['y', 'pads'], ['z'], [str('mode', 'symmetric')], 'pad'),
      ],
      initializers: [f32s('scales', [4], [1, 1, 2, 2]), int64s('pads', [0, 0, 1, 1, 0, 0, 1, 1])],
    }));
    expect(unsupportedNodes(m)).toEqual([
      { opType: 'Resize', name: 'up', reason: 'mode "area"' },
      { opType: 'Pad', name: 'pad', reason: 'mode "symmetric"' },
    ]);
    expect(() => Session.create(m, { kernels: 'dense' })).toThrow(/Resize "up" \(mode "area"\)/);
  });
});
