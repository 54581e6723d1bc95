// How many threads may run a large batch: the one rule shared by the engine's request check, the
// CLI's --workers option and the PRUNESCOPE_WORKERS variable.

/** Workers by default: one per core, at most this many (the large batch mostly streams memory). */
export const DEFAULT_MAX_WORKERS = 4;
/** The most workers anyone may ask for. */
export const MAX_WORKERS = 64;

/** One worker per core, at most DEFAULT_MAX_WORKERS, at least 1. */
export function defaultWorkers(cores: number): number {
  return Math.max(1, Math.min(DEFAULT_MAX_WORKERS, Math.floor(cores)));
}

export function isWorkerCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS;
}

/** A worker count written as text (an option or an environment variable); throws a one-line message naming `what`. */
export function parseWorkerCount(text: string, what: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!isWorkerCount(n)) throw new Error(`${what} must be a whole number from 1 to ${MAX_WORKERS}, got "${text}"`);
  return n;
}
