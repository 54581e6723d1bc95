// Every `prunescope` sub-command, in the order `prunescope --help` lists them.
import type { CliCommand } from '../command';
import { diffCommand } from './diff';
import { dumpCommand } from './dump';
import { errorsCommand } from './errors';
import { exportCommand } from './export';
import { infoCommand } from './info';
import { pruneCommand } from './prune';
import { reportCommand } from './report';
import { statsCommand } from './stats';
import { sensitivityCommand } from './sensitivity';
import { evalCommand, sweepCommand } from './sweep';

export const commands: CliCommand[] = [
  infoCommand,
  statsCommand,
  dumpCommand,
  pruneCommand,
  exportCommand,
  sweepCommand,
  evalCommand,
  errorsCommand,
  reportCommand,
  diffCommand,
  sensitivityCommand,
];
