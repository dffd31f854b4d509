/**
 * The development switches (`DYNSYNC_DEV_ORIGINS`, `DYNSYNC_DEV_AUTHORITY`, `DYNSYNC_DEV_CA_PATH`) admit the
 * simulator: organisations on this machine's loopback, their sign-in endpoint (which receives the client secret) and
 * their CA (trusted for those origins only, http-agent.ts). They are never needed in production. Every process that
 * talks to Dataverse checks them at start-up ({@link checkDevSwitches}): refused with NODE_ENV=production, refused
 * when they do not hang together, and announced with one loud warning while any is set.
 */
import { configError, type ConfigProblem } from '../../shared/config.ts';
import type { Logger } from '../../shared/log.ts';
import type { DataverseRuntimeConfig } from './runtime-config.ts';

/** The variables that are development switches. */
export const DEV_SWITCHES = ['DYNSYNC_DEV_ORIGINS', 'DYNSYNC_DEV_AUTHORITY', 'DYNSYNC_DEV_CA_PATH'] as const;

type DevConfig = Pick<DataverseRuntimeConfig, 'DYNSYNC_DEV_ORIGINS' | 'DYNSYNC_DEV_AUTHORITY' | 'DYNSYNC_DEV_CA_PATH' | 'NODE_ENV'>;

/** The development switches that are set. */
export function devSwitchesSet(config: DevConfig): string[] {
  return DEV_SWITCHES.filter((v) => (v === 'DYNSYNC_DEV_ORIGINS' ? config.DYNSYNC_DEV_ORIGINS.length > 0 : config[v] !== undefined));
}

/**
 * Checks the switches of `service`'s configuration: CONFIG_INVALID (every problem by variable) when any is set with
 * NODE_ENV=production, when DYNSYNC_DEV_AUTHORITY is not one of DYNSYNC_DEV_ORIGINS (the client secret would go
 * elsewhere than to a dev organisation's own machine), or when DYNSYNC_DEV_CA_PATH has no origin to apply to.
 * Returns the warning to log (undefined when none is set).
 */
export function checkDevSwitches(service: string, config: DevConfig): string | undefined {
  const set = devSwitchesSet(config);
  if (set.length === 0) return undefined;
  const problems: ConfigProblem[] = [];
  if (config.NODE_ENV === 'production') {
    for (const v of set) problems.push({ variable: v, message: 'a development switch, refused with NODE_ENV=production: unset it (it admits the simulator, never a real organisation)' });
  } else {
    const origins = new Set(config.DYNSYNC_DEV_ORIGINS.map((o) => new URL(o).origin));
    if (config.DYNSYNC_DEV_AUTHORITY !== undefined && !origins.has(new URL(config.DYNSYNC_DEV_AUTHORITY).origin)) {
      problems.push({ variable: 'DYNSYNC_DEV_AUTHORITY', message: 'must be one of DYNSYNC_DEV_ORIGINS (the simulator\'s origin): the client secret is posted to it' });
    }
    if (config.DYNSYNC_DEV_CA_PATH !== undefined && origins.size === 0) {
      problems.push({ variable: 'DYNSYNC_DEV_CA_PATH', message: 'is trusted only for DYNSYNC_DEV_ORIGINS, which is empty' });
    }
  }
  if (problems.length > 0) throw configError(service, problems);
  const origins = config.DYNSYNC_DEV_ORIGINS.join(', ');
  return (
    `DEVELOPMENT SWITCHES SET (${set.join(', ')}): organisations at ${origins || '(none)'} are accepted besides real Dataverse hosts` +
    `${config.DYNSYNC_DEV_CA_PATH ? ', their CA certificate is trusted for them' : ''}, and their client secrets are posted to ` +
    `${config.DYNSYNC_DEV_AUTHORITY ?? 'their own origin'} to sign in. For the simulator only: never set these in production (NODE_ENV=production refuses them).`
  );
}

/** {@link checkDevSwitches} at a service's start: throws on a problem, logs the warning once (level warn). */
export function guardDevSwitches(service: string, config: DevConfig, log: Logger): void {
  const warning = checkDevSwitches(service, config);
  if (warning !== undefined) log.warn({ devSwitches: devSwitchesSet(config) }, warning);
}
