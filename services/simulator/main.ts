/**
 * `npm run sim`: starts the Dataverse + Entra ID simulator in the foreground, prints its coordinates in
 * env-file form (one `KEY=value` per line on stdout, so scripts can eval them), and stops on SIGTERM/SIGINT.
 * Logs go to stderr.
 */
import { exitCodeFor } from '../shared/errors.ts';
import { loadSimulatorConfig } from './config.ts';
import { startSimulator } from './simulator.ts';

try {
  const sim = await startSimulator(loadSimulatorConfig());
  const lines = [
    `DATAVERSE_URL=${sim.orgUrl}`,
    ...(sim.aliasUrls.length > 0 ? [`DATAVERSE_ALIAS_URLS=${sim.aliasUrls.join(',')}`] : []),
    `DATAVERSE_AUTHORITY=${sim.authority}`,
    `DATAVERSE_TENANT_ID=${sim.tenantId}`,
    `DATAVERSE_CLIENT_ID=${sim.clientId}`,
    `DATAVERSE_CLIENT_SECRET=${sim.clientSecret}`,
    `DATAVERSE_CA_CERT=${sim.caCertPath}`,
    ...(sim.controlUrl ? [`DATAVERSE_CONTROL_URL=${sim.controlUrl}`] : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodeFor(err));
}
