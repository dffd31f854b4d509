/**
 * The settings `infra:up` prints, as `export` lines, so that `eval "$(npm run -s infra:up)"` hands them to every
 * command the shell starts afterwards.
 */

/** `value` as one shell word: bare when it has only safe characters, else single-quoted. */
export function shellQuoted(value: string): string {
  return value !== '' && /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One `export NAME=value` line per setting. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env).map(([k, v]) => `export ${k}=${shellQuoted(v)}\n`).join('');
}
