/**
 * The reconciliation's existence check (services/coordinator/dataverse-access.ts) against the simulator: ids
 * Dataverse returns exist, ids it does not return are gone, and an answer holding a row without its primary id
 * (a malformed payload) deletes nothing (Invariant 8). The bad-input suite lost a row to this once: its check ran
 * while the simulator served that row without `accountid`.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MongoClient } from 'mongodb';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { DEFAULT_SCHEDULE, type Connection } from '../../services/dataverse/connections/connection.ts';
import { dataverseRuntimeSchema } from '../../services/dataverse/connections/runtime-config.ts';
import { saveClientSecret } from '../../services/dataverse/auth/stored-client-secret.ts';
import { EncryptedSecrets } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { createDataverseAccess, type DataverseAccess } from '../../services/coordinator/dataverse-access.ts';
import type { Logger } from '../../services/shared/log.ts';
import { testMongo, uniqueName } from '../support/servers.ts';
import { trustCertificate } from '../../harness/sim-fixture.ts';

const KEY = Buffer.alloc(32, 0x29);
const stateDb = uniqueName('delcheck');

describe('delete check of a reconciliation', () => {
  let sim: SimulatorHandle;
  let mongo: MongoClient;
  let access: DataverseAccess;
  let connection: Connection;
  let ids: string[];
  const log = { warn: vi.fn(), info: vi.fn(), debug: vi.fn(), error: vi.fn(), child: () => log };
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, control: true, rows: 20, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-test-state') });
    trustCertificate(sim.caCertPath);
    mongo = await testMongo();
    const now = new Date();
    connection = { id: 'delcheck', orgUrl: sim.orgUrl, tenantId: sim.tenantId, clientId: sim.clientId, flow: 'client-credentials', tables: ['account'], schedule: { ...DEFAULT_SCHEDULE }, createdAt: now, updatedAt: now };
    const connections = new ConnectionStore(mongo.db(stateDb));
    await connections.put(connection);
    const secrets = new EncryptedSecrets(new SecretCipher({ id: '1', key: KEY }), new MongoSecretStore(mongo.db(stateDb)));
    await saveClientSecret(secrets, connection, sim.clientSecret);
    const config = dataverseRuntimeSchema.parse({ DYNSYNC_DEV_ORIGINS: sim.orgUrl, DYNSYNC_DEV_CA_PATH: sim.caCertPath, DYNSYNC_ENCRYPTION_KEY: KEY.toString('base64'), DYNSYNC_STATE_DB: stateDb });
    access = createDataverseAccess({ connections, secrets, config, log: log as unknown as Logger });
    ids = [];
    for (let i = 0; i < 3; i++) {
      const res = await control('POST', '/tables/account/rows', { values: { name: `delete check ${i}` } });
      ids.push(((await res.json()) as { accountid: string }).accountid);
    }
  });

  afterAll(async () => {
    await access?.close();
    await Promise.allSettled([mongo?.close(), sim?.close()]);
  });

  it('ids Dataverse returns exist; an id it does not return is gone', async () => {
    const gone = randomUUID();
    expect(await access.existingIds(connection, 'account', [ids[0]!, ids[1]!, gone])).toEqual(new Set([ids[0], ids[1]]));
  });

  it('an answer with a row missing its primary id deletes nothing of the batch, with a warning', async () => {
    const gone = randomUUID();
    await control('POST', '/faults', { rowFaults: [{ table: 'account', id: ids[1], unset: ['accountid'] }] });
    try {
      expect(await access.existingIds(connection, 'account', [ids[0]!, ids[1]!, gone])).toEqual(new Set([ids[0], ids[1], gone]));
      expect(log.warn).toHaveBeenCalledWith({ connection: 'delcheck', table: 'account', rows: 1 }, 'delete check: Dataverse returned rows without their primary id; no row of this batch is treated as deleted');
    } finally {
      await control('DELETE', '/faults');
    }
  });
});
