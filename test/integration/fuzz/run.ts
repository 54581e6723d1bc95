// Running one fuzz case as a real subprocess (`node bin/prunescope.js …`) with a time limit and a
// memory watchdog, and judging what it did: exit code, stderr, the files it left, the input's bytes,
// and the output's validity.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, watch as watchFolder } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decodeModel } from '../../../src/core/onnx';
import { ROOT, cliBin } from '../../support/cli';
import type { FuzzCase } from './cases';
import { canonical, graphFacts, parseModel, str, sub, subs, walk, WireError, type Msg } from './wire';

export interface Limits {
  timeoutMs: number;
  maxRssMb: number;
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  overMemory: boolean;
  peakRssMb: number;
  ms: number;
}

const KEEP = 4 * 1024 * 1024;

function peakRssKb(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+)/.exec(s);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs the CLI once for the case (with its resource limits and signal, when it has them). */
export function runCli(
  c: FuzzCase,
  limits: Limits,
  opts: { fsize?: FuzzCase['fsize']; sigintAfterMs?: number; killOnNewFile?: { dir: string; except: string[] } } = {},
): Promise<RunOutcome> {
  const nodeArgs = ['--max-old-space-size=1024', cliBin(), ...c.args];
  let cmd = process.execPath;
  let argv = nodeArgs;
  if (opts.fsize) {
    const trap = opts.fsize.ignore ? 'trap "" XFSZ; ' : '';
    cmd = '/bin/sh';
    argv = ['-c', `${trap}ulimit -c 0; ulimit -f ${opts.fsize.blocks}; exec "$0" "$@"`, process.execPath, ...nodeArgs];
  }
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, argv, {
      cwd: c.cwd,
      env: { ...process.env, PRUNESCOPE_DEBUG: '', PRUNESCOPE_WORKERS: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(c.asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < KEEP) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < KEEP) stderr += s;
    });
    let timedOut = false;
    let overMemory = false;
    let peak = 0;
    const watch = setInterval(() => {
      if (child.pid === undefined) return;
      peak = Math.max(peak, peakRssKb(child.pid));
      if (peak > limits.maxRssMb * 1024) {
        overMemory = true;
        child.kill('SIGKILL');
      }
    }, 50);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutMs);
    const sigint = opts.sigintAfterMs !== undefined ? setTimeout(() => child.kill('SIGINT'), opts.sigintAfterMs) : undefined;
    // kill -9 the moment a new file (the writer's temp file) appears in the folder.
    const kill = opts.killOnNewFile;
    const watcher = kill
      ? watchFolder(kill.dir, (_event, name) => {
          if (name && !kill.except.includes(String(name))) child.kill('SIGKILL');
        })
      : undefined;
    child.on('close', (code, signal) => {
      watcher?.close();
      clearInterval(watch);
      clearTimeout(timer);
      if (sigint) clearTimeout(sigint);
      resolvePromise({ code, signal, stdout, stderr, timedOut, overMemory, peakRssMb: Math.round(peak / 1024), ms: Date.now() - started });
    });
  });
}

