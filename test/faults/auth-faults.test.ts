/**
 * Case 6: OAuth trouble mid-run. Access tokens that expire during a run (a short token lifetime, so tokens are
 * renewed through the refresh token while windows are read, plus every issued access token revoked mid-run, which
 * Dataverse answers with 401) must not lose anything. A revoked refresh token (consent withdrawn) must stop the run
 * with a clear error, AUTH_CONSENT_REVOKED, without the services hammering Entra or Dataverse; after a new
 * `dynsync connect` the next run works again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches } from '../../harness/ground-truth.ts';
import { FaultPipeline, sleep } from './support/fault-pipeline.ts';

const TABLES = ['account', 'contact', 'opportunity'];

interface Stats {
  requests: { requests: number; dataRequests: number; entraRequests: number; unauthorized: number; tokenGrants: Record<string, number> };
}

describe('token expiry and revoked consent', () => {
  let p: FaultPipeline;
  let conn: string;
  const stats = async () => (await p.ctl<Stats>('/stats')).requests;

  beforeAll(async () => {
    // msal renews a token 5 minutes before it expires: a 310 s lifetime means a renewal every ~10 s
    p = await FaultPipeline.start({ tag: 'auth', tables: TABLES, rows: 1500, simulator: { tokenLifetimeSeconds: 310 } });
    conn = await p.connect();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('case 6a: tokens expiring and access tokens revoked mid-run: the run completes and nothing is lost', async () => {
    const before = await stats();
    const run = await p.run(conn, 'full', async (started) => {
      await started;
      await sleep(1000);
      await p.ctl('/revoke', 'POST', { accessTokens: true });
      p.say('every issued access token revoked');
    });
    const after = await stats();
    const renewals = (after.tokenGrants['refresh_token:ok'] ?? 0) - (before.tokenGrants['refresh_token:ok'] ?? 0);
    p.say(`token renewals during the run: ${renewals}; 401 answers: ${after.unauthorized - before.unauthorized}`);
    expect(run.status, p.lines.join('\n')).toBe('loaded');
    expect(renewals).toBeGreaterThan(0);
    expect((await p.verify(conn)).filter((v) => !matches(v)), p.lines.join('\n')).toEqual([]);
    expect((await p.watermarks(conn)).flatMap((c) => c.violations)).toEqual([]);
    expect(p.crashes()).toEqual([]);
  });

  it('case 6b: a refresh token revoked mid-run fails the run with AUTH_CONSENT_REVOKED, without a hot loop', async () => {
    const marksBefore = await p.watermarks(conn);
    // slow Dataverse answers (small tables are read in one request each): the revocation lands mid-run
    await p.ctl('/faults', 'POST', { latencyMs: 1000 });
    const run = await p.run(conn, 'full', async (started) => {
      await started;
      await sleep(500);
      await p.ctl('/revoke', 'POST', { accessTokens: true, refreshTokens: true });
      p.say('access and refresh tokens revoked');
    });
    await p.ctl('/faults', 'DELETE');
    expect(run.status, p.lines.join('\n')).toBe('failed');
    expect(run.error?.code).toBe('AUTH_CONSENT_REVOKED');
    expect(run.error?.message).toMatch(/dynsync connect/);
    // no hot loop: once the run failed, the services stop asking Entra and Dataverse
    await sleep(2000);
    const s1 = await stats();
    await sleep(10_000);
    const s2 = await stats();
    p.say(`in the 10 s after the failure: ${s2.entraRequests - s1.entraRequests} Entra and ${s2.dataRequests - s1.dataRequests} Dataverse requests`);
    expect(s2.entraRequests - s1.entraRequests).toBeLessThanOrEqual(2);
    expect(s2.dataRequests - s1.dataRequests).toBeLessThanOrEqual(2);
    expect(p.crashes()).toEqual([]);
    // the failed run moved no watermark of a table it did not complete (coordinator README: "the tables not
    // complete keep their watermark"); a table whose every window completed before the revocation took effect
    // has its watermark at the run's T0
    const marksAfter = await p.watermarks(conn);
    const completed = new Set(Object.entries(run.tables).filter(([, t]) => t.completedAt).map(([table]) => table));
    p.say(`tables the failed run completed: ${[...completed].join(', ') || 'none'}`);
    expect(completed.size, 'the revocation came after every table completed').toBeLessThan(Object.keys(run.tables).length);
    const expected = marksBefore.map((m) => (completed.has(m.table) ? run.runStart.getTime() : m.watermark?.getTime()));
    expect(marksAfter.map((m) => m.watermark?.getTime())).toEqual(expected);
    expect(marksAfter.flatMap((c) => c.violations)).toEqual([]);
  });

  it('case 6c: after a new consent (dynsync connect again) the next run works', async () => {
    await p.cli(['connect', '--name', conn, '--org', p.sim.orgUrl, '--tenant', p.sim.tenantId, '--client-id', p.sim.clientId,
      '--client-secret', p.sim.clientSecret, '--flow', 'delegated', '--auto-consent', '--tables', TABLES.join(',')]);
    for (const t of TABLES) await p.change(t, 5, 500, 1);
    await p.shiftClock(90);
    const run = await p.run(conn, 'incremental', undefined, 60_000);
    expect(run.status, p.lines.join('\n')).toBe('loaded');
    expect((await p.verify(conn)).filter((v) => !matches(v)), p.lines.join('\n')).toEqual([]);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
