/**
 * One real page of the simulator's wide `new_widget` table, as the extractor receives it (5,000 rows, `lookuplogicalname`
 * annotations, optionally FormattedValue), fetched from an in-process simulator. Used by the parse benchmark.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../services/simulator/simulator.ts';
import { trustCertificate } from '../harness/sim-fixture.ts';

/** Fetches the first `rows`-row page of `new_widget` (all columns) as text; `formatted` adds FormattedValue annotations. */
export async function fetchWidgetPage({ rows = 5_000, formatted = false }: { rows?: number; formatted?: boolean } = {}): Promise<string> {
  const sim = await startSimulator({ port: 0, rows: 100, tableRows: { new_widget: rows }, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-bench-state') });
  try {
    trustCertificate(sim.caCertPath);
    const tokenRes = await fetch(`${sim.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.orgUrl}/.default` }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const annotations = formatted ? 'OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname' : 'Microsoft.Dynamics.CRM.lookuplogicalname';
    const res = await fetch(`${sim.orgUrl}/api/data/v9.2/new_widgetset`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', Prefer: `odata.maxpagesize=${rows},odata.include-annotations="${annotations}"` },
    });
    if (res.status !== 200) throw new Error(`widget page: HTTP ${res.status}`);
    return await res.text();
  } finally {
    await sim.close();
  }
}
