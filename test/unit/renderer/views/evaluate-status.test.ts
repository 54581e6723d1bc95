// The Evaluate panel's last status line: "Done" only when a figure was measured, naming the
// runtimes that measured it; "Failed" with every runtime's reason otherwise.
import { describe, expect, it } from 'vitest';
import type { EvalPoint } from '../../../../src/engine/protocol';
import { doneText, failedText } from '../../../../src/renderer/views/evaluate-status';

const point = (results: EvalPoint['results']): EvalPoint => ({ ratio: 0, sparsity: 0, samples: 10, results });
const label = (r: string): string => (r === 'onnxruntime' ? 'onnxruntime-web 1.30.0 (WebAssembly, 1 thread)' : r);

describe('evaluate status', () => {
  const own = 'cannot run Einsum (node "same")';
  const onlyOrt = [point([{ runtime: 'sparse', accuracy: 0, unavailable: own }, { runtime: 'onnxruntime', accuracy: 0.9 }])];

  it('is Done with the runtime that measured, and says why the other did not run', () => {
    expect(failedText(onlyOrt, 'm.onnx')).toBeNull();
    expect(doneText('ratio 0', onlyOrt, label)).toBe(`Done: ratio 0 · measured by onnxruntime (onnxruntime-web 1.30.0 (WebAssembly, 1 thread)) · sparse did not run: ${own}`);
  });

  it('is Failed with every reason when nothing was measured', () => {
    const none = [point([{ runtime: 'sparse', accuracy: 0, unavailable: own }, { runtime: 'onnxruntime', accuracy: 0, unavailable: 'onnxruntime could not load the model: x' }])];
    expect(failedText(none, 'm.onnx')).toBe(`Failed: no runtime could run m.onnx (sparse: ${own}; onnxruntime: onnxruntime could not load the model: x)`);
    expect(failedText([], 'm.onnx')).toBe('Failed: no runtime could run m.onnx');
  });
});
