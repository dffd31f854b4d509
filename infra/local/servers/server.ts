/** The shape every local server definition has (Kafka, Apicurio, FerretDB). */
import type { LaunchSpec } from '../process.ts';

/** One local server: how to prepare, start and probe it. */
export interface LocalServer {
  /** Short name, also the provisioning target and the run directory name. */
  name: 'kafka' | 'apicurio' | 'ferretdb';
  /** Human label for messages. */
  label: string;
  /** The TCP port whose use by a foreign process would block the start. */
  port: number;
  /** Its run directory (data, logs, pid). */
  dir: string;
  /** Idempotent preparation before a start (config files, storage format). Provisioning is done before. */
  prepare(): Promise<void>;
  /** How to launch it; `marker` identifies the process in /proc. */
  launch(): LaunchSpec;
  /** True when the server answers its protocol (not just its port). */
  healthy(): Promise<boolean>;
  /** How long a start may take before it is reported as failed. */
  startTimeoutMs: number;
}
