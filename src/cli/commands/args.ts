// Reading option values: numbers with a check, repeatable strings.

import { CliError, type ParsedArgs } from '../command';

export function numberOption(args: ParsedArgs, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!check(n)) throw new CliError(`--${name} ${String(v)}: ${what}`);
  return n;
}

export function ratioOption(args: ParsedArgs, name = 'ratio'): number | undefined {
  return numberOption(args, name, (n) => Number.isFinite(n) && n >= 0 && n <= 1, 'must be a number from 0 to 1');
}

/** --override NAME=R, repeated: per-tensor ratios. */
export function overridesOption(args: ParsedArgs): Record<string, number> | undefined {
  const list = stringList(args, 'override');
  if (list.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const item of list) {
    const eq = item.lastIndexOf('=');
    const r = Number(item.slice(eq + 1));
    if (eq <= 0 || item.slice(eq + 1).trim() === '' || !Number.isFinite(r) || r < 0 || r > 1) {
      throw new CliError(`--override ${item}: expected NAME=RATIO with a ratio from 0 to 1`);
    }
    out[item.slice(0, eq)] = r;
  }
  return out;
}

export function stringList(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return Array.isArray(v) ? v : [v];
}

/** Options naming a dataset: one text file or an IDX pair, so one or two files after the flag. */
export const DATASET_OPTIONS: readonly string[] = ['data', 'calib', 'train'];

/**
 * `--data IMAGES LABELS` as the usage line reads it: rewrites a second file right after a dataset
 * option's value into `--data LABELS`, so that the parser, which takes one value per flag, sees
 * `--data IMAGES --data LABELS`. A second file is not taken when the command would then be left
 * without any positional argument (its MODEL), e.g. `eval --data digits.txt model.onnx`.
 */
export function gatherDatasetFiles(argv: readonly string[], options: Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>): string[] {
  const takesValue = (token: string): boolean => {
    if (token.startsWith('--')) {
      if (token.includes('=')) return false;
      return options[token.slice(2)]?.type === 'string';
    }
    if (token.startsWith('-') && token.length === 2) {
      return Object.values(options).some((o) => o.short === token[1] && o.type === 'string');
    }
    return false;
  };
  const positionals = (tokens: readonly string[]): number => {
    let n = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === '--') return n + tokens.length - i - 1;
      if (t.startsWith('-') && t !== '-') {
        if (takesValue(t)) i++;
      } else n++;
    }
    return n;
  };
  const out: string[] = [];
  let lastTaken = -1; // index in `out` of the last inserted flag
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i];
    if (t === '--') {
      out.push(...argv.slice(i));
      break;
    }
    out.push(t);
    if (t.startsWith('-') && t !== '-' && takesValue(t)) {
      if (i + 1 < argv.length) out.push(argv[++i]);
      const name = t.slice(2);
      const next = argv[i + 1];
      if (t.startsWith('--') && DATASET_OPTIONS.includes(name) && next !== undefined && !next.startsWith('-')) {
        lastTaken = out.length;
        out.push(t, next);
        i++;
      }
    }
  }
  if (lastTaken >= 0 && positionals(out) === 0) out.splice(lastTaken, 1); // give the last file back as MODEL
  return out;
}
