/** The coordinator's Prometheus metrics. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Creates and registers the coordinator metrics in `registry`. */
export function createCoordinatorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    runsStarted: new Counter({ name: 'dynsync_coordinator_runs_started_total', help: 'Runs started, by kind', labelNames: ['kind'], registers }),
    runsFinished: new Counter({ name: 'dynsync_coordinator_runs_finished_total', help: 'Runs finished, by kind and status (completed, failed, loaded)', labelNames: ['kind', 'status'], registers }),
    tasksPublished: new Counter({ name: 'dynsync_coordinator_tasks_published_total', help: 'Tasks published to sync.tasks, by reason (plan, retry)', labelNames: ['reason'], registers }),
    events: new Counter({ name: 'dynsync_coordinator_events_total', help: 'sync.coordinator events folded, by type and outcome', labelNames: ['type', 'outcome'], registers }),
    commands: new Counter({ name: 'dynsync_coordinator_commands_total', help: 'Commands read, by outcome (accepted; rejected to sync.dlq; expired: older than COORDINATOR_COMMAND_MAX_AGE_MS, not carried out; expired-unknown: expired and not for a connection of this deployment; other-deployment: key not matching COORDINATOR_CONNECTIONS; skipped-waiting: sent before this group first started, invalid or for an unknown connection)', labelNames: ['outcome'], registers }),
    watermarks: new Counter({ name: 'dynsync_coordinator_watermark_commits_total', help: 'Watermark commits, by whether the watermark moved', labelNames: ['moved'], registers }),
    tombstones: new Counter({ name: 'dynsync_coordinator_tombstones_total', help: 'Reconciliation tombstones produced, by table', labelNames: ['table'], registers }),
    ownedPartitions: new Gauge({ name: 'dynsync_coordinator_owned_partitions', help: 'sync.coordinator partitions owned by this instance, by state (replaying, live)', labelNames: ['state'], registers }),
    activeRuns: new Gauge({ name: 'dynsync_coordinator_active_runs', help: 'Runs in progress owned by this instance', registers }),
  };
}

/** The coordinator metrics. */
export type CoordinatorMetrics = ReturnType<typeof createCoordinatorMetrics>;
