/**
 * Dispatch of `dynsync <command> [args]`: finds the command (one or two words), prints help (top level, group,
 * or `--help` of a command without parsing anything else), runs it, and turns any failure into one line on
 * stderr (`dynsync: error [CODE]: message`, plus a hint for some codes) and the exit code of its kind:
 * 0 ok, 2 configuration or user error, 3 data, 4 transient (service unreachable, retries exhausted), 1 other.
 */
import { SyncError, exitCodeFor, toSyncError, type ErrorCode } from '../shared/errors.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { helpText, usageError, wantsHelp } from './command-spec.ts';
import { connectCommand } from './commands/connect.ts';
import { connectionsCommands } from './commands/connections.ts';
import { runsCommand } from './commands/runs.ts';
import { secretsCommands } from './commands/secrets.ts';
import { kafkaAclsCommand } from './commands/kafka-acls.ts';
import { statusCommand } from './commands/status.ts';
import { syncCommands } from './commands/sync.ts';
import { tablesCommand } from './commands/tables.ts';
import { verifyCommand } from './commands/verify.ts';
import { watermarksCommand } from './commands/watermarks.ts';

/** Every command, in help order. */
export const COMMANDS: readonly CliCommand[] = [connectCommand, ...connectionsCommands, tablesCommand, ...syncCommands, watermarksCommand, runsCommand, statusCommand, verifyCommand, ...secretsCommands, kafkaAclsCommand];

const HINTS: Partial<Record<ErrorCode, string>> = {
  AUTH_CONSENT_REVOKED: 'the organisation no longer accepts this connection\'s sign-in: reconnect with `dynsync connect --name <id> ...` (same settings) to consent again',
  AUTH_INVALID_CLIENT: 'check --tenant, --client-id and the client secret of the app registration, then run `dynsync connect` again',
  AUTH_FORBIDDEN: 'the application user (or signed-in user) needs a security role with read access in the organisation',
  STORE_UNAVAILABLE: 'is MongoDB running and MONGODB_URI right?',
  KAFKA_UNAVAILABLE: 'is Kafka running and KAFKA_BROKERS right?',
};

/** The top-level help. */
export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'Usage: dynsync <command> [options]',
    '',
    'Read-only sync of Dynamics 365 / Dataverse into MongoDB through Kafka: the operator\'s command line.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary.split(/[.:](?:\s|$)/)[0]}`),
    '',
    'Run `dynsync <command> --help` for the options of a command. Configuration comes from the environment:',
    'MONGODB_URI, KAFKA_BROKERS, DYNSYNC_ENCRYPTION_KEY, DYNSYNC_STATE_DB (see services/cli/README.md).',
    'Exit codes: 0 ok, 2 configuration or usage error, 3 data error, 4 service unavailable, 1 other.',
    '',
  ].join('\n');
}

/** Finds the command named by the first one or two words of `argv`; `rest` is what follows. */
export function findCommand(argv: readonly string[]): { command?: CliCommand; group?: CliCommand[]; rest: readonly string[] } {
  const two = `${argv[0]} ${argv[1]}`;
  const byTwo = COMMANDS.find((c) => c.spec.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = COMMANDS.find((c) => c.spec.name === argv[0]);
  if (byOne) return { command: byOne, rest: argv.slice(1) };
  const group = COMMANDS.filter((c) => c.spec.name.startsWith(`${argv[0]} `));
  return group.length > 0 ? { group, rest: argv.slice(1) } : { rest: argv.slice(1) };
}

/** Runs the CLI; resolves to the exit code. Always closes the context's resources. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const first = argv[0];
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      if (first === undefined) {
        ctx.io.err(topLevelHelp());
        return 2;
      }
      ctx.io.out(topLevelHelp());
      return 0;
    }
    const { command, group, rest } = findCommand(argv);
    if (group) {
      const text = `Usage: dynsync ${first} <${group.map((c) => c.spec.name.split(' ')[1]).join('|')}> [options]\n\n${group.map((c) => `  dynsync ${c.spec.name}: ${c.spec.summary}`).join('\n')}\n`;
      if (wantsHelp(rest)) {
        ctx.io.out(text);
        return 0;
      }
      ctx.io.err(text);
      throw usageError(first, rest[0] === undefined ? `missing subcommand` : `unknown subcommand "${rest[0].slice(0, 32)}"`);
    }
    if (!command) throw new SyncError('CONFIG_INVALID', `unknown command "${first.slice(0, 32)}": run \`dynsync --help\` for the list`);
    if (wantsHelp(rest)) {
      ctx.io.out(helpText(command.spec));
      return 0;
    }
    return (await command.run(ctx, rest)) ?? 0;
  } catch (err) {
    const e = toSyncError(err);
    ctx.io.err(`dynsync: error [${e.code}]: ${e.message}\n`);
    const hint = HINTS[e.code];
    if (hint) ctx.io.err(`hint: ${hint}\n`);
    return exitCodeFor(e);
  } finally {
    await ctx.close();
  }
}
