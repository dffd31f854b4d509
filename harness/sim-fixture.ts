/**
 * Starts an in-process simulator for a test file, makes this process trust its certificate (for fetch, msal-node
 * and node:https clients alike), and offers small helpers for tokens and the control API.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../services/simulator/simulator.ts';

/** A running simulator plus helpers. */
export interface SimFixture {
  readonly sim: SimulatorHandle;
  /** A client-credentials access token obtained with plain fetch. */
  appToken(): Promise<string>;
  /** Calls the control API. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** GET on the data API with a bearer token. */
  get(path: string, token: string, headers?: Record<string, string>): Promise<Response>;
}

let trusted = false;

/** Trusts the simulator's self-signed certificate in this process (Node >= 22.15 API). */
export function trustCertificate(caCertPath: string): void {
  if (trusted) return;
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(caCertPath, 'utf8')]);
  trusted = true;
}

/** Starts a simulator with the control API on a free port and a test state directory. */
export async function startFixture(options: SimulatorOptions = {}): Promise<SimFixture> {
  const sim = await startSimulator({ port: 0, control: true, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-test-state'), ...options });
  trustCertificate(sim.caCertPath);
  const appToken = async () => {
    const res = await fetch(`${sim.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.orgUrl}/.default` }),
    });
    const body = (await res.json()) as { access_token: string };
    return body.access_token;
  };
  const control = async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.controlUrl}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(path.startsWith('https://') ? path : `${sim.orgUrl}/api/data/v9.2/${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers } });
  return { sim, appToken, control, get };
}
