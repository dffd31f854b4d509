/**
 * Key material kept in the state directory and reused across starts: the self-signed TLS certificate
 * (SANs localhost, 127.0.0.1, ::1 and the `--hostname` names; it is its own CA, so clients trust it with
 * NODE_EXTRA_CA_CERTS or by passing it as `ca`) and the RSA key that signs tokens (so tokens survive a restart).
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** Files and keys the simulator uses. */
export interface TlsMaterial {
  readonly certPath: string;
  readonly cert: string;
  readonly key: string;
  readonly signingKey: KeyObject;
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function usable(certPem: string, nowMs: number, hostnames: readonly string[]): boolean {
  try {
    const x = new X509Certificate(certPem);
    const ok = Date.parse(x.validTo) > nowMs + 7 * 86_400_000;
    const names = (x.subjectAltName ?? '').split(', ');
    return ok && names.includes('IP Address:127.0.0.1') && ['localhost', ...hostnames].every((h) => names.includes(`DNS:${h}`));
  } catch {
    return false;
  }
}

/**
 * Loads the certificate and keys from `stateDir`, creating them on first use, when expired, or when the certificate
 * lacks one of `hostnames` (extra DNS names, e.g. `contoso.crm.dynamics.com`).
 */
export async function loadTlsMaterial(stateDir: string, nowMs: number, hostnames: readonly string[] = []): Promise<TlsMaterial> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const certPath = join(stateDir, 'cert.pem');
  const keyPath = join(stateDir, 'key.pem');
  const signingPath = join(stateDir, 'token-signing-key.pem');
  let cert = await readIfExists(certPath);
  let key = await readIfExists(keyPath);
  if (!cert || !key || !usable(cert, nowMs, hostnames)) {
    const pems = await generate([{ name: 'commonName', value: 'dynsync Dataverse simulator' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(nowMs - 86_400_000),
      notAfterDate: new Date(nowMs + 5 * 365 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [{ type: 2 as const, value: 'localhost' }, ...hostnames.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: '127.0.0.1' }, { type: 7 as const, ip: '::1' }],
        },
      ],
    });
    cert = pems.cert;
    key = pems.private;
    // each file replaced whole (rename), so a simulator starting meanwhile never reads half a file
    await writeAtomic(keyPath, key, 0o600);
    await writeAtomic(certPath, cert, 0o644);
  }
  let signing = await readIfExists(signingPath);
  if (!signing) {
    signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(signingPath, signing, { mode: 0o600 });
  }
  return { certPath, cert, key, signingKey: createPrivateKey(signing) };
}
