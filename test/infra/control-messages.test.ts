import { describe, expect, it } from 'vitest';
import { type CoordinatorEvent, type SyncTask } from '../../services/contracts/control-messages.ts';
import { createControlCodec } from '../../services/shared/control-codec.ts';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';
import { testRegistry } from '../support/servers.ts';

describe('control messages through the registry', () => {
  it('round-trip tasks and every kind of coordinator event', async () => {
    const codec = await createControlCodec(testRegistry({ logicalTypes: avroLogicalTypes }));
    const task: SyncTask = {
      taskId: 't1', runId: 'r1', connection: 'c1', table: 'account', kind: 'full',
      runStart: new Date('2026-01-01T00:00:00Z'), from: new Date(0), to: new Date('2026-01-01T00:00:00Z'),
      attempt: 0, depth: 0, parentTaskId: null, delta: null, takeDeltaLink: null, expectedRows: null,
    };
    expect(await codec.decodeTask(await codec.encodeTask(task))).toEqual(task);
    // a delta task; a task written without the (newer, defaulted) field reads as null
    const delta: SyncTask = { ...task, taskId: 't1/delta', delta: { link: 'https://org/api/data/v9.2/accounts?$deltatoken=9!01/01/2026 00:00:00' } };
    expect(await codec.decodeTask(await codec.encodeTask(delta))).toEqual(delta);
    const sized: SyncTask = { ...task, taskId: 't1/sized', expectedRows: 4_999 };
    expect(await codec.decodeTask(await codec.encodeTask(sized))).toEqual(sized);
    const linked: SyncTask = { ...task, taskId: 't1/linked+delta', expectedRows: 120, takeDeltaLink: true };
    expect(await codec.decodeTask(await codec.encodeTask(linked))).toEqual(linked);
    const { delta: _omitted, expectedRows: _unsized, takeDeltaLink: _plain, ...older } = task;
    expect(await codec.decodeTask(await codec.encodeTask(older))).toEqual(task);
    const events: CoordinatorEvent['event'][] = [
      { type: 'RunStarted', kind: 'incremental', runStart: new Date(1000), requestedBy: 'schedule', tables: [{ table: 'account', from: new Date(0), to: new Date(1000), taskIds: ['t1'], deltaLink: null }] },
      { type: 'TaskCompleted', taskId: 't1', table: 'account', count: 5, maxModifiedOn: null, topic: 'dynamics.c1.account', offsets: [{ partition: 0, offset: 5 }], durationMs: 12, deltaLink: 'https://org/api/data/v9.2/accounts?$deltatoken=10!01/01/2026 00:00:00' },
      { type: 'TaskSplit', taskId: 't1', table: 'account', childTaskIds: ['t2', 't3'], reason: 'too large' },
      { type: 'TaskFailed', taskId: 't1', table: 'account', attempt: 1, code: 'DATAVERSE_UNAVAILABLE', retriable: true, message: 'x' },
      { type: 'RunCompleted', tables: [{ table: 'account', count: 5, durationMs: 10, watermark: new Date(1000) }] },
      { type: 'RunFailed', code: 'AUTH_CONSENT_REVOKED', message: 'reconnect' },
    ];
    for (const event of events) {
      const e: CoordinatorEvent = { eventId: 'e', connection: 'c1', runId: 'r1', at: new Date(5), event };
      expect(await codec.decodeEvent(await codec.encodeEvent(e))).toEqual(e);
    }
  });
});
