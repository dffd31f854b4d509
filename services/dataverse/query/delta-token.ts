/**
 * The `$deltatoken` of a change-tracking delta link (pure, reference A5): `<version>!<MM/dd/yyyy HH:mm:ss>` (UTC),
 * the rowversion of the snapshot the link was taken at and the server time it was taken.
 */

/** A decoded delta token. */
export interface DeltaToken {
  version: bigint;
  issuedMs: number;
}

const TOKEN = /^(\d{1,19})!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/** The token of a delta link (`$deltatoken`, URL-decoded), or null when it is absent or not in Dataverse's form. */
export function parseDeltaToken(link: string): DeltaToken | null {
  let raw: string | null;
  try {
    raw = new URL(link, 'https://x.invalid/').searchParams.get('$deltatoken');
  } catch {
    return null;
  }
  const m = raw === null ? null : TOKEN.exec(raw.trim());
  if (!m) return null;
  const [mo, d, y, h, mi, s] = m.slice(2).map(Number) as [number, number, number, number, number, number];
  const issuedMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(issuedMs);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return { version: BigInt(m[1]!), issuedMs };
}
