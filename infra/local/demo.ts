/**
 * `npm run demo`: the main job. Today it brings up the local servers, shows their status and connection
 * settings, and stops what it started (pass --keep to leave them running). Later issues extend it into the full
 * simulator → pipeline → MongoDB demo.
 */
import { down, status, up } from './stack.ts';

const keep = process.argv.includes('--keep');
const { env, outcomes } = await up();
for (const s of await status()) {
  process.stdout.write(`${s.label.padEnd(34)} ${s.healthy ? 'healthy' : 'UNHEALTHY'}  port ${s.port}  ${s.rssMb ?? '?'} MiB  (${outcomes[s.name]})\n`);
}
for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
const startedHere = Object.entries(outcomes).filter(([, o]) => o === 'started').map(([name]) => name);
if (!keep && startedHere.length > 0) await down(undefined, startedHere);
