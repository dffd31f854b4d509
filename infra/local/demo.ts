/**
 * `npm run demo [-- --rows <n>] [--keep]`: the main job (see infra/demo/run-demo.ts). Exit code 0 only if MongoDB
 * equals the simulator's ground truth after every step and the pipeline sent no write to Dataverse. With `--keep`
 * the simulator and the services stay up and the demo prints how to use them; `npm run demo -- --stop` stops them.
 */
import { parseArgs } from 'node:util';
import { demoDir, handoverLines, stopKeptDemo } from '../demo/kept-demo.ts';
import { MIN_ROWS, runDemo } from '../demo/run-demo.ts';
import { down } from './stack.ts';

const usage = `usage: npm run demo -- [--rows <n>] [--keep] | --stop
  --rows  rows in the simulated organisation (default 200000)
  --keep  leave servers, simulator and services running, and print how to use them
  --stop  stop what a kept demo left running (${demoDir()})
`;
const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, keep: { type: 'boolean', default: false }, stop: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const say = (line: string) => process.stdout.write(`${line}\n`);
if (values.stop) {
  const demo = await stopKeptDemo(demoDir(), say);
  if (!demo) say(`demo: no kept demo in ${demoDir()}`);
  else if (demo.startedServers.length > 0) await down(say, demo.startedServers);
  process.exit(0);
}
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < MIN_ROWS) {
  process.stderr.write(`demo: --rows must be an integer >= ${MIN_ROWS}, not "${values.rows}"\n`);
  process.exit(2);
}
try {
  const r = await runDemo({ rows, keep: values.keep, dir: demoDir(), say });
  say('6/6 summary');
  for (const run of r.runs) say(`   ${run.kind.padEnd(11)} ${String(run.records).padStart(8)} records  ${run.windows} windows  ${run.seconds.toFixed(1)} s  ${Math.round(run.records / Math.max(run.seconds, 0.001))} records/s${run.deletes ? `  ${run.deletes} deletes through delta links` : ''}${run.tombstones ? `  ${run.tombstones} deletes reconciled` : ''}`);
  say(`   writes sent to Dataverse: ${r.nonGetRequests}; total ${r.seconds.toFixed(0)} s`);
  say(r.ok ? 'demo: OK — MongoDB equals the simulator after every step' : 'demo: FAILED — see the mismatches above');
  if (r.handover) for (const line of handoverLines(r.handover)) say(line);
  process.exit(r.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  if (values.keep) process.stderr.write('demo: what it started keeps running; `npm run demo -- --stop` stops it\n');
  process.exit(1);
}
