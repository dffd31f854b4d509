/**
 * `npm run infra:up | infra:down | infra:status | infra:provision`. `up` prints the connection settings on
 * stdout as env lines (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI) so scripts can `eval "$(npm run -s infra:up)"`.
 * `stop <server>` stops one server started by `up` (SIGTERM, then SIGKILL after a grace period); `start <server>`
 * brings it back on its data (it runs `up`, which reuses the servers still running). The fault suite uses both on
 * its own stack (DYNSYNC_RUN_DIR and other ports).
 */
import { down, provision, servers, status, up } from './stack.ts';
import type { LocalServer } from './servers/server.ts';
import { exportLines } from './shell-env.ts';

async function main(command: string | undefined, arg: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const { env } = await up();
      process.stdout.write(exportLines(env));
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'stop': {
      const name = serverName(arg);
      if (name === undefined) return usage();
      const stopped = await down(undefined, [name]);
      if (stopped.length === 0) process.stderr.write(`infra: ${name} was not running (or not started by infra:up)\n`);
      return 0;
    }
    case 'start': {
      if (serverName(arg) === undefined) return usage();
      await up();
      return 0;
    }
    case 'provision':
      provision(servers.map((s) => s.name));
      return 0;
    case 'status': {
      const rows = await status();
      for (const r of rows) {
        const group = r.processes ? ` (${r.processes.count} processes: ${r.processes.pssMb} MiB PSS together)` : '';
        const state = r.pid ? `running pid ${r.pid}, ${r.rssMb ?? '?'} MiB RSS${group}` : r.healthy ? 'running (not started by infra:up)' : 'stopped';
        process.stdout.write(`${r.name.padEnd(9)} ${String(r.port).padEnd(6)} ${r.healthy ? 'healthy  ' : 'unhealthy'} ${state}\n`);
      }
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    default:
      return usage();
  }
}

function usage(): number {
  process.stderr.write(`usage: node infra/local/cli.ts up|down|status|provision|stop <server>|start <server> (server: ${servers.map((s) => s.name).join(', ')})\n`);
  return 2;
}

function serverName(arg: string | undefined): LocalServer['name'] | undefined {
  return servers.find((s) => s.name === arg)?.name;
}

main(process.argv[2], process.argv[3]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`infra: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
