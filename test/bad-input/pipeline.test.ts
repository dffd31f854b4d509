/**
 * Bad input against ONE running pipeline (two simulated organisations, coordinator, extractor and loader as
 * processes): malformed and unknown commands (group 3), malformed Dataverse payloads and an access token expiring
 * mid-run (groups 2 and 4), then the security checks (group 6). Both organisations are synced first; after each
 * bad input MongoDB must still equal the simulator's ground truth (nothing already synced is lost).
 */
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../harness/service-process.ts';
import { matches } from '../../harness/ground-truth.ts';
import { createRegistry } from '../../services/shared/registry.ts';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';
import { servers } from '../support/servers.ts';
import { startPipeline, type Org, type Pipeline } from './pipeline-harness.ts';
import { findSecrets } from './secret-scan.ts';
import { COMMANDS_TOPIC, DLQ_TOPIC, tableTopic } from '../../services/contracts/topic-names.ts';

let p: Pipeline;
const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

/** Every table of `org` equals the simulator (waiting up to 60 s for the loader). */
async function expectSameAsSource(org: Org): Promise<void> {
  let verdicts = await p.verify(org);
  for (let i = 0; i < 60 && verdicts.some((v) => !matches(v)); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    verdicts = await p.verify(org);
  }
  expect(verdicts.filter((v) => !matches(v)), JSON.stringify(verdicts)).toEqual([]);
  expect(verdicts.reduce((n, v) => n + v.stored, 0)).toBeGreaterThan(100);
}

/** The dead letters (on sync.dlq) of a source message or of a table's rows. */
const deadLetters = (match: (m: KafkaMessage) => boolean) => p.tailed.filter((t) => t.topic === DLQ_TOPIC && match(t.message)).map((t) => t.message);

beforeAll(async () => {
  p = await startPipeline();
  await Promise.all([p.sync(p.a, 'full'), p.sync(p.b, 'full')]);
}, 180_000);

afterAll(async () => {
  await p?.close();
});

describe('baseline', () => {
  it('both organisations are synced and MongoDB equals each simulator', async () => {
    await expectSameAsSource(p.a);
    await expectSameAsSource(p.b);
  });
});

