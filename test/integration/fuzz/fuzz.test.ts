// A seeded fuzz and fault suite over the real CLI (issue 19, "Trust"): byte and structure mutations
// of real ONNX models, bad datasets, external data faults, output paths that alias the model, full
// or refusing file systems, killed writes and Ctrl-C. Each case is one `node bin/prunescope.js …`
// subprocess, judged on: exit 0 with valid output, or exit 2 with ONE line naming the file; nothing
// written on failure (no temp files either); the input's bytes unchanged; within the per-case time
// and memory limits; no stack trace.
//
// Environment:
//   PRUNESCOPE_FUZZ_CASES        number of cases (default 1000; the first few are fixed fault cases; every class
//                                is represented at 1000 with seed 19, signal/ and out/ weighted up)
//   PRUNESCOPE_FUZZ_SEED         the run's seed (default 19)
//   PRUNESCOPE_FUZZ_ONLY         case indexes to run alone, e.g. 17 or 3,40-49 (reproducing a failure)
//   PRUNESCOPE_FUZZ_CLASS        run only the cases whose class matches this regular expression
//   PRUNESCOPE_FUZZ_REPORT_ONLY  1: print the failures without failing the test
//   PRUNESCOPE_FUZZ_KEEP         1: keep the case folders (printed) for inspection
//   PRUNESCOPE_FUZZ_JOBS         parallel cases (default: the number of cores, at most 2)
//   PRUNESCOPE_FUZZ_TIMEOUT_MS   per-case time limit (default 60000): a hang is a failure
//   PRUNESCOPE_FUZZ_MAX_RSS_MB   per-case peak resident memory limit (default 1536)
//   PRUNESCOPE_FUZZ_REPORT       write the summary (text) to this file too
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx';
import { makeCase, FIXED_COUNT, type CaseContext, type FuzzCase } from './cases';
import { judge, listing, runCli, sha, type RunOutcome, type Verdict } from './run';
import { prepareSeeds, SEED_SOURCES } from './seeds';
import { encodeMessage, parseModel, sub, WireError } from './wire';

const env = process.env;
const SEED = Number(env.PRUNESCOPE_FUZZ_SEED ?? 19) >>> 0;
const CASES = Math.max(1, Number(env.PRUNESCOPE_FUZZ_CASES ?? 1000));
/** "3,17,40-49": case indexes (ranges inclusive). */
function indexList(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [a, b] = part.trim().split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}
const ONLY = env.PRUNESCOPE_FUZZ_ONLY ? indexList(env.PRUNESCOPE_FUZZ_ONLY) : undefined;
const REPORT_ONLY = env.PRUNESCOPE_FUZZ_REPORT_ONLY === '1';
const CLASS = env.PRUNESCOPE_FUZZ_CLASS ? new RegExp(env.PRUNESCOPE_FUZZ_CLASS) : undefined;
const KEEP = env.PRUNESCOPE_FUZZ_KEEP === '1';
const JOBS = Math.max(1, Number(env.PRUNESCOPE_FUZZ_JOBS ?? Math.min(2, availableParallelism())));
const LIMITS = { timeoutMs: Number(env.PRUNESCOPE_FUZZ_TIMEOUT_MS ?? 60_000), maxRssMb: Number(env.PRUNESCOPE_FUZZ_MAX_RSS_MB ?? 1536) };

interface Result {
  c: FuzzCase;
  v: Verdict;
  ms: number;
}

/** A uid that exists and cannot write into /dev, for the /dev/full case when we run as root. */
function unprivileged(): CaseContext['nobody'] {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const probe = spawnSync(process.execPath, ['-e', 'process.exit(0)'], { uid: 65534, gid: 65534 });
  return probe.status === 0 ? { uid: 65534, gid: 65534 } : undefined;
}

async function runCase(ctx: CaseContext, index: number): Promise<Result | undefined> {
  const started = Date.now();
  const c = makeCase(ctx, index);
  if (CLASS && !CLASS.test(c.cls)) return undefined;
  if (c.skip) return { c, v: { outcome: 'skipped', detail: c.skip }, ms: 0 };
  if (c.asNobody) chmodSync(c.dir, 0o777);
  const before = { files: listing(c.dir), hashes: c.inputs.map(sha) };
  let r: RunOutcome;
  if (c.killedFirst) {
    // The first run dies mid-write; OUT must be the old file or a complete new one.
    const first = await runCli(c, LIMITS, { killOnNewFile: { dir: c.dir, except: before.files } });
    if (first.signal === 'SIGKILL') c.what += ' (killed mid-write' + (listing(c.dir).length > before.files.length ? ', a temp file left' : '') + ')';
    else c.what += ' (the first run finished before the kill)';
    if (c.output && c.oldOutput) {
      const now = readFileSync(c.output);
      if (!Buffer.from(c.oldOutput).equals(now)) {
        try {
          decodeModel(new Uint8Array(now));
        } catch (e) {
          return { c, v: { outcome: 'failed', reason: 'a killed write left a damaged output', detail: (e as Error).message }, ms: Date.now() - started };
        }
      }
    }
    r = await runCli(c, LIMITS);
  } else r = await runCli(c, LIMITS, { fsize: c.fsize, sigintAfterMs: c.sigintAfterMs });
  const v = await judge(c, r, before, { ortCheck: index % 8 === 0 });
  return { c, v, ms: Date.now() - started };
}

