/**
 * The local stack's TLS material and credentials, created on first use under the stack's run directory and kept
 * (a second stack, `DYNSYNC_RUN_DIR`, has its own):
 * - `tls/ca.pem`: a CA of its own (10 years), trusted only by clients given it (KAFKA_CA_PATH,
 *   SCHEMA_REGISTRY_CA_PATH), never system-wide; its key `tls/ca-key.pem` signs the certificates below;
 * - `tls/server.pem` + `tls/server-key.pem` (and both in `tls/server-keystore.pem`, Kafka's PEM key store): the
 *   certificate of the brokers and the registry, for 127.0.0.1, ::1 and localhost (2 years, renewed a month before);
 * - `tls/client-dynsync-ops-cert.pem` + key: a client certificate whose subject is the principal
 *   `dynsync-ops-cert` (Kafka's mutual-TLS listener);
 * - `credentials/kafka-<user>.password`: random passwords of the Kafka users, `credentials/registry-<user>.password`
 *   the registry's.
 * Keys and passwords are files of mode 0600 in directories of mode 0700.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { tlsDir } from './settings.ts';

/** The subject (CN) of the mutual-TLS client certificate, and so its principal. */
export const MTLS_PRINCIPAL = 'dynsync-ops-cert';

/** Paths of the TLS material. */
export interface TlsFiles {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
  keystore: string;
  clientCert: string;
  clientKey: string;
}

export function tlsFiles(dir = tlsDir()): TlsFiles {
  return {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
    keystore: join(dir, 'server-keystore.pem'),
    clientCert: join(dir, `client-${MTLS_PRINCIPAL}.pem`),
    clientKey: join(dir, `client-${MTLS_PRINCIPAL}-key.pem`),
  };
}

function writePrivate(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path); // whole files only: a server starting meanwhile never reads half a key
}

const DAY_MS = 86_400_000;

/** True when the certificate at `path` exists and stays valid for `marginDays` more. */
function validFor(path: string, marginDays: number, issuer?: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const x = new X509Certificate(readFileSync(path, 'utf8'));
    if (Date.parse(x.validTo) < Date.now() + marginDays * DAY_MS) return false;
    return issuer === undefined || x.checkIssued(new X509Certificate(issuer));
  } catch {
    return false;
  }
}

/**
 * Creates what is missing or about to expire: the CA (a new CA re-issues every certificate), the server certificate,
 * the client certificate. Idempotent; returns the paths.
 */
export async function ensureTlsMaterial(dir = tlsDir()): Promise<TlsFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const f = tlsFiles(dir);
  const now = Date.now();
  let renewed = false;
  if (!validFor(f.ca, 60) || !existsSync(f.caKey)) {
    const ca = await generate([{ name: 'commonName', value: `dynsync local CA ${randomBytes(4).toString('hex')}` }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - DAY_MS),
      notAfterDate: new Date(now + 3650 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    writePrivate(f.caKey, ca.private);
    writePrivate(f.ca, ca.cert, 0o644);
    renewed = true;
  }
  const ca = { cert: readFileSync(f.ca, 'utf8'), key: readFileSync(f.caKey, 'utf8') };
  /** A 2-year leaf certificate for `cn` signed by the CA, with `extra` extensions. */
  const issue = (cn: string, extra: NonNullable<Parameters<typeof generate>[1]>['extensions']) =>
    generate([{ name: 'commonName', value: cn }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - DAY_MS),
      notAfterDate: new Date(now + 730 * DAY_MS),
      ca,
      extensions: [{ name: 'basicConstraints', cA: false, critical: true }, { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }, ...(extra ?? [])],
    });
  if (renewed || !validFor(f.cert, 30, ca.cert) || !existsSync(f.key) || !existsSync(f.keystore)) {
    const server = await issue('localhost', [
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ]);
    writePrivate(f.key, server.private);
    writePrivate(f.cert, `${server.cert.trim()}\n${ca.cert.trim()}\n`, 0o644);
    writePrivate(f.keystore, `${server.private.trim()}\n${server.cert.trim()}\n${ca.cert.trim()}\n`);
  }
  if (renewed || !validFor(f.clientCert, 30, ca.cert) || !existsSync(f.clientKey)) {
    const client = await issue(MTLS_PRINCIPAL, [{ name: 'extKeyUsage', clientAuth: true }]);
    writePrivate(f.clientKey, client.private);
    writePrivate(f.clientCert, client.cert, 0o644);
  }
  return f;
}

/** The password in `path`, created (32 random bytes, base64url) when missing. */
export function ensurePassword(path: string): string {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(path)) writePrivate(path, `${randomBytes(32).toString('base64url')}\n`);
  return readFileSync(path, 'utf8').trim();
}
