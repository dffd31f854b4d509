/**
 * Change-tracking delta tokens: `<versionnumber>!<MM/dd/yyyy HH:mm:ss>` (UTC), as Dataverse puts them in
 * `$deltatoken` of `@odata.deltaLink`.
 */

/** A decoded delta token. */
export interface DeltaToken {
  /** The simulator's internal version (the wire shows it plus the catalog's version offset). */
  readonly version: number;
  /** When it was issued (epoch ms, whole seconds). */
  readonly issuedMs: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Renders a token; `offset` is added to the version on the wire (versionnumbers beyond 2^53). */
export function encodeDeltaToken(token: DeltaToken, offset = 0n): string {
  const d = new Date(token.issuedMs);
  const date = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${offset === 0n ? token.version : BigInt(token.version) + offset}!${date} ${time}`;
}

/** Parses a token (its wire version less `offset`); undefined when malformed or below the offset. */
export function decodeDeltaToken(text: string, offset = 0n): DeltaToken | undefined {
  const m = /^(\d{1,20})!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [mo, d, y, h, mi, s] = m.slice(2).map(Number) as [number, number, number, number, number, number];
  const issuedMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const version = BigInt(m[1]!) - offset;
  if (Number.isNaN(issuedMs) || version < 0n || version > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { version: Number(version), issuedMs };
}
