import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { status, up } from '../../infra/local/stack.ts';
import { runDir } from '../../infra/local/settings.ts';
import { runningPid } from '../../infra/local/process.ts';

// Only meaningful when the tests run on the servers of `npm run infra:up` (not env-given or testcontainers).
describe.runIf(inject('serversFrom') === 'local')('infra:up', () => {
  const quiet = () => {};

  it('is a no-op when everything runs', async () => {
    const { outcomes } = await up(quiet);
    expect(outcomes).toEqual({ kafka: 'reused', apicurio: 'reused', ferretdb: 'reused' });
  });

  it('restarts a server killed with -9 and reuses the others', async () => {
    const pid = Number(readFileSync(join(runDir('ferretdb'), 'server.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && runningPid(runDir('ferretdb'), 'ferretdb-runner') !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    const { outcomes } = await up(quiet);
    expect(outcomes).toEqual({ kafka: 'reused', apicurio: 'reused', ferretdb: 'started' });
    const ferret = (await status()).find((s) => s.name === 'ferretdb')!;
    expect(ferret.healthy).toBe(true);
    expect(ferret.pid).not.toBe(pid);
  });
});
