import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartition, murmur2 } from './key-partition.ts';
import { seededRandom as random } from '../dataverse/mapping/seeded-random.fixture.ts';

// kafkajs's own implementation, the reference (what the producer's default partitioner computes)
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

describe('murmur2: the hash kafkajs (and the Java client) computes', () => {
  it('on random bytes of every length from 0 to 80', () => {
    const next = random(42);
    for (let length = 0; length <= 80; length++) {
      for (let k = 0; k < 25; k++) {
        const bytes = Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
        expect(murmur2(bytes), bytes.toString('hex')).toBe(kafkajsMurmur2(bytes));
      }
    }
  });

  it.each([[''], ['a'], ['ab'], ['abc'], ['72d3b000-0000-1613-8a2b-89713fef11a8'], ['00000000-0000-0000-0000-000000000000'], ['café'], ['😀 שלום']])(
    'key %j: the partition of kafkajs\'s DefaultPartitioner for 1 to 12 partitions',
    (key) => {
      const partitioner = Partitioners.DefaultPartitioner();
      for (let partitions = 1; partitions <= 12; partitions++) {
        const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
        expect(keyPartition(key, partitions)).toBe(partitioner({ topic: 't', partitionMetadata, message: { key, value: null } }));
      }
    },
  );

  it('on 5,000 random GUID keys', () => {
    const next = random(7);
    const hex = () => Math.floor(next() * 16).toString(16);
    for (let k = 0; k < 5_000; k++) {
      const key = [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, hex).join('')).join('-');
      expect(keyPartition(key, 6)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 6);
    }
  });
});
