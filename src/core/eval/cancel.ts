// Cancellation for long jobs: a token checked between samples; the error is core's CancelledError.

import { CancelledError } from '../errors';
import type { CancelToken } from './types';

export { CancelledError };

export class CancelSource implements CancelToken {
  private flag = false;
  get cancelled(): boolean {
    return this.flag;
  }
  cancel(): void {
    this.flag = true;
  }
}

export function throwIfCancelled(token: CancelToken | undefined): void {
  if (token?.cancelled) throw new CancelledError();
}
