/**
 * Reading the credentials a configuration points at: a secret given inline or in a file (`X_PASSWORD` or
 * `X_PASSWORD_FILE`, the Docker-secrets convention), PEM certificates and private keys. Every problem is a
 * {@link ConfigProblem} naming the variable (never the secret); the caller reports them all at once with
 * `configError`.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigProblem } from './config.ts';

/** Reads a file's text (throws when it cannot); tests pass their own. */
export type ReadText = (path: string) => string;
const readText: ReadText = (path) => readFileSync(path, 'utf8');

function read(path: string, variable: string, problems: ConfigProblem[], reader: ReadText): string | undefined {
  try {
    return reader(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    problems.push({ variable, message: `cannot read ${path} (${code ?? (err as Error).message})` });
    return undefined;
  }
}

/**
 * A secret from `inline` (the value of `variable`) or from the file named by `fileVariable` (one trailing newline
 * stripped). Both set, or the file empty or unreadable, is a problem; neither set is undefined.
 */
export function secretSetting(
  s: { inline: string | undefined; file: string | undefined; variable: string; fileVariable: string },
  problems: ConfigProblem[],
  reader: ReadText = readText,
): string | undefined {
  if (s.inline !== undefined && s.file !== undefined) {
    problems.push({ variable: s.fileVariable, message: `give the secret in ${s.variable} or in ${s.fileVariable}, not both` });
    return undefined;
  }
  if (s.file === undefined) return s.inline;
  const text = read(s.file, s.fileVariable, problems, reader);
  if (text === undefined) return undefined;
  const value = text.replace(/\r?\n$/, '');
  if (value === '') problems.push({ variable: s.fileVariable, message: `${s.file} is empty` });
  return value === '' ? undefined : value;
}

/** PEM certificates from the file named by `variable` (CA bundles may hold several); undefined on a problem. */
export function pemCertificates(path: string, variable: string, problems: ConfigProblem[], reader: ReadText = readText): string | undefined {
  const text = read(path, variable, problems, reader);
  if (text === undefined) return undefined;
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    problems.push({ variable, message: `${path} is not a PEM certificate (no BEGIN CERTIFICATE block)` });
    return undefined;
  }
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch {
      problems.push({ variable, message: `${path} holds a certificate that cannot be parsed` });
      return undefined;
    }
  }
  return text;
}

/** An unencrypted PEM private key from the file named by `variable`; undefined on a problem (never echoing it). */
export function pemPrivateKey(path: string, variable: string, problems: ConfigProblem[], reader: ReadText = readText): string | undefined {
  const text = read(path, variable, problems, reader);
  if (text === undefined) return undefined;
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    problems.push({ variable, message: `${path} is an encrypted private key: give it unencrypted, readable only by the service (mode 0600)` });
    return undefined;
  }
  try {
    createPrivateKey(text);
  } catch {
    problems.push({ variable, message: `${path} is not a PEM private key` });
    return undefined;
  }
  return text;
}
