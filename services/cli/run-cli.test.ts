import { describe, expect, it } from 'vitest';
import { SyncError } from '../shared/errors.ts';
import { CliContext } from './cli-context.ts';
import type { CliIo } from './cli-io.ts';
import { findCommand, runCli, topLevelHelp } from './run-cli.ts';

/** A context whose configuration cannot load: proves which paths never need it. */
function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), readSecret: async () => '' };
  const ctx = new CliContext(io, () => {
    throw new SyncError('CONFIG_INVALID', 'dynsync: invalid configuration (1 problem):\n  MONGODB_URI: expected a mongodb:// URI');
  });
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

describe('findCommand', () => {
  it.each([
    [['connect', '--name', 'x'], 'connect', ['--name', 'x']],
    [['connections', 'show', 'acme'], 'connections show', ['acme']],
    [['resync', 'acme'], 'resync', ['acme']],
  ])('%j → %s', (argv, name, rest) => {
    const found = findCommand(argv);
    expect(found.command?.spec.name).toBe(name);
    expect(found.rest).toEqual(rest);
  });

  it('a group without its subcommand gives the group', () => {
    expect(findCommand(['connections']).group?.map((c) => c.spec.name)).toEqual(['connections list', 'connections show', 'connections remove']);
    expect(findCommand(['nope']).command).toBeUndefined();
  });
});

describe('runCli', () => {
  it.each([[['--help']], [['help']], [['connect', '--help']], [['tables', 'acme', '--bogus', '-h']], [['connections', '--help']]])(
    '%j prints help (exit 0) without reading the configuration',
    async (argv) => {
      const h = harness();
      expect(await runCli(argv, h.ctx)).toBe(0);
      expect(h.out()).toMatch(/^Usage: dynsync /);
      expect(h.err()).toBe('');
    },
  );

  it.each([
    [[], 2, 'Usage: dynsync <command>'],
    [['frobnicate'], 2, 'dynsync: error [CONFIG_INVALID]: unknown command "frobnicate"'],
    [['connections', 'rename'], 2, 'unknown subcommand "rename"'],
    [['tables'], 2, 'error [CONFIG_INVALID]: missing <connection> (see `dynsync tables --help`)'],
    [['sync', 'acme', 'extra'], 2, 'unexpected argument "extra"'],
    [['runs', 'acme', '--limit', '0'], 2, '--limit must be an integer from 1 to 1000'],
    [['watermarks', 'acme'], 2, 'MONGODB_URI: expected a mongodb:// URI'],
  ])('%j exits %d with %s on stderr', async (argv, code, message) => {
    const h = harness();
    expect(await runCli(argv, h.ctx)).toBe(code);
    expect(h.err()).toContain(message);
    expect(h.out()).toBe('');
  });

  it('lists every command in the top-level help', () => {
    const help = topLevelHelp();
    for (const name of ['connect', 'connections list', 'connections show', 'connections remove', 'tables', 'sync', 'resync', 'watermarks', 'runs']) {
      expect(help).toMatch(new RegExp(`^  ${name}\\s{2,}\\S`, 'm'));
    }
  });
});
