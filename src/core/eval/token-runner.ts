// Prunescope's runtime as a TokenRunner: the ids fed as the model's integer input (int64, int32, …)
// of shape [sequences, length], the model's other inputs by companion-inputs.ts' rule; the first
// output is the logits.
import { DataType } from '../onnx/model';
import { RuntimeError } from '../runtime/errors';
import type { Session } from '../runtime/session';
import type { RtData } from '../runtime/tensor';
import { companionFeeds, companionInputs } from '../runtime/companion-inputs';
import type { RunnerName } from './types';
import type { TokenRunner } from './language-model';

function idsData(ids: Int32Array, dataType: number): RtData {
  switch (dataType) {
    case DataType.INT64:
      return BigInt64Array.from(ids, (v) => BigInt(v));
    case DataType.INT32:
      return ids;
    default:
      throw new RuntimeError(`token ids are fed as int64 or int32; the model's input takes element type ${dataType}`);
  }
}

export function sessionTokenRunner(name: RunnerName, session: Session): TokenRunner {
  const input = session.inputs[0];
  const output = session.outputs[0];
  const companions = companionInputs(session.inputs, input, 'the model');
  return {
    name,
    runIds(ids, sequences, length) {
      const dims = [sequences, length];
      const out = session.run({ ...companionFeeds(companions, dims), [input.name]: { dims, data: idsData(ids, input.dataType), dataType: input.dataType } })[output.name];
      return out.data instanceof Float32Array ? out.data : Float32Array.from(out.data as ArrayLike<number>, Number);
    },
  };
}
