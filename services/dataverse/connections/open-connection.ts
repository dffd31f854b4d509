/**
 * Turns a stored connection into a working, read-only Dataverse client: validates the org URL again (the dev
 * origins admit the simulator), loads the sealed client secret, builds the OAuth provider with the encrypted
 * token cache and the undici pool (trusting the simulator's CA in development only).
 */
import type { Agent } from 'undici';
import type { Logger } from '../../shared/log.ts';
import { DataverseAuth } from '../auth/dataverse-auth.ts';
import { loadClientSecret } from '../auth/stored-client-secret.ts';
import type { ClientMetrics } from '../client/client-metrics.ts';
import { DataverseClient } from '../client/dataverse-client.ts';
import { createHttpAgent, readCaCertificate } from '../client/http-agent.ts';
import { parseOrgUrl, type OrgTarget } from '../org/org-url.ts';
import type { EncryptedSecrets } from '../secrets/encrypted-secrets.ts';
import type { Connection } from './connection.ts';
import type { DataverseRuntimeConfig } from './runtime-config.ts';

/** An open connection. */
export interface OpenConnection {
  connection: Connection;
  org: OrgTarget;
  auth: DataverseAuth;
  client: DataverseClient;
  agent: Agent;
  close(): Promise<void>;
}

/** The org target of a connection under this runtime's dev settings. */
export function orgOf(orgUrl: string, config: Pick<DataverseRuntimeConfig, 'DYNSYNC_DEV_ORIGINS'>): OrgTarget {
  return parseOrgUrl(orgUrl, { allowDevHosts: config.DYNSYNC_DEV_ORIGINS });
}

/** Builds the undici pool for Dataverse and Entra, with the dev CA trusted for the dev origins only (when configured). */
export function dataverseAgent(config: Pick<DataverseRuntimeConfig, 'DATAVERSE_MAX_CONNECTIONS' | 'DYNSYNC_DEV_CA_PATH' | 'DYNSYNC_DEV_ORIGINS'>): Agent {
  return createHttpAgent({
    connections: config.DATAVERSE_MAX_CONNECTIONS,
    caPem: config.DYNSYNC_DEV_CA_PATH ? readCaCertificate(config.DYNSYNC_DEV_CA_PATH) : undefined,
    caOrigins: config.DYNSYNC_DEV_ORIGINS,
  });
}

/** Opens `connection`: secrets are read now, tokens are acquired on the first request. */
export async function openConnection(
  connection: Connection,
  deps: { config: DataverseRuntimeConfig; secrets: EncryptedSecrets; log?: Logger; agent?: Agent; metrics?: ClientMetrics },
): Promise<OpenConnection> {
  const { config, secrets } = deps;
  const org = orgOf(connection.orgUrl, config);
  const agent = deps.agent ?? dataverseAgent(config);
  const auth = new DataverseAuth({
    connectionId: connection.id,
    org,
    tenantId: connection.tenantId,
    clientId: connection.clientId,
    clientSecret: await loadClientSecret(secrets, connection),
    flow: connection.flow,
    devAuthority: org.cloud === 'dev' ? (config.DYNSYNC_DEV_AUTHORITY ?? org.orgUrl) : undefined,
    dispatcher: agent,
    secrets,
    log: deps.log,
  });
  const client = new DataverseClient({
    org,
    tokenProvider: auth,
    dispatcher: agent,
    maxConcurrency: config.DATAVERSE_MAX_CONCURRENCY,
    requestTimeoutMs: config.DATAVERSE_REQUEST_TIMEOUT_MS,
    retry: { retries: config.DATAVERSE_RETRIES, minDelayMs: 200, maxDelayMs: 15_000 },
    metrics: deps.metrics,
  });
  return { connection, org, auth, client, agent, close: async () => (deps.agent ? undefined : agent.close()) };
}
