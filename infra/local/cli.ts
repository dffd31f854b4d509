/**
 * `npm run infra:up | infra:down | infra:status | infra:provision`. `up` prints the connection settings on
 * stdout as env lines (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI) so scripts can `eval "$(npm run -s infra:up)"`.
 */
import { down, provision, servers, status, up } from './stack.ts';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const { env } = await up();
      for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'provision':
      provision(servers.map((s) => s.name));
      return 0;
    case 'status': {
      const rows = await status();
      for (const r of rows) {
        const state = r.pid ? `running pid ${r.pid}, ${r.rssMb ?? '?'} MiB RSS` : r.healthy ? 'running (not started by infra:up)' : 'stopped';
        process.stdout.write(`${r.name.padEnd(9)} ${String(r.port).padEnd(6)} ${r.healthy ? 'healthy  ' : 'unhealthy'} ${state}\n`);
      }
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    default:
      process.stderr.write('usage: node infra/local/cli.ts up|down|status|provision\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`infra: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
