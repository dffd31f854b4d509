import { describe, expect, it } from 'vitest';
import type { ITopicMetadata } from 'kafkajs';
import { leaderlessPartitions } from './kafka-topics.ts';

const partition = (partitionId: number, leader: number, partitionErrorCode = 0) => ({ partitionId, leader, partitionErrorCode, replicas: [1], isr: [1] });

describe('leaderlessPartitions', () => {
  it.each<[string, ITopicMetadata[], string[], string[]]>([
    ['every partition led', [{ name: 'a', partitions: [partition(0, 1), partition(1, 1)] }], ['a'], []],
    ['a partition without leader', [{ name: 'a', partitions: [partition(0, 1), partition(1, -1)] }], ['a'], ['a[1]']],
    ['a partition with an error code', [{ name: 'a', partitions: [partition(0, 1, 5)] }], ['a'], ['a[0]']],
    ['a topic without partitions yet', [{ name: 'a', partitions: [] }], ['a'], ['a[?]']],
    ['a topic missing from the answer', [{ name: 'a', partitions: [partition(0, 1)] }], ['a', 'b'], ['b[?]']],
  ])('%s', (_name, metadata, topics, expected) => {
    expect(leaderlessPartitions(metadata, topics)).toEqual(expected);
  });
});