function cleanup(ctx: CaseContext, index: number): void {
  for (const p of [`c${index}`, `outside-c${index}`, `outside-c${index}.bin`]) rmSync(join(ctx.root, p), { recursive: true, force: true });
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function reproducer(ctx: CaseContext, r: Result): string {
  const quoted = r.c.args.map((a) => (/^[\w./:=,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  return (
    `PRUNESCOPE_FUZZ_SEED=${ctx.seed} PRUNESCOPE_FUZZ_ONLY=${r.c.index} PRUNESCOPE_FUZZ_KEEP=1 npx vitest run test/integration/fuzz\n` +
    `      case ${r.c.index}: ${r.c.what}\n` +
    `      (in the case folder) prunescope ${quoted}` +
    (r.v.detail ? `\n      → ${r.v.detail.split('\n').filter((l) => l.trim() !== '')[0] ?? ''}` : '')
  );
}

function summary(ctx: CaseContext, results: Result[], wallMs: number): { text: string; failed: number } {
  const byClass = new Map<string, Record<Verdict['outcome'] | 'ms', number>>();
  for (const r of results) {
    const row = byClass.get(r.c.cls) ?? { ok: 0, refused: 0, failed: 0, skipped: 0, ms: 0 };
    row[r.v.outcome]++;
    row.ms += r.ms;
    byClass.set(r.c.cls, row);
  }
  const total = { ok: 0, refused: 0, failed: 0, skipped: 0 };
  for (const r of results) total[r.v.outcome]++;
  const lines: string[] = [];
  lines.push(`fuzz: seed ${ctx.seed}, ${results.length} cases (${FIXED_COUNT} fixed), ${JOBS} at a time, ${(wallMs / 1000).toFixed(0)} s`);
  lines.push(`outcomes: ok (exit 0, valid) ${total.ok}, refused (exit 2, one line) ${total.refused}, FAILED ${total.failed}, skipped ${total.skipped}`);
  lines.push('');
  lines.push(`${pad('class', 34)} ${pad('ok', 6)} ${pad('refused', 8)} ${pad('FAILED', 7)} ${pad('skipped', 8)} mean s`);
  for (const [cls, row] of [...byClass.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const n = row.ok + row.refused + row.failed + row.skipped;
    lines.push(`${pad(cls, 34)} ${pad(String(row.ok), 6)} ${pad(String(row.refused), 8)} ${pad(String(row.failed), 7)} ${pad(String(row.skipped), 8)} ${(row.ms / n / 1000).toFixed(2)}`);
  }
  const failures = results.filter((r) => r.v.outcome === 'failed').sort((a, b) => a.c.index - b.c.index);
  if (failures.length > 0) {
    const byReason = new Map<string, number>();
    for (const f of failures) byReason.set(f.v.reason ?? '?', (byReason.get(f.v.reason ?? '?') ?? 0) + 1);
    lines.push('', 'FAILED by reason:');
    for (const [reason, n] of [...byReason.entries()].sort((a, b) => b[1] - a[1])) lines.push(`  ${pad(String(n), 5)} ${reason}`);
    const groups = new Map<string, Result[]>();
    for (const f of failures) {
      const key = `${f.c.cls} :: ${f.v.reason}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    lines.push('', 'FAILED by class and reason (one reproducer each):');
    for (const [key, fs] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`  [${fs.length}] ${key}`);
      lines.push(`    ${reproducer(ctx, fs[0])}`);
    }
  }
  const skipped = results.filter((r) => r.v.outcome === 'skipped');
  for (const s of skipped) lines.push(`skipped case ${s.c.index} (${s.c.cls}): ${s.v.detail}`);
  return { text: lines.join('\n'), failed: failures.length };
}

describe('fuzz: the wire reader the oracles rely on', () => {
  it('reads every seed model strictly and writes it back byte for byte, and rejects an overrun', () => {
    for (const s of SEED_SOURCES) {
      const bytes = new Uint8Array(readFileSync(s.path));
      expect(Buffer.from(encodeMessage(parseModel(bytes))).equals(Buffer.from(bytes)), s.name).toBe(true);
    }
    // linear's graph input "0": ValueInfoProto { name, type } — make its name claim 50 more bytes.
    const linear = SEED_SOURCES.find((s) => s.name === 'linear');
    const m = parseModel(new Uint8Array(readFileSync(linear?.path ?? '')));
    const vi = sub(sub(m, 7) ?? m, 11);
    const name = vi?.fields.find((f) => f.num === 1);
    if (!name) throw new Error('no input name');
    name.lenDelta = 50;
    expect(() => parseModel(encodeMessage(m))).toThrow(WireError);
  });
});

describe('fuzz: the CLI on mutated models, bad datasets and output-path faults', () => {
  it(
    'exits 0 with valid output or 2 with one line naming the file, writes nothing on failure, never changes its input',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'prunescope-fuzz-'));
      chmodSync(root, 0o755);
      const started = Date.now();
      const ctx: CaseContext = { seed: SEED, root, seeds: prepareSeeds(join(root, 'seeds')) };
      const nobody = unprivileged();
      if (nobody) ctx.nobody = nobody;
      chmodSync(ctx.seeds.dir, 0o755);
      const indexes = ONLY ?? Array.from({ length: CASES }, (_, i) => i);
      const results: Result[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < indexes.length) {
          const index = indexes[next++];
          try {
            const r = await runCase(ctx, index);
            if (r) results.push(r);
          } finally {
            if (!KEEP) cleanup(ctx, index);
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: JOBS }, () => worker()));
      } finally {
        if (!KEEP) rmSync(root, { recursive: true, force: true });
      }
      const { text, failed } = summary(ctx, results, Date.now() - started);
      console.log(text + (KEEP ? `\ncase folders kept under ${root}` : ''));
      if (env.PRUNESCOPE_FUZZ_REPORT) writeFileSync(env.PRUNESCOPE_FUZZ_REPORT, text + '\n');
      if (!CLASS) expect(results.length).toBe(indexes.length);
      if (!REPORT_ONLY) expect(failed, text).toBe(0);
    },
    4 * 60 * 60 * 1000,
  );
});
