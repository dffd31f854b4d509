/**
 * The pure part of `dynsync connect`: which OAuth flow the flags select, and validation of the connection id,
 * the table list and the schedule (cron expressions checked with croner, the scheduler's own library, so a
 * schedule accepted here is one the coordinator can run). No I/O; the time is an argument.
 */
import { Cron } from 'croner';
import { SyncError } from '../shared/errors.ts';
import type { AuthFlow } from '../dataverse/auth/dataverse-auth.ts';
import { DEFAULT_SCHEDULE, type Connection } from '../dataverse/connections/connection.ts';
import { parseTableList } from './sync-command.ts';
import { CONNECTION_ID } from '../contracts/ids.ts';

/** The flags that decide the flow. */
export interface FlowFlags {
  flow?: string | undefined;
  secretGiven: boolean;
  autoConsent: boolean;
  port: boolean;
  noBrowser: boolean;
}

/**
 * The OAuth flow: `--flow` when given; else `delegated` when a flag only the authorization-code flow uses is
 * present (`--auto-consent`, `--port`, `--no-browser`) or no secret is given; else `client-credentials`.
 * CONFIG_INVALID for an unknown `--flow` or a client-credentials flow combined with consent flags.
 */
export function resolveFlow(f: FlowFlags): AuthFlow {
  const consentFlags = f.autoConsent || f.port || f.noBrowser;
  if (f.flow !== undefined) {
    if (f.flow !== 'client-credentials' && f.flow !== 'delegated') {
      throw new SyncError('CONFIG_INVALID', `--flow must be client-credentials or delegated, not "${f.flow.slice(0, 32)}"`);
    }
    if (f.flow === 'client-credentials' && consentFlags) {
      throw new SyncError('CONFIG_INVALID', '--auto-consent, --port and --no-browser belong to the delegated (authorization-code) flow, not to --flow client-credentials');
    }
    return f.flow;
  }
  return consentFlags || !f.secretGiven ? 'delegated' : 'client-credentials';
}

/** CONFIG_INVALID unless `id` is a valid connection id. */
export function checkConnectionId(id: string): string {
  if (!CONNECTION_ID.test(id)) {
    throw new SyncError('CONFIG_INVALID', `--name "${id.slice(0, 64)}" is not a valid connection id: lower-case letters, digits, _ and -, starting with a letter or digit, at most 48 characters`);
  }
  return id;
}

/** The schedule from the flags (defaults: the seed's nightly full refresh and 2-hourly incremental, UTC). */
export function parseSchedule(flags: { fullCron?: string | undefined; incrementalCron?: string | undefined; timeZone?: string | undefined }, now: Date): Connection['schedule'] {
  const timeZone = flags.timeZone ?? DEFAULT_SCHEDULE.timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new SyncError('CONFIG_INVALID', `--time-zone "${timeZone.slice(0, 64)}" is not an IANA time zone (e.g. UTC, Europe/Paris)`);
  }
  const full = checkCron('--full-cron', flags.fullCron ?? DEFAULT_SCHEDULE.full, timeZone, now);
  const incremental = checkCron('--incremental-cron', flags.incrementalCron ?? DEFAULT_SCHEDULE.incremental, timeZone, now);
  return { full, incremental, timeZone };
}

function checkCron(flag: string, expression: string, timeZone: string, now: Date): string {
  const expr = expression.trim().replace(/\s+/g, ' ');
  if (expr.split(' ').length !== 5) {
    throw new SyncError('CONFIG_INVALID', `${flag} "${expr.slice(0, 64)}" must be a 5-field cron expression (minute hour day month weekday), e.g. "0 2 * * *"`);
  }
  let next: Date | null;
  try {
    next = new Cron(expr, { timezone: timeZone, paused: true }).nextRun(now);
  } catch (err) {
    throw new SyncError('CONFIG_INVALID', `${flag} "${expr.slice(0, 64)}" is not a valid cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
  if (!next) throw new SyncError('CONFIG_INVALID', `${flag} "${expr.slice(0, 64)}" never fires`);
  return expr;
}

/** The `--tables` value of connect (default `all`). */
export function parseConnectTables(text: string | undefined): Connection['tables'] {
  return text === undefined ? 'all' : parseTableList(text);
}
