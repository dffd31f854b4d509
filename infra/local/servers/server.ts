/** The shape every local server definition has (Kafka, Apicurio, PostgreSQL + DocumentDB, FerretDB). */
import type { LaunchSpec } from '../process.ts';

/** One local server: how to prepare, start and probe it. */
export interface LocalServer {
  /** Short name, also the provisioning target and the run directory name. */
  name: 'kafka' | 'apicurio' | 'postgres' | 'ferretdb';
  /** Human label for messages. */
  label: string;
  /** The TCP port whose use by a foreign process would block the start. */
  port: number;
  /** Its run directory (data, logs, pid). */
  dir: string;
  /** A server that must be up (started or reused) before this one starts. */
  dependsOn?: LocalServer['name'];
  /** Idempotent preparation before a start (config files, storage format). Provisioning is done before. */
  prepare(): Promise<void>;
  /** How to launch it; `marker` identifies the process in /proc. */
  launch(): LaunchSpec;
  /** True when the server answers its protocol (not just its port). */
  healthy(): Promise<boolean>;
  /**
   * Idempotent set-up that needs the running server (e.g. CREATE EXTENSION), tried while it is not healthy yet;
   * errors while it starts up are expected (the last one is reported if it never becomes healthy).
   */
  initialize?(): Promise<void>;
  /** Every pid of the running server (main process and children), for `status`; default: the main pid. */
  processes?(): number[];
  /** How long a start may take before it is reported as failed. */
  startTimeoutMs: number;
}
