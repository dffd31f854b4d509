/**
 * Declarative command specs for the CLI: one object per command drives both argument parsing (node:util parseArgs,
 * strict, with typed results) and its `--help` text, so the two never drift apart. Pure: no I/O.
 */
import { parseArgs } from 'node:util';
import { SyncError } from '../shared/errors.ts';

/** One option of a command (the parseArgs config plus help metadata). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** One line of help. */
  description: string;
  /** Placeholder shown in help for string options, e.g. `<url>`. */
  valueName?: string;
}

/** A positional argument (help only; commands check them with {@link requirePositional}). */
export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** A command: name (possibly two words, `connections list`), summary, options, positionals, examples. */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  summary: string;
  positionals?: readonly PositionalSpec[];
  options: O;
  /** Extra paragraphs printed after the options (notes, exit codes). */
  notes?: readonly string[];
  examples?: readonly string[];
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h', description: 'show this help and exit' } } as const;

/** The one positional of the commands that act on a connection. */
export const CONNECTION_ARGUMENT = [{ name: 'connection', description: 'connection id' }] as const satisfies readonly PositionalSpec[];

/** `--json` of the commands that print a table, or JSON instead. */
export const JSON_OPTION = { type: 'boolean', description: 'print JSON' } as const satisfies OptionSpec;

/** True when `argv` asks for help (`--help`/`-h` before any `--`), whatever else it contains. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Parses `argv` strictly against `spec` (unknown options, missing option values and wrong types are
 * CONFIG_INVALID usage errors naming the option and pointing at `--help`; option values are never echoed).
 */
export function parseCommand<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: { ...spec.options, ...HELP_OPTION }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(spec.name, describeParseError(err));
  }
}

/** Parses a command that takes exactly one positional, an id (usually {@link CONNECTION_ARGUMENT}): its options and the id. */
export function parseCommandWithId<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[]) {
  const { values, positionals } = parseCommand(spec, argv);
  rejectExtraPositionals(spec, positionals);
  return { values, id: requirePositional(spec, positionals, 0) };
}

/** A usage error for `command` (exit code 2). */
export function usageError(command: string, problem: string): SyncError {
  return new SyncError('CONFIG_INVALID', `${problem} (see \`dynsync ${command} --help\`)`, { details: { command } });
}

/** The positional at `index`, or a usage error naming it. */
export function requirePositional(spec: CommandSpec, positionals: readonly string[], index: number): string {
  const value = positionals[index];
  const name = spec.positionals?.[index]?.name ?? `argument ${index + 1}`;
  if (value === undefined || value === '') throw usageError(spec.name, `missing <${name}>`);
  return value;
}

/** Refuses positionals beyond the declared ones. */
export function rejectExtraPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const max = spec.positionals?.length ?? 0;
  if (positionals.length > max) throw usageError(spec.name, `unexpected argument "${clip(positionals[max] ?? '')}"`);
}

function describeParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  // Name the option only (the text before `=`), never a value: a mistyped --client-secret=... must not leak.
  const option = /'(-{1,2}[^'=\s]+)/.exec(e.message ?? '')?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${option ?? ''} ${/argument missing|ambiguous/.test(e.message ?? '') ? 'needs a value' : 'does not take a value'}`.replace(/\s+/g, ' ');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'unexpected argument';
    default:
      return 'invalid arguments';
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The `--help` text of `spec`: usage line, summary, arguments, options (aligned), notes and examples. */
export function helpText(spec: CommandSpec): string {
  const pos = (spec.positionals ?? []).map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`)).join(' ');
  const lines = [`Usage: dynsync ${spec.name}${pos ? ` ${pos}` : ''} [options]`, '', spec.summary];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    const width = Math.max(...spec.positionals.map((p) => p.name.length));
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}  ${p.description}`);
  }
  const options: [string, OptionSpec][] = [...Object.entries(spec.options), ['help', HELP_OPTION.help]];
  const labels = options.map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}`;
    return o.type === 'string' ? `${flag} ${o.valueName ?? '<value>'}` : flag;
  });
  const width = Math.max(...labels.map((l) => l.length));
  lines.push('', 'Options:');
  options.forEach(([, o], i) => lines.push(`  ${(labels[i] ?? '').padEnd(width)}  ${o.description}`));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}
