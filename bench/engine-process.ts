// The benches' engine process: a fresh out/cli/utility.js (the engine the CLI's handlers run in),
// ready, with its pid for /proc readings and stopped afterwards; a file opened in it, timed; the
// process's memory and CPU time.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { EngineClient } from '../src/engine/client';
import { spawnEngine } from '../src/engine/node/process';
import type { ModelSummary } from '../src/engine/protocol';

/** Peak and current resident memory of a process (VmHWM, VmRSS), in bytes; NaN off Linux. */
export function memoryOf(pid: number): { peak: number; rss: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { peak: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { peak: NaN, rss: NaN };
  }
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc; NaN off Linux. */
export function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks (100 Hz)
  } catch {
    return NaN;
  }
}

/** Runs `body` with a fresh engine process from `utility` (its client ready, its pid), then stops it. */
export async function withEngine<T>(utility: string, body: (client: EngineClient, pid: number) => Promise<T>): Promise<T> {
  const engine = spawnEngine(utility, { stderr: 'inherit' });
  try {
    await engine.client.ready;
    return await body(engine.client, engine.child.pid ?? -1);
  } finally {
    await engine.stop();
  }
}

/** Opens `path` in the engine: its summary and the seconds the request took. */
export async function timedOpen(client: EngineClient, path: string): Promise<{ summary: ModelSummary; seconds: number }> {
  const t0 = performance.now();
  const summary = await client.request({ type: 'open', source: { kind: 'path', path } }).promise;
  return { summary, seconds: (performance.now() - t0) / 1000 };
}
