/**
 * Invariant 7 checks for the bad-input suite: finds secrets (client secrets, access and refresh tokens,
 * encryption keys) in captured text (log lines, CLI output, error messages, Kafka messages).
 */

/** The forms of a secret worth looking for: itself, URL-encoded, and each long part of a JWT. */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  for (const part of secret.split('.')) if (part.length >= 16 && part !== secret) forms.add(part);
  return [...forms].filter((f) => f.length >= 8);
}

/** Anything shaped like a JWT (header.payload of base64url JSON): an access or id token. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;
/** Entra-style opaque refresh tokens and authorization codes (`1.AR…`, `1.AS…`, as the simulator issues them). */
const OPAQUE_TOKEN = /1\.A[RS][A-Za-z0-9_-]{40,}/;

/**
 * The secrets of `secrets` found in `text` (as `secret #n` so the report itself leaks nothing), plus `jwt` or
 * `refresh token or code` when a token-shaped string appears. Empty when clean.
 */
export function findSecrets(text: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  secrets.forEach((s, n) => {
    if (formsOf(s).some((f) => text.includes(f))) found.push(`secret #${n}`);
  });
  if (JWT.test(text)) found.push('jwt');
  if (OPAQUE_TOKEN.test(text)) found.push('refresh token or code');
  return found;
}
