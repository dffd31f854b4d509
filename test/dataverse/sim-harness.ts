/**
 * Shared set-up of the Dataverse integration tests: an in-process simulator (port 0, control on), one undici pool
 * trusting its self-signed CA, secrets sealed into the real MongoDB-protocol store, and factories for auth and
 * client instances ("a new instance" = what a restarted process would build).
 */
import type { MongoClient } from 'mongodb';
import { request, type Agent } from 'undici';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../services/simulator/simulator.ts';
import { DataverseAuth, type AuthFlow } from '../../services/dataverse/auth/dataverse-auth.ts';
import { DataverseClient, type DataverseClientOptions } from '../../services/dataverse/client/dataverse-client.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { parseOrgUrl, type OrgTarget } from '../../services/dataverse/org/org-url.ts';
import { EncryptedSecrets } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { testMongo, uniqueName } from '../support/servers.ts';

/** The test key (a real deployment reads DYNSYNC_ENCRYPTION_KEY). */
export const TEST_KEY = { id: '1', key: Buffer.alloc(32, 0x42) };

/** Everything a test needs. */
export interface SimHarness {
  sim: SimulatorHandle;
  org: OrgTarget;
  agent: Agent;
  mongo: MongoClient;
  dbName: string;
  /** A fresh EncryptedSecrets over the shared Mongo collection (like a new process would build). */
  secrets(key?: typeof TEST_KEY): EncryptedSecrets;
  auth(flow: AuthFlow, opts?: { connectionId?: string; clientSecret?: string; secrets?: EncryptedSecrets }): DataverseAuth;
  client(auth: DataverseAuth, opts?: Partial<DataverseClientOptions>): DataverseClient;
  /** Calls the simulator's control API (test-only; not part of the product's Dataverse traffic). */
  control<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** Starts the simulator and connects to MongoDB. */
export async function startHarness(options: SimulatorOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator({ port: 0, control: true, logLevel: 'silent', rows: 300, ...options });
  const org = parseOrgUrl(sim.orgUrl, { allowDevHosts: [sim.orgUrl] });
  const agent = createHttpAgent({ connections: 8, caPem: readCaCertificate(sim.caCertPath) });
  const mongo = await testMongo();
  const dbName = uniqueName('dvsecrets');
  const store = new MongoSecretStore(mongo.db(dbName));
  const h: SimHarness = {
    sim,
    org,
    agent,
    mongo,
    dbName,
    secrets: (key = TEST_KEY) => new EncryptedSecrets(new SecretCipher(key), store),
    auth: (flow, o = {}) =>
      new DataverseAuth({
        connectionId: o.connectionId ?? 'sim',
        org,
        tenantId: sim.tenantId,
        clientId: sim.clientId,
        clientSecret: o.clientSecret ?? sim.clientSecret,
        flow,
        devAuthority: sim.orgUrl,
        dispatcher: agent,
        secrets: o.secrets ?? h.secrets(),
      }),
    client: (auth, o = {}) => new DataverseClient({ org, tokenProvider: auth, dispatcher: agent, retry: { retries: 10, minDelayMs: 50, maxDelayMs: 2000 }, ...o }),
    control: async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
      const res = await request(`${sim.controlUrl}${path}`, {
        method,
        dispatcher: agent,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 400) throw new Error(`control ${method} ${path}: ${res.statusCode} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    close: async () => {
      await mongo.close();
      await agent.close();
      await sim.close();
    },
  };
  return h;
}

/**
 * The browser step of the authorization-code flow: GETs the authorize URL (the simulator auto-consents) and
 * returns the code and state from the redirect's Location.
 */
export async function followAuthorize(agent: Agent, authorizeUrl: string): Promise<{ code: string; state: string | null }> {
  const res = await request(authorizeUrl, { method: 'GET', dispatcher: agent });
  await res.body.text();
  const location = res.headers.location;
  if (res.statusCode !== 302 || typeof location !== 'string') throw new Error(`authorize did not redirect (${res.statusCode})`);
  const back = new URL(location);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`authorize redirect carries no code: ${back.searchParams.get('error') ?? ''}`);
  return { code, state: back.searchParams.get('state') };
}
