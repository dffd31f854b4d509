/**
 * Structured logging (pino): one JSON event per line, with service and run/task/table context through child
 * loggers. Secrets are redacted by path wherever they could appear (Invariant 7).
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths censored in every log line, whatever the call site passes. */
export const REDACT_PATHS = [
  'secret',
  'clientSecret',
  'client_secret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'authorization',
  'encryptionKey',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.authorization',
  '*.encryptionKey',
  'headers.authorization',
  'req.headers.authorization',
];

/**
 * Creates the root logger of a service. `destination` defaults to stdout; tests pass a stream to read lines.
 */
export function createLogger(service: string, level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as pino.DestinationStream | undefined,
  );
}
