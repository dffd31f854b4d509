/**
 * README "Operating it", word for word (issue #21, "Done when"): its first bash block, from a fresh shell whose
 * `node` is the machine's own, reaches a loaded run that `dynsync verify` finds equal to the source. Left out: `npm ci`
 * (this checkout is installed; reinstalling would pull node_modules from under the other tests). Changed only so the
 * run cannot meet anything else on this shared machine: the connection name, the `logs/` directory, and settings in
 * the environment (state DB, consumer groups, each service's connections, ops ports 0).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../harness/service-process.ts';
import { freshShellEnv, repoRoot as root, runShell } from '../support/fresh-shell.ts';
import { uniqueName } from '../support/servers.ts';

/** The first bash block of the README's "Operating it" section. */
function walkthrough(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Operating it'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no bash block in README "Operating it"');
  return block;
}

describe('README "Operating it", word for word', () => {
  it('the walkthrough is the documented one: services by their start commands, a connection, a resync, a wait for loaded, verify', () => {
    const block = walkthrough();
    for (const line of ['npm run -s coordinator', 'npm run -s extractor', 'npm run -s loader', 'npx dynsync resync contoso', 'npx dynsync verify contoso']) expect(block).toContain(line);
  });

  it('reaches a loaded run that dynsync verify finds equal to the source', { timeout: 900_000 }, async () => {
    const connection = uniqueName('walk').replace(/-/g, '');
    const logs = mkdtempSync(join(tmpdir(), 'dynsync-walkthrough-'));
    const script = walkthrough()
      .split('\n')
      .filter((l) => !l.startsWith('npm ci'))
      .join('\n')
      .replaceAll('contoso', connection)
      .replaceAll('./logs/', `${logs}/`)
      .replaceAll('logs/', `${logs}/`)
      .replace('mkdir -p logs', `mkdir -p ${logs}`);
    const isolation = {
      DYNSYNC_STATE_DB: `state_${connection}`,
      COORDINATOR_GROUP_ID: `${connection}-coordinator`, EXTRACTOR_GROUP_ID: `${connection}-extractor`, LOADER_GROUP_ID: `${connection}-loader`, COORDINATOR_LOADER_GROUP_ID: `${connection}-loader`,
      COORDINATOR_CONNECTIONS: `^${connection}$`, EXTRACTOR_CONNECTIONS: `^${connection}$`, LOADER_TOPIC_PATTERN: `^dynamics\\.${connection}\\.`,
      COORDINATOR_OPS_PORT: '0', COORDINATOR_STATUS_PORT: '0', EXTRACTOR_OPS_PORT: '0', LOADER_OPS_PORT: '0', COORDINATOR_SCHEDULE_ENABLED: 'false',
    };
    // bash -e: any failing line fails the walkthrough; the background jobs are stopped whatever happens
    const result = await runShell(`trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}`, freshShellEnv(isolation), 840_000, ['bash', '-e']);
    const tail = (f: string) => {
      try {
        return readFileSync(join(logs, f), 'utf8').split('\n').slice(-5).join('\n');
      } catch {
        return '';
      }
    };
    expect(result.code, `${result.out}\n${result.err}\n${['coordinator.log', 'extractor.log', 'loader.log', 'sim.log'].map(tail).join('\n')}`).toBe(0);
    // its last line stopped what it started: the simulator's port no longer answers (npm passes SIGTERM on)
    const port = Number(/^DATAVERSE_URL=https:\/\/127\.0\.0\.1:(\d+)$/m.exec(readFileSync(join(logs, 'sim.env'), 'utf8'))?.[1]);
    const refused = () => new Promise<boolean>((resolve) => connect(port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); resolve(false); }).once('error', () => resolve(true)));
    await eventually(async () => (await refused()) || undefined, 30_000, 500);
    // verify's verdict: every table compared and equal (and its exit code 0, under bash -e)
    expect(result.out).toMatch(new RegExp(`The copy of .*${connection}.* is whole: \\d+ tables, [\\d,]+ rows, nothing missing, extra or stale\\.`));
  });
});
