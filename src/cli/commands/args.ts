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
