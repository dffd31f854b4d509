import { describe, expect, it } from 'vitest';
import { KafkaJSProtocolError, type Producer, type ProducerRecord } from 'kafkajs';
import { HealingProducer } from './healing-producer.ts';

const outOfOrder = () => new KafkaJSProtocolError({ message: 'The broker received an out of order sequence number', type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', code: 45, retriable: false } as never);
const tooLarge = () => new KafkaJSProtocolError({ message: 'too large', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false } as never);

/** A fake kafkajs producer: `behaviour(n)` decides the n-th send (0-based, counted per producer). */
function fakeProducers(behaviour: (producer: number, send: number, record: ProducerRecord) => Promise<void>) {
  const made: { connects: number; disconnects: number; sends: number }[] = [];
  const make = (): Producer => {
    const me = made.length;
    const state = { connects: 0, disconnects: 0, sends: 0 };
    made.push(state);
    return {
      connect: async () => void state.connects++,
      disconnect: async () => void state.disconnects++,
      send: async (record: ProducerRecord) => {
        await behaviour(me, state.sends++, record);
        return [{ topicName: record.topic, partition: 0, errorCode: 0, baseOffset: '0' }];
      },
    } as unknown as Producer;
  };
  return { make, made };
}
const record: ProducerRecord = { topic: 't', messages: [{ value: 'v' }] };

describe('HealingProducer', () => {
  it('replaces a producer whose state is broken and sends the record again on the new one', async () => {
    const { make, made } = fakeProducers(async (p) => {
      if (p === 0) throw outOfOrder();
    });
    const hp = new HealingProducer(make, { name: 'records' });
    await hp.connect();
    await expect(hp.send(record)).resolves.toHaveLength(1);
    expect(hp.replacements).toBe(1);
    expect(made.map((m) => [m.sends, m.disconnects])).toEqual([[1, 1], [1, 0]]);
  });

  it('does not replace on a permanent error, and returns it', async () => {
    const { make, made } = fakeProducers(async () => {
      throw tooLarge();
    });
    const hp = new HealingProducer(make, { name: 'records' });
    await expect(hp.send(record)).rejects.toThrow('too large');
    expect(hp.replacements).toBe(0);
    expect(made).toHaveLength(1);
  });

  it('sends in flight on a replaced producer go again on the new one, and one failure replaces once', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const { make, made } = fakeProducers(async (p, n) => {
      if (p === 0 && n === 0) throw outOfOrder();
      if (p === 0) await stuck; // waiting behind the broken request on the old producer
    });
    const hp = new HealingProducer(make, { name: 'records' });
    const others = [hp.send(record), hp.send(record), hp.send(record)];
    await expect(Promise.all(others)).resolves.toHaveLength(3);
    expect(hp.replacements).toBe(1);
    expect(made[1]!.sends).toBe(3);
    release();
  });

  it('gives up after maxProducersPerSend producers', async () => {
    const { make, made } = fakeProducers(async () => {
      throw outOfOrder();
    });
    const hp = new HealingProducer(make, { name: 'records', maxProducersPerSend: 3 });
    await expect(hp.send(record)).rejects.toThrow('out of order');
    expect(made).toHaveLength(3);
  });

  it('connects again on the next send after a failed connect', async () => {
    let connects = 0;
    const make = (): Producer =>
      ({
        connect: async () => {
          if (connects++ === 0) throw new Error('ECONNREFUSED');
        },
        disconnect: async () => undefined,
        send: async () => [],
      }) as unknown as Producer;
    const hp = new HealingProducer(make, { name: 'events' });
    await expect(hp.send(record)).rejects.toThrow('ECONNREFUSED');
    await expect(hp.send(record)).resolves.toEqual([]);
    expect(connects).toBe(2);
  });
});
