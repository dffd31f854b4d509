/**
 * Avro names for tables, columns and connections. An Avro name matches `[A-Za-z_][A-Za-z0-9_]*`; a namespace is
 * dot-separated names. Dataverse logical names (`[a-z][a-z0-9_]*`) are already valid and pass through unchanged;
 * anything else is sanitised: each invalid character becomes `_`, and a leading digit (or an empty name) gets a
 * `_` prefix. Sanitising is not injective (`my-conn` and `my_conn` give the same name); names only label schemas,
 * topics and subjects carry the identity.
 */

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a valid Avro (simple) name. */
export function isAvroName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** A valid Avro name derived from `text` (unchanged when already valid). */
export function avroName(text: string): string {
  const replaced = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(replaced) ? replaced : `_${replaced}`;
}

/** A valid Avro namespace from dot-separated `text`: each part sanitised with {@link avroName}, empty parts dropped. */
export function avroNamespace(text: string): string {
  return text
    .split('.')
    .filter((part) => part !== '')
    .map(avroName)
    .join('.');
}
