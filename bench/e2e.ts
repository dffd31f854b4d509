/**
 * End-to-end benchmark: the simulator's `new_widget` table (~46 columns) of N rows, a connection through the CLI
 * (client credentials, `--tables new_widget`), coordinator + extractor + loader as child processes, then
 *  - `e2e`: a full sync (`dynsync resync`) timed from the command until the run is loaded (every record it
 *    produced is committed by the loader group, so it is in MongoDB), verified against the simulator;
 *  - `incremental`: 0.1 % of the rows updated at the source, the clock moved past the safety lag, `dynsync sync`
 *    timed the same way (goal: under 5 s), verified again;
 *  - `refresh` (bench/refresh.ts): a full refresh with no change, then one after 1 % updated and 0.1 % deleted;
 *  - each service's peak resident memory (VmHWM) over those runs;
 *  - `scaling`: the same full sync on a fresh connection with 2 extractors and 2 loaders, against the 1 + 1 time.
 * Unique connection names; nothing is dropped.
 *
 *   npx node bench/e2e.ts --rows 100000 [--no-scaling]
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { matches, truthVersions } from '../harness/ground-truth.ts';
import { startSimulator } from '../services/simulator/simulator.ts';
import { createHttpAgent, readCaCertificate } from '../services/dataverse/client/http-agent.ts';
import { control, fullRun, peakRssMb, phasesOf, timedRun, PRIMARY_ID, TABLE, type RunPhases, type Session } from './e2e-session.ts';
import { benchRefresh, type RefreshBench } from './refresh.ts';
import { benchServers, serviceEnv, type BenchServers } from './servers.ts';

/** The results merged into `npm run bench`. */
export interface E2eBench {
  readonly e2e: { readonly seconds: number; readonly rowsPerSec: number; readonly ok: boolean } & RunPhases;
  readonly incremental: { readonly seconds: number; readonly changed: number; readonly ok: boolean } & RunPhases;
  readonly refresh?: RefreshBench;
  readonly peakRssMb: Record<string, number>;
  readonly scaling?: { readonly oneEachSeconds: number; readonly twoEachSeconds: number; readonly speedup: number; readonly ok: boolean };
}

/** Runs the end-to-end benchmark at `rows`. */
export async function benchE2e(rows = 100_000, opts: { scaling?: boolean; refresh?: boolean; servers?: BenchServers; say?: (line: string) => void } = {}): Promise<E2eBench> {
  const servers = opts.servers ?? benchServers();
  const say = opts.say ?? ((line: string) => process.stderr.write(`e2e: ${line}\n`));
  const sim = await startSimulator({ port: 0, control: true, rows: 10, tableRows: { [TABLE]: rows }, limits: { requests: 10_000_000 }, logLevel: 'silent' });
  const agent = createHttpAgent({ connections: 4, caPem: readCaCertificate(sim.caCertPath) });
  const mongo = await new MongoClient(servers.mongoUri).connect();
  const baseEnv = serviceEnv(servers, sim);
  const s: Session = { sim, agent, mongo, baseEnv, say, runTimeoutMs: Math.max(600_000, rows * 10) };
  const stops: (() => Promise<void>)[] = [];
  try {
    say(`full sync of ${rows} rows (1 extractor, 1 loader)`);
    const one = await fullRun(s, {});
    stops.push(one.pipeline.stop);

    const changed = Math.max(1, Math.round(rows / 1000));
    say(`incremental after updating ${changed} rows`);
    const ids = [...(await truthVersions(sim.controlUrl!, agent, TABLE, PRIMARY_ID)).keys()];
    for (let i = 0; i < changed; i++) {
      const id = ids[Math.floor((i * ids.length) / changed)]!;
      await control(agent, `${sim.controlUrl}/tables/${TABLE}/rows/${id}`, 'PATCH', { values: { new_name: `bench updated ${i}` } });
    }
    // the coordinator reads up to the source's time minus its safety lag (60 s): move the source clock past it
    await control(agent, `${sim.controlUrl}/clock`, 'POST', { shiftSeconds: 120 });
    const incremental = await timedRun(s, one.connection, one.db, 'incremental');
    const refresh = opts.refresh === false ? undefined : await benchRefresh(s, one.connection, one.db, rows);
    const names = ['loader', 'extractor', 'coordinator'];
    const peak: Record<string, number> = {};
    one.pipeline.services.forEach((svc, i) => (peak[names[i]!] = Math.max(peak[names[i]!] ?? 0, peakRssMb(svc.child.pid))));
    await one.pipeline.stop();

    let scaling: E2eBench['scaling'];
    if (opts.scaling !== false) {
      say(`full sync of ${rows} rows on a fresh connection (2 extractors, 2 loaders)`);
      const two = await fullRun(s, { extractors: 2, loaders: 2 });
      stops.push(two.pipeline.stop);
      await two.pipeline.stop();
      scaling = {
        oneEachSeconds: one.timing.seconds,
        twoEachSeconds: two.timing.seconds,
        speedup: Number((one.timing.seconds / two.timing.seconds).toFixed(2)),
        ok: matches(two.timing.verdict),
      };
    }
    return {
      e2e: { seconds: one.timing.seconds, rowsPerSec: one.timing.rowsPerSec, ok: matches(one.timing.verdict), ...phasesOf(one.timing) },
      incremental: { seconds: incremental.seconds, changed, ok: matches(incremental.verdict), ...phasesOf(incremental) },
      ...(refresh ? { refresh } : {}),
      peakRssMb: peak,
      ...(scaling ? { scaling } : {}),
    };
  } finally {
    await Promise.all(stops.map((stop) => stop()));
    await agent.close();
    await mongo.close();
    await sim.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, 'no-scaling': { type: 'boolean', default: false } } });
  console.log(JSON.stringify(await benchE2e(Number(values.rows), { scaling: !values['no-scaling'] }), null, 2));
  process.exit(0);
}
