/**
 * `npm run demo [-- --rows <n>] [--keep]`: the main job (see infra/demo/run-demo.ts). Exit code 0 only if MongoDB
 * equals the simulator's ground truth after every step and the pipeline sent no write to Dataverse.
 */
import { parseArgs } from 'node:util';
import { runDemo } from '../demo/run-demo.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write('usage: npm run demo -- [--rows <n>] [--keep]\n  --rows  rows in the simulated organisation (default 200000)\n  --keep  leave servers, simulator and services running\n');
  process.exit(0);
}
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 50) {
  process.stderr.write(`demo: --rows must be an integer >= 50, not "${values.rows}"\n`);
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`${line}\n`);
try {
  const r = await runDemo({ rows, keep: values.keep, say });
  say('6/6 summary');
  for (const run of r.runs) say(`   ${run.kind.padEnd(11)} ${String(run.records).padStart(8)} records  ${run.windows} windows  ${run.seconds.toFixed(1)} s  ${Math.round(run.records / Math.max(run.seconds, 0.001))} records/s${run.deletes ? `  ${run.deletes} deletes through delta links` : ''}${run.tombstones ? `  ${run.tombstones} deletes reconciled` : ''}`);
  say(`   writes sent to Dataverse: ${r.nonGetRequests}; total ${r.seconds.toFixed(0)} s`);
  say(r.ok ? 'demo: OK — MongoDB equals the simulator after every step' : 'demo: FAILED — see the mismatches above');
  process.exit(r.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