export function sha(path: string): string {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch (e) {
    return `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
}

/** Every entry under `dir` (relative paths; folders end in /), symlinks not followed. */
export function listing(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const rel = prefix + name;
    const st = lstatSync(join(dir, name));
    if (st.isDirectory()) {
      out.push(rel + '/');
      out.push(...listing(join(dir, name), rel + '/'));
    } else out.push(rel);
  }
  return out;
}

export interface Verdict {
  outcome: 'ok' | 'refused' | 'failed' | 'skipped';
  /** For failures: a short reason shared by the cases of one kind of failure. */
  reason?: string;
  detail?: string;
}

function fail(reason: string, detail?: string): Verdict {
  return { outcome: 'failed', reason, ...(detail ? { detail: detail.slice(0, 300) } : {}) };
}

const STACK = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** External data files an ONNX file refers to (relative to its folder). */
function externalFiles(model: Msg): string[] {
  const out: string[] = [];
  walk(model, (m) => {
    if (m.type !== 'TensorProto') return;
    for (const e of subs(m, 13)) if (str(e, 1) === 'location') out.push(str(e, 2));
  });
  return out;
}

export interface Judge {
  /** Check the output in onnxruntime (a child process): costs ~0.3 s, done for some successes only. */
  ortCheck: boolean;
}

/** The verdict on one run. `before`: the case folder's listing and input hashes before the run. */
export async function judge(c: FuzzCase, r: RunOutcome, before: { files: string[]; hashes: string[] }, j: Judge): Promise<Verdict> {
  const all = r.stdout + '\n' + r.stderr;
  if (r.timedOut) return fail('hang (per-case timeout)', `${r.ms} ms`);
  if (r.overMemory) return fail('memory (peak RSS over the limit)', `${r.peakRssMb} MB`);
  const inputsNow = c.inputs.map(sha);
  const changed = c.inputs.filter((_, i) => inputsNow[i] !== before.hashes[i]);
  if (changed.length > 0) return fail('input modified', changed.map((p) => basename(p)).join(', '));
  const after = listing(c.dir);
  if (c.sigintAfterMs !== undefined && r.signal === 'SIGINT') {
    // Interrupted before the CLI took over Ctrl-C: nothing may have been written either.
    const extra = after.filter((f) => !before.files.includes(f));
    if (extra.length > 0) return fail('files written though cancelled', extra.join(', '));
    if (c.output && c.oldOutput && !(existsSync(c.output) && Buffer.from(c.oldOutput).equals(readFileSync(c.output)))) return fail('output replaced though cancelled');
    return { outcome: 'refused', detail: 'killed by SIGINT' };
  }
  if (r.signal) return fail(`killed by ${r.signal}`, r.stderr);
  if (STACK.test(all)) return fail('stack trace in the output', r.stderr || r.stdout);
  const cancelled = c.sigintAfterMs !== undefined && r.code === 130;
  if (r.code === 2 || cancelled) {
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('\r'));
    if (lines.length !== 1) return fail('error is not exactly one line', r.stderr);
    if (!lines[0].startsWith('prunescope: ')) return fail('error line does not start with "prunescope: "', lines[0]);
    if (!cancelled && !c.names.some((n) => lines[0].includes(n))) return fail('error names no file of the case', lines[0]);
    // A Ctrl-C that came after a file was complete may leave it, if the line says so by name.
    const saidWritten = (f: string): boolean => cancelled && /already written/.test(lines[0]) && lines[0].includes(basename(f));
    const extra = after.filter((f) => !before.files.includes(f) && !saidWritten(f));
    if (extra.length > 0) return fail(cancelled ? 'files written though cancelled' : 'files written on failure', extra.join(', '));
    if (c.output && c.oldOutput && !saidWritten(c.output)) {
      const now = existsSync(c.output) ? readFileSync(c.output) : undefined;
      if (!now || !Buffer.from(c.oldOutput).equals(now)) return fail(cancelled ? 'output replaced though cancelled' : 'output replaced on failure');
    }
    if (c.expect === 'accept') return fail('refused a valid input', lines[0]);
    return { outcome: 'refused', detail: lines[0] };
  }
  if (r.code === 1) return fail('internal error (exit 1)', r.stderr);
  if (r.code !== 0) return fail(`exit code ${r.code}`, r.stderr);
  if (c.expect === 'refuse') {
    if (c.why === 'accepted corrupt protobuf') {
      // Cross-check the strict reader against protobuf's own (C++) parser inside onnxruntime.
      const [verdict] = await ortLoads([c.inputs[0]]);
      const why = /protobuf parsing failed/i.test(verdict) ? 'accepted corrupt protobuf (onnxruntime: "Protobuf parsing failed")' : 'accepted protobuf with a known field of the wrong wire type (onnxruntime parses it, then fails or drops the field)';
      return fail(why, r.stdout.split('\n')[0]);
    }
    return fail(c.why ?? 'accepted a bad input', r.stdout.split('\n')[0]);
  }
  // Exit 0: what it wrote must be valid, and it wrote nothing else.
  const allowed = new Set(before.files);
  if (c.output) {
    const rel = c.output.startsWith(c.dir + '/') ? c.output.slice(c.dir.length + 1) : undefined;
    if (rel) allowed.add(rel);
  }
  const v = await checkOutput(c, r, j, allowed);
  if (v) return v;
  const extra = after.filter((f) => !allowed.has(f));
  if (extra.length > 0) return fail(c.killedFirst ? "a killed write's temp file is still there after the next write" : 'extra or temp files left', extra.join(', '));
  return { outcome: 'ok' };
}

async function checkOutput(c: FuzzCase, r: RunOutcome, j: Judge, allowed: Set<string>): Promise<Verdict | undefined> {
  switch (c.command) {
    case 'info':
      if (!/Nodes: \d+/.test(r.stdout)) return fail('invalid output: info without a node count', r.stdout.slice(0, 200));
      return undefined;
    case 'stats':
      if (r.stdout.trim() === '') return fail('invalid output: stats printed nothing');
      return undefined;
    case 'info-json': {
      let info: { mainGraphNodes?: number; inputs?: { name: string; elemType?: number }[] };
      try {
        info = JSON.parse(r.stdout);
      } catch {
        return fail('invalid output: info --json is not JSON', r.stdout.slice(0, 200));
      }
      if (c.model) {
        const g = sub(canonical(c.model), 7);
        const nodes = g ? subs(g, 1).length : 0;
        if (info.mainGraphNodes !== nodes) return fail('misread: node count differs from the protobuf', `${info.mainGraphNodes} vs ${nodes}`);
        const inputs = g ? subs(g, 11).map((v) => str(v, 1)) : [];
        const lost = (info.inputs ?? []).filter((i) => !inputs.includes(i.name));
        if (lost.length > 0) return fail('misread: an input name differs from the protobuf', lost.map((i) => JSON.stringify(i.name)).join(', '));
      }
      return undefined;
    }
    case 'eval': {
      if (/\bNaN\b|Infinity/.test(r.stdout)) return fail('invalid output: NaN or Infinity in the results', r.stdout.slice(0, 300));
      const m = /: (\d+) samples/.exec(r.stdout);
      if (!m || Number(m[1]) <= 0) return fail('invalid output: no samples evaluated', r.stdout.slice(0, 300));
      // Rows: ratio, sparsity, then each runtime's cells; every cell n/a means nothing ran.
      const rows = r.stdout.split('\n').filter((l) => /^\d/.test(l.trim()));
      if (rows.length === 0 || rows.every((l) => l.trim().split(/\s+/).slice(2).every((cell) => cell === 'n/a'))) {
        return fail('exit 0 though no runtime ran the model', r.stdout.slice(0, 300));
      }
      return undefined;
    }
    case 'sweep':
    case 'dump-json': {
      if (!c.output) return undefined;
      if (!existsSync(c.output)) return undefined; // written elsewhere through an alias: judged by the input hash
      const text = readFileSync(c.output, 'utf8');
      if (c.command === 'dump-json') {
        try {
          JSON.parse(text);
        } catch {
          return fail('invalid output: the JSON dump does not parse');
        }
      } else if (text.trim().split('\n').length < 2 || /NaN|Infinity/.test(text)) return fail('invalid output: bad CSV', text.slice(0, 200));
      return undefined;
    }
    case 'prune':
    case 'export': {
      if (!c.output) return undefined;
      if (!existsSync(c.output)) return fail('invalid output: exit 0 but no output file');
      const bytes = new Uint8Array(readFileSync(c.output));
      try {
        decodeModel(bytes, basename(c.output));
      } catch (e) {
        return fail('invalid output: the output does not decode', (e as Error).message);
      }
      let out: Msg;
      try {
        out = parseModel(bytes);
      } catch (e) {
        if (e instanceof WireError) return fail('invalid output: the output is not well-formed protobuf', e.message);
        throw e;
      }
      for (const f of externalFiles(out)) allowed.add(join(dirname(c.output).slice(c.dir.length + 1), f).replace(/^\//, ''));
      if (c.model) {
        const a = graphFacts(c.model);
        const b = graphFacts(out);
        const [ka, kb] = [graphFacts(c.model, true), graphFacts(out, true)];
        if (JSON.stringify(ka) === JSON.stringify(kb) && JSON.stringify(a) !== JSON.stringify(b)) {
          return fail('the output dropped unknown fields of the graph inputs / outputs', firstDiff([...a.inputs, ...a.outputs], [...b.inputs, ...b.outputs]));
        }
        if (JSON.stringify(a.nodes) !== JSON.stringify(b.nodes)) return fail('misread: the output changed the nodes', firstDiff(a.nodes, b.nodes));
        if (JSON.stringify(a.inputs) !== JSON.stringify(b.inputs)) return fail('misread: the output changed the graph inputs', firstDiff(a.inputs, b.inputs));
        if (JSON.stringify(a.outputs) !== JSON.stringify(b.outputs)) return fail('misread: the output changed the graph outputs', firstDiff(a.outputs, b.outputs));
      }
      if (j.ortCheck) {
        const input = c.inputs[0];
        const [inOk, outOk] = await ortLoads([input, c.output]);
        if (inOk === 'ok' && outOk !== 'ok') return fail('invalid output: onnxruntime loads the input but not the output', outOk);
      }
      return undefined;
    }
  }
}

function firstDiff(a: string[], b: string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `#${i}: ${a[i] ?? '(none)'} → ${b[i] ?? '(none)'}`.slice(0, 300);
  return '';
}

const ORT_SCRIPT = `
const ort = require('onnxruntime-node');
(async () => {
  for (const f of process.argv.slice(1)) {
    try { const s = await ort.InferenceSession.create(f); await s.release(); console.log('ok'); }
    catch (e) { console.log('fail ' + String(e && e.message).split('\\n')[0].slice(0, 200)); }
  }
})();`;

/** Whether onnxruntime-node creates a session for each file, in a child process (a crash there is no crash of ours). */
export function ortLoads(files: string[]): Promise<string[]> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['-e', ORT_SCRIPT, ...files], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', () => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l !== '');
      res(files.map((_, i) => lines[i] ?? 'fail (onnxruntime died)'));
    });
  });
}
