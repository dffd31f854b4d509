/**
 * The undici connection pool shared by the Dataverse client and the OAuth network client of one process: keep-alive
 * pooling with a bounded number of connections per origin, and an optional extra CA certificate (the simulator's
 * self-signed certificate) so no process-wide NODE_EXTRA_CA_CERTS is needed. The services trust that certificate
 * only for the development origins (`caOrigins`): a real Dataverse or Entra host is verified against the system's
 * roots alone, whatever the extra certificate could sign.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, Pool } from 'undici';
import { SyncError } from '../../shared/errors.ts';

/** Pool options. */
export interface HttpAgentOptions {
  /** Most connections per origin (the pool); requests beyond it queue in undici. */
  connections: number;
  /** PEM CA certificate(s) to trust in addition to the system roots (dev/simulator only). */
  caPem?: string | undefined;
  /**
   * The exact origins (`https://127.0.0.1:8443`) for which `caPem` is trusted; every other origin is verified
   * against the system's roots only. Unset: `caPem` is trusted for every origin (test tools talking to a simulator).
   */
  caOrigins?: readonly string[] | undefined;
  /** Idle keep-alive sockets are closed after this long. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** TCP + TLS connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
}

/** Creates the pool. Close it with `agent.close()` at shutdown. */
export function createHttpAgent(opts: HttpAgentOptions): Agent {
  const base = { connections: opts.connections, keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000, connectTimeout: opts.connectTimeoutMs ?? 10_000 };
  if (opts.caPem === undefined) return new Agent({ ...base, connect: {} });
  // Node's `ca` replaces the default roots, so keep them: the extra CA is added, not substituted.
  const ca = [...rootCertificates, opts.caPem];
  if (opts.caOrigins === undefined) return new Agent({ ...base, connect: { ca } });
  const trusted = new Set(opts.caOrigins.map((o) => new URL(o).origin));
  return new Agent({
    ...base,
    // one pool per origin: only the trusted origins' pools carry the extra CA
    factory: (origin, options) => {
      const connect = (options as { connect?: object }).connect ?? {};
      return new Pool(origin, { ...options, connect: trusted.has(new URL(String(origin)).origin) ? { ...connect, ca } : connect });
    },
  });
}

/** Reads a PEM CA certificate file; CONFIG_INVALID naming the path when it cannot be read or is not PEM. */
export function readCaCertificate(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SyncError('CONFIG_INVALID', `cannot read the CA certificate file ${path}`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SyncError('CONFIG_INVALID', `${path} is not a PEM certificate (no BEGIN CERTIFICATE line)`);
  }
  return pem;
}
