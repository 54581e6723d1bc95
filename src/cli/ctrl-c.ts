// Ctrl-C for the whole life of a CLI run: one SIGINT handler, installed by main before any work.
// While a job runs, its owner (cancellable, withCtrlC) takes the signal and cancels the job, which
// then ends with exit 130 and a message true to what was written. Between jobs — opening a model,
// printing a report after the output is already in place — the handler ends the run at once with
// exit 130 and says which outputs were already written, instead of the default kill that would leave
// the user unsure whether a file is complete.

import { cancelMessage, changedFiles, type FileMark } from './outputs';

let owner: (() => void) | undefined;
const finished: FileMark[] = [];

function onSigint(): void {
  if (owner) {
    owner();
    return;
  }
  process.stderr.write(`prunescope: ${cancelMessage(changedFiles(finished))}\n`, () => process.exit(130));
}

/** Installs the run's one SIGINT handler (main, once). */
export function installCtrlC(): void {
  process.on('SIGINT', onSigint);
}

/**
 * Runs `work` with Ctrl-C going to `cancel`; the outputs marked before it started count as written
 * afterwards if they changed, whether the work ended or failed.
 */
export async function owningCtrlC<T>(marks: readonly FileMark[], cancel: () => void, work: () => Promise<T>): Promise<T> {
  const previous = owner;
  owner = cancel;
  try {
    return await work();
  } finally {
    owner = previous;
    finished.push(...marks);
  }
}
