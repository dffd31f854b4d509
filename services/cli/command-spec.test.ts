import { describe, expect, it } from 'vitest';
import { isSyncError } from '../shared/errors.ts';
import { helpText, parseCommand, parseCommandWithId, rejectExtraPositionals, requirePositional, wantsHelp, type CommandSpec } from './command-spec.ts';

const spec = {
  name: 'demo cmd',
  summary: 'Does a demo.',
  positionals: [{ name: 'connection', description: 'connection id' }],
  options: {
    tables: { type: 'string', valueName: '<a,b>', description: 'tables' },
    json: { type: 'boolean', description: 'print JSON' },
    'client-secret': { type: 'string', description: 'secret' },
  },
  notes: ['A note.'],
  examples: ['dynsync demo cmd acme'],
} as const satisfies CommandSpec;

const usage = (argv: string[]) => {
  try {
    parseCommand(spec, argv);
  } catch (err) {
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('parseCommand', () => {
  it('types and returns options and positionals', () => {
    const { values, positionals } = parseCommand(spec, ['acme', '--tables', 'a,b', '--json']);
    expect(values).toEqual({ tables: 'a,b', json: true });
    expect(positionals).toEqual(['acme']);
    expect(requirePositional(spec, positionals, 0)).toBe('acme');
  });

  it.each([
    [['--nope'], 'unknown option --nope (see `dynsync demo cmd --help`)'],
    [['--tables'], 'option --tables needs a value (see `dynsync demo cmd --help`)'],
    [['--tables', '--json'], 'option --tables needs a value (see `dynsync demo cmd --help`)'],
    [['--json=yes'], 'option --json does not take a value (see `dynsync demo cmd --help`)'],
  ])('usage error for %j: %s', (argv, message) => {
    expect(usage(argv)).toBe(message);
  });

  it('never echoes the value of a mistyped secret option', () => {
    const message = usage(['--clientsecret=hunter2']);
    expect(message).toContain('--clientsecret');
    expect(message).not.toContain('hunter2');
  });

  it('requires declared positionals and refuses extra ones', () => {
    expect(() => requirePositional(spec, [], 0)).toThrow('missing <connection>');
    expect(() => rejectExtraPositionals(spec, ['a', 'b'])).toThrow('unexpected argument "b"');
    expect(() => rejectExtraPositionals(spec, ['a'])).not.toThrow();
  });

  it('parseCommandWithId returns the options and the one positional, which it requires alone', () => {
    expect(parseCommandWithId(spec, ['acme', '--json'])).toEqual({ values: { json: true }, id: 'acme' });
    expect(() => parseCommandWithId(spec, ['--json'])).toThrow('missing <connection>');
    expect(() => parseCommandWithId(spec, ['acme', 'extra'])).toThrow('unexpected argument "extra"');
  });
});

describe('wantsHelp', () => {
  it.each([
    [['--help'], true],
    [['acme', '-h'], true],
    [['--bogus', '--help'], true],
    [['--', '--help'], false],
    [['acme'], false],
  ])('%j → %s', (argv, expected) => {
    expect(wantsHelp(argv)).toBe(expected);
  });
});

describe('helpText', () => {
  it('lists usage, arguments, aligned options with value names, notes and examples', () => {
    expect(helpText(spec)).toBe(
      [
        'Usage: dynsync demo cmd <connection> [options]',
        '',
        'Does a demo.',
        '',
        'Arguments:',
        '  connection  connection id',
        '',
        'Options:',
        '      --tables <a,b>           tables',
        '      --json                   print JSON',
        '      --client-secret <value>  secret',
        '  -h, --help                   show this help and exit',
        '',
        'A note.',
        '',
        'Examples:',
        '  dynsync demo cmd acme',
        '',
      ].join('\n'),
    );
  });
});
