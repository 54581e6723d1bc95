// Cancellation for long jobs: a token checked between samples, and the error that ends a job.

import type { CancelToken } from './types';

export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

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
