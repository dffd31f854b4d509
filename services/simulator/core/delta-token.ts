/**
 * Change-tracking delta tokens: `<versionnumber>!<MM/dd/yyyy HH:mm:ss>` (UTC), as Dataverse puts them in
 * `$deltatoken` of `@odata.deltaLink`.
 */

/** A decoded delta token. */
export interface DeltaToken {
  readonly version: number;
  /** When it was issued (epoch ms, whole seconds). */
  readonly issuedMs: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Renders a token. */
export function encodeDeltaToken(token: DeltaToken): string {
  const d = new Date(token.issuedMs);
  const date = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${token.version}!${date} ${time}`;
}

/** Parses a token; undefined when malformed. */
export function decodeDeltaToken(text: string): DeltaToken | undefined {
  const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [, v, mo, d, y, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number, number];
  const issuedMs = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(issuedMs)) return undefined;
  return { version: v, issuedMs };
}
