// The `prunescope` command line: parses argv, dispatches to a sub-command, prints help and the
// version, and turns every user-facing failure into ONE line on stderr with exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, type CliCommand, type CliIO, type ParsedArgs } from './command';
import { commands } from './commands';
import { gatherDatasetFiles } from './commands/args';
import { errorLine } from './errors';
import { installCtrlC } from './ctrl-c';
import { version } from '../../package.json';
import { enableWasmFlags } from '../engine/node/wasm-flags';

enableWasmFlags();

const io: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return (
    `prunescope ${version} — inspect, prune and benchmark ONNX models\n\n` +
    'Usage: prunescope <command> [options] MODEL\n\n' +
    'Commands:\n' +
    commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
    '\n\n' +
    'prunescope <command> --help   options of one command\n' +
    'prunescope --version          the version\n\n' +
    'Exit codes: 0 success, 2 bad input (missing or invalid file, bad option), 1 internal error.\n'
  );
}

function commandHelp(c: CliCommand): string {
  const opts = Object.entries(c.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}`;
    return [flag, `${o.description}${o.multiple ? ' (repeatable)' : ''}`];
  });
  opts.push(['-h, --help', 'this help']);
  const w = Math.max(...opts.map((o) => o[0].length));
  return `Usage: ${c.usage}\n\n${c.summary}\n\nOptions:\n${opts.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`).join('\n')}\n`;
}

function parse(c: CliCommand, argv: string[]): ParsedArgs & { help: boolean } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(c.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: gatherDatasetFiles(argv, c.options), options, allowPositionals: true, strict: true });
    const { help, ...rest } = values as Record<string, string | boolean | string[] | undefined>;
    return { positionals, values: rest, help: help === true };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const quoted = e instanceof Error ? /'([^']+)'/.exec(e.message)?.[1] : undefined;
    const msg =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined
        ? `unknown option ${quoted}`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? 'unexpected argument'
          : e instanceof Error
            ? e.message.split('\n')[0]
            : String(e);
    throw new CliError(`${c.name}: ${msg} (see prunescope ${c.name} --help)`);
  }
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(globalHelp());
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.out(globalHelp());
    return 0;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.out(`${version}\n`);
    return 0;
  }
  try {
    if (first === 'help') {
      const c = rest[0] === undefined ? undefined : commands.find((x) => x.name === rest[0]);
      if (rest[0] !== undefined && c === undefined) throw new CliError(`unknown command "${rest[0]}" (see prunescope --help)`);
      io.out(c ? commandHelp(c) : globalHelp());
      return 0;
    }
    const command = commands.find((c) => c.name === first);
    if (!command) {
      throw new CliError(first.startsWith('-') ? `unknown option "${first}" (see prunescope --help)` : `unknown command "${first}" (see prunescope --help)`);
    }
    const args = parse(command, rest);
    if (args.help) {
      io.out(commandHelp(command));
      return 0;
    }
    installCtrlC();
    return await command.run({ positionals: args.positionals, values: args.values }, io);
  } catch (e) {
    const { line, code } = errorLine(e);
    io.err(`prunescope: ${line}\n`);
    if (code === 1 && process.env.PRUNESCOPE_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return code;
  }
}

// A closed stdout (`prunescope info x | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`prunescope: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

