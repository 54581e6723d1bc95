#!/usr/bin/env node
// The `prunescope` command: the CLI bundle built by `npm run build:cli`.
require('../out/cli/prunescope.js');
