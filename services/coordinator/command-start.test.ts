import { describe, expect, it, vi } from 'vitest';
import { KafkaJSProtocolError, type Admin } from 'kafkajs';
import type { Logger } from '../shared/log.ts';
import { pinUncommittedCommandPartitions } from './command-start.ts';

const log = { info: vi.fn(), warn: vi.fn(), debug: vi.fn() } as unknown as Logger;
const loading = () => Object.assign(new KafkaJSProtocolError('The coordinator is loading and hence can\'t process requests for this group'), { retriable: true });

/** A fake admin: committed offsets per partition ('-1' = none), the topic's oldest retained offsets (its ends are 100 further), and what setOffsets received. */
function fakeAdmin(committed: string[], lows: string[], opts: { failFetches?: number; setFails?: boolean } = {}) {
  let failures = opts.failFetches ?? 0;
  const set: { partition: number; offset: string }[][] = [];
  const admin = {
    fetchOffsets: async () => {
      if (failures-- > 0) throw loading();
      return [{ topic: 'sync.commands', partitions: committed.map((offset, partition) => ({ partition, offset, metadata: null })) }];
    },
    fetchTopicOffsets: async () => lows.map((low, partition) => ({ partition, offset: String(Number(low) + 100), high: String(Number(low) + 100), low })),
    setOffsets: async ({ partitions }: { partitions: { partition: number; offset: string }[] }) => {
      if (opts.setFails) throw new Error('The consumer group must have no running instances, current state: Stable');
      set.push(partitions);
    },
  };
  return { admin: admin as unknown as Admin, set };
}

describe('pinUncommittedCommandPartitions', () => {
  it.each([
    // commands that were waiting before the first coordinator started are read (and expired ones reported)
    ['a brand-new group: every partition pinned at its oldest retained command', ['-1', '-1', '-1'], ['5', '0', '9'], [{ partition: 0, offset: '5' }, { partition: 1, offset: '0' }, { partition: 2, offset: '9' }]],
    ['an existing group: only the partitions without an offset', ['4', '-1', '9'], ['5', '2', '9'], [{ partition: 1, offset: '2' }]],
    ['every partition committed: nothing set', ['4', '0', '9'], ['5', '2', '9'], null],
  ] as const)('%s', async (_name, committed, lows, expected) => {
    const { admin, set } = fakeAdmin([...committed], [...lows]);
    const pinned = await pinUncommittedCommandPartitions(admin, 'g', log);
    expect(set).toEqual(expected === null ? [] : [expected]);
    // the commands below each pinned partition's end (100 after its start here) were waiting before the group
    expect(pinned).toEqual((expected ?? []).map((p) => ({ partition: p.partition, start: p.offset, end: String(Number(p.offset) + 100) })));
  });

  it('retries while the broker answers "the coordinator is loading" (a broker that just started)', async () => {
    const { admin, set } = fakeAdmin(['-1'], ['3'], { failFetches: 3 });
    const sleep = vi.fn(async () => undefined);
    expect(await pinUncommittedCommandPartitions(admin, 'g', log, sleep)).toEqual([{ partition: 0, start: '3', end: '103' }]);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(set).toEqual([[{ partition: 0, offset: '3' }]]);
  });

  it('a group that already has a running member cannot be pinned: logged, nothing thrown (those partitions are read from their beginning)', async () => {
    const { admin } = fakeAdmin(['-1'], ['3'], { setFails: true });
    expect(await pinUncommittedCommandPartitions(admin, 'g', log)).toEqual([]);
  });
});
