/**
 * The `dynsync` command line: wiring only. Builds the invocation's context (configuration is read lazily from
 * the environment by config.ts, so `--help` needs none) and hands over to run-cli.ts, which owns dispatch, error
 * reporting and exit codes. Run it with `npx dynsync <command>` (bin/dynsync.js imports this file).
 */
import { CliContext } from './cli-context.ts';
import { processIo } from './cli-io.ts';
import { loadCliConfig } from './config.ts';
import { runCli } from './run-cli.ts';

const ctx = new CliContext(processIo(), () => loadCliConfig(), process.stderr);
const code = await runCli(process.argv.slice(2), ctx);
process.exitCode = code;
// Every resource is closed by runCli; should a library still hold a handle, do not hang the terminal.
setTimeout(() => process.exit(code), 2_000).unref();