describe('malformed and unknown commands on sync.commands', () => {
  const conn = () => p.a.connection;
  it.each<[string, string, RegExp, () => [string | null, string | null]]>([
    ['truncated JSON', 'COMMAND_INVALID', /command is not JSON \(syntax error at character \d+/, () => [conn(), `{"kind":"refresh","connection":"${conn()}"`]],
    ['an unknown kind', 'COMMAND_INVALID', /kind: Invalid option: expected one of "refresh"\|"full-resync"/, () => [conn(), JSON.stringify({ kind: 'purge', connection: conn(), requestedBy: 'ops' })]],
    ['wrong field types', 'COMMAND_INVALID', /tables: Invalid input: expected array, received string; requestedBy: Invalid input: expected string/, () => [conn(), JSON.stringify({ kind: 'refresh', connection: conn(), tables: 'account', requestedBy: 7 })]],
    ['an unknown field', 'COMMAND_INVALID', /unknown field "table"/, () => [conn(), JSON.stringify({ kind: 'refresh', connection: conn(), table: ['account'], requestedBy: 'ops' })]],
    ['a key that is not its connection', 'COMMAND_INVALID', /command key "[^"]+" must equal its connection/, () => [p.b.connection, JSON.stringify({ kind: 'refresh', connection: conn(), requestedBy: 'ops' })]],
    ['a huge payload (500 KB)', 'COMMAND_INVALID', /requestedBy: Too big: expected string to have <=200 characters/, () => [conn(), JSON.stringify({ kind: 'refresh', connection: conn(), requestedBy: 'x'.repeat(500_000) })]],
    ['a null value', 'COMMAND_INVALID', /command has no value/, () => [conn(), null]],
    ['an unknown connection', 'CONNECTION_NOT_FOUND', /connection "nosuch-connection-zz" does not exist: create it with `dynsync connect --name nosuch-connection-zz/, () => ['nosuch-connection-zz', JSON.stringify({ kind: 'refresh', connection: 'nosuch-connection-zz', requestedBy: 'ops' })]],
  ])('%s: logged and sent to sync.dlq with %s and the reason; the coordinator keeps running', async (_name, code, reason, make) => {
    const [key, value] = make();
    const at = await p.command(key, value);
    const logged = await eventually(async () =>
      p.services.coordinator.logs.find((l) => String(l.offset) === at.offset && l.partition === at.partition && String(l.msg).startsWith('command rejected to sync.dlq:')),
    30_000);
    expect(logged.code).toBe(code);
    expect(String(logged.msg)).toMatch(reason);
    const letters = await eventually(async () => {
      const found = deadLetters((m) => header(m, 'dlq-source-topic') === COMMANDS_TOPIC && header(m, 'dlq-source-offset') === at.offset && header(m, 'dlq-source-partition') === String(at.partition) && header(m, 'dlq-error-code') === code);
      return found.length > 0 && found;
    }, 30_000);
    expect(header(letters[0]!, 'dlq-error-message')).toMatch(reason);
    expect(header(letters[0]!, 'dlq-service')).toBe('coordinator');
    expect(p.services.coordinator.child.exitCode).toBeNull();
  });

  it('an unknown table: the request is logged as naming no table of the connection and dropped; nothing runs', async () => {
    const at = await p.command(conn(), JSON.stringify({ kind: 'full-resync', connection: conn(), tables: ['nosuchtable'], requestedBy: 'ops' }));
    const skipped = await eventually(async () => p.services.coordinator.logs.find((l) => JSON.stringify(l.missing) === '["nosuchtable"]' && String(l.runId).endsWith(`c${at.partition}o${at.offset}`)), 30_000);
    expect(skipped.msg).toBe('requested tables are not selected for this connection or do not exist; skipped');
    await eventually(async () => p.services.coordinator.logs.find((l) => l.runId === skipped.runId && l.msg === 'run request has no table to sync; dropped'), 30_000);
    expect(await p.mongo.db(p.stateDb).collection('runs').countDocuments({ _id: skipped.runId as never })).toBe(0);
  });

  it('after every bad command a valid refresh still runs to completion and nothing synced is lost', async () => {
    const run = await p.sync(p.a, 'incremental');
    expect(['completed', 'loaded']).toContain(run.status);
    await expectSameAsSource(p.a);
  });
});

describe('malformed Dataverse payloads and an access token expiring mid-run', () => {
  let ids: string[];
  let runA: { runId: string; status: string; records: number };
  let unauthorizedBefore: number;
  const faults = () => [
    { name: 'a value of the wrong type (money as text)', id: ids[10]!, set: { revenue: 'lots' }, dlq: /Cannot map Dataverse row \(table account, record [0-9a-f-]{36}, column revenue\)/ },
    { name: 'a number column holding an object', id: ids[11]!, set: { numberofemployees: { value: 5 } }, dlq: /column numberofemployees\)/ },
    { name: 'an impossible modifiedon', id: ids[12]!, set: { modifiedon: '2026-13-45T25:61:00Z' }, dlq: /row of account has no valid modifiedon/ },
    { name: 'an invalid date in a date column', id: ids[13]!, set: { lastusedincampaign: 'last tuesday' }, dlq: /column lastusedincampaign\)/ },
    { name: 'a missing primary id', id: ids[14]!, unset: ['accountid'], dlq: /Cannot map Dataverse row \(table account, column accountid\): primary id missing/ },
    { name: 'a huge string (30,000 characters in a 2,000-character column)', id: ids[15]!, set: { description: 'x'.repeat(30_000) }, dlq: null },
    { name: 'an unknown column', id: ids[16]!, set: { new_surprise: 'not in the metadata' }, dlq: null },
  ];

  beforeAll(async () => {
    ids = await p.ids(p.a, 'account');
    await p.a.control('POST', '/faults', { rowFaults: faults().map(({ id, set, unset }) => ({ table: 'account', id, ...(set ? { set } : {}), ...(unset ? { unset } : {}) })), truncateNext: 3, truncateMode: 'reset' });
    await p.b.control('POST', '/faults', { truncateNext: 3, truncateMode: 'short' });
    unauthorizedBefore = (await p.a.control<{ requests: { unauthorized: number } }>('GET', '/stats')).requests.unauthorized;
    // every access token the pipeline holds for A stops working now: the next calls get 401 and must refresh
    await p.a.control('POST', '/revoke', { accessTokens: true });
    [runA] = await Promise.all([p.extract(p.a, ['account']), p.sync(p.b, 'full')]);
    await Promise.all([p.a.control('DELETE', '/faults'), p.b.control('DELETE', '/faults')]);
  }, 150_000);

  it.each([0, 1, 2, 3, 4])('unmappable row %#: sent to sync.dlq with RECORD_INVALID and the reason, the window continues', (n) => {
    const f = faults()[n]!;
    const letters = deadLetters((m) => header(m, 'run-id') === runA.runId && header(m, 'dlq-error-code') === 'RECORD_INVALID' && (f.unset !== undefined || (m.value?.toString() ?? '').includes(f.id)) && f.dlq!.test(header(m, 'dlq-error-message') ?? ''));
    expect(letters.length, `${f.name}: ${JSON.stringify(deadLetters((m) => header(m, 'run-id') === runA.runId).map((m) => header(m, 'dlq-error-message')))}`).toBeGreaterThanOrEqual(1);
    expect(header(letters[0]!, 'source-table')).toBe('account');
    expect(header(letters[0]!, 'dlq-service')).toBe('extractor');
  });

  it.each([5, 6])('acceptable oddity %#: the row is synced, not dead-lettered', (n) => {
    const f = faults()[n]!;
    expect(deadLetters((m) => header(m, 'run-id') === runA.runId && (m.value?.toString() ?? '').includes(f.id))).toEqual([]);
  });

  it('the run completed with every other row: 5 dead letters, the rest extracted', async () => {
    expect(['completed', 'loaded']).toContain(runA.status);
    expect(runA.records).toBe(ids.length - 5);
    expect(p.services.extractor.logs.some((l) => l.msg === 'rows sent to the DLQ' && l.table === 'account')).toBe(true);
  });

  it('truncated pages (connection reset, and a complete 200 with cut JSON) were retried: both organisations complete', async () => {
    for (const org of [p.a, p.b]) {
      const stats = await org.control<{ requests: { injectedFaults: number } }>('GET', '/stats');
      expect(stats.requests.injectedFaults).toBeGreaterThanOrEqual(3);
    }
    expect(p.services.extractor.child.exitCode).toBeNull();
  });

  it('the expired access token was refreshed mid-run (401s seen, run completed)', async () => {
    const stats = await p.a.control<{ requests: { unauthorized: number } }>('GET', '/stats');
    expect(stats.requests.unauthorized).toBeGreaterThan(unauthorizedBefore);
    expect(['completed', 'loaded']).toContain(runA.status);
  });

  it('nothing already synced is lost: MongoDB still equals both simulators (dead-lettered rows keep their stored version)', async () => {
    await expectSameAsSource(p.a);
    await expectSameAsSource(p.b);
  });
});

// A command just under the broker's 1 MiB limit is accepted on sync.commands, but a dead-letter copy of the same bytes
// plus the dlq-* headers would be over it: the dead letter keeps the first 64 KiB (original length in
// dlq-value-truncated) and the partition keeps flowing (Invariant 6).
describe('a command too big to be copied to sync.dlq', () => {
  it('a 1,048,200-byte command is still dead-lettered and the coordinator keeps flowing', async () => {
    // 1,048,2xx bytes: fits the broker's 1,048,588-byte limit alone, not with the dlq-* headers added
    const value = JSON.stringify({ kind: 'refresh', connection: p.a.connection, requestedBy: 'x'.repeat(1_048_150) });
    const at = await p.command(p.a.connection, value);
    await eventually(async () => deadLetters((m) => header(m, 'dlq-source-offset') === at.offset && header(m, 'dlq-source-partition') === String(at.partition) && header(m, 'dlq-service') === 'coordinator' && header(m, 'dlq-value-truncated') === String(Buffer.byteLength(value))).length > 0, 20_000);
  }, 40_000);
});

describe('security checks', () => {
  const secrets = () => [p.a.sim.clientSecret, p.b.sim.clientSecret, p.key.toString('base64'), p.key.toString('hex'), p.key.toString('base64url')];
  const mine = (text: string) => text.includes(p.a.connection) || text.includes(p.b.connection);
  const asText = (m: KafkaMessage) => [m.key?.toString('latin1') ?? '', m.value?.toString('latin1') ?? '', ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`)].join(' ');

  it('Dataverse saw no write from the pipeline (non-GET counter 0 on both organisations)', async () => {
    for (const org of [p.a, p.b]) expect((await org.control<{ count: number }>('GET', '/non-get')).count).toBe(0);
  });

  it('no secret (client secret, access or refresh token, encryption key) in any captured log line or CLI output', () => {
    const text = p.allOutput();
    expect(text.length).toBeGreaterThan(10_000);
    expect(findSecrets(text, secrets())).toEqual([]);
  });

  it('no secret in any control, command or dead-letter message of the test connections, nor in stored run errors', async () => {
    const texts = p.tailed.map((t) => asText(t.message)).filter(mine);
    expect(texts.length).toBeGreaterThan(10);
    expect(findSecrets(texts.join('\n'), secrets())).toEqual([]);
    const runs = await p.mongo.db(p.stateDb).collection('runs').find({}).toArray();
    expect(findSecrets(JSON.stringify(runs), secrets())).toEqual([]);
  });

  it('no secret in the table topics, and two connections never see each other\'s data', async () => {
    // both organisations use the same ids (ids depend on the table, not the seed), with different contents
    const truth = { a: await within(p.accountNames(p.a), 'truth of A'), b: await within(p.accountNames(p.b), 'truth of B') };
    const differing = [...truth.a].filter(([id, name]) => truth.b.has(id) && truth.b.get(id) !== name);
    expect(differing.length).toBeGreaterThan(100);
    for (const [org, own] of [[p.a, truth.a], [p.b, truth.b]] as const) {
      const records = await within(readRecords(tableTopic(org.connection, 'account')), `records of ${org.connection}`);
      expect(new Set(records.map((r) => r.accountid)).size).toBe(own.size);
      expect(records.filter((r) => own.get(String(r.accountid)) !== r.name && String(r.name).length < 1000).map((r) => r.accountid)).toEqual([]);
      const docs = await within(p.mongo.db(`dynsync_${org.connection}`).collection('account').find({ '_sync.deleted': { $ne: true } }, { projection: { name: 1 } }).toArray(), `documents of ${org.connection}`);
      expect(docs.length).toBe(own.size);
      expect(docs.filter((d) => own.get(String(d._id)) !== d.name).map((d) => d._id)).toEqual([]);
    }
  });
});

/** `promise`, or an error naming `what` after 30 s (so a hang says where it is). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within 30 s`)), 30_000)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every record of a table topic (tailed since the pipeline started), decoded with the registry; checks for secrets. */
async function readRecords(topic: string): Promise<Record<string, unknown>[]> {
  const registry = createRegistry(servers.registryAccess(), { logicalTypes: avroLogicalTypes });
  const messages = p.tailed.filter((t) => t.topic === topic).map((t) => t.message);
  expect(findSecrets(messages.map((m) => [m.key?.toString('latin1'), m.value?.toString('latin1'), JSON.stringify(m.headers)].join(' ')).join('\n'), [p.a.sim.clientSecret, p.b.sim.clientSecret, p.key.toString('base64'), p.key.toString('hex')])).toEqual([]);
  const out: Record<string, unknown>[] = [];
  for (const m of messages) if (m.value) out.push((await registry.decode(m.value)) as Record<string, unknown>);
  return out;
}
