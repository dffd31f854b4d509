/**
 * A Kafka producer that survives the broker's ordinary errors. kafkajs's idempotent producer never recovers once its
 * sequence numbers or epoch disagree with the broker's (`OUT_OF_ORDER_SEQUENCE_NUMBER` after a partition's leader
 * moved or was not elected yet, `UNKNOWN_PRODUCER_ID`, `INVALID_PRODUCER_EPOCH`, a fenced transactional id): every
 * later send to the same partitions fails. Here such a failure (kafka-errors.ts, action `replace`) closes that
 * producer, opens a new one (a new producer id, sequences from 0) and sends the unacknowledged records again.
 * Sends of other callers still in flight on the old producer are abandoned and sent again on the new one, so one
 * task's broken send fails no other task. A resend may duplicate records Kafka had already written: consumers
 * keep the newest version of a record (Invariant 4), and events are identified by their id.
 * Each replacement is logged once and counted in `dynsync_kafka_producer_replacements_total`.
 */
import type { Producer, ProducerRecord, RecordMetadata, Transaction } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from './log.ts';
import { classifyKafkaError } from './kafka-errors.ts';

/** What every caller of a producer needs: a send acknowledged per the record's `acks`. */
export interface MessageSender {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
}

/** Settings of a {@link HealingProducer}. */
export interface HealingProducerOptions {
  /** Names the producer in logs and metrics (`records`, `events`, `dead-letters`, `commands`...). */
  name: string;
  log?: Logger;
  /** The service's metrics registry, where the replacement counter is registered. */
  metrics?: Registry;
  /** Producers one send may go through before its error is returned (default 5). */
  maxProducersPerSend?: number;
}

const REPLACEMENTS_METRIC = 'dynsync_kafka_producer_replacements_total';
const RETIRED = Symbol('retired');

/** One producer of the sequence of producers behind a {@link HealingProducer}. */
interface Generation {
  producer: Producer;
  number: number;
  connecting: Promise<void> | null;
  retired: Promise<typeof RETIRED>;
  retire: () => void;
}

function generation(producer: Producer, number: number): Generation {
  let retire!: () => void;
  const retired = new Promise<typeof RETIRED>((resolve) => (retire = () => resolve(RETIRED)));
  return { producer, number, connecting: null, retired, retire };
}

function replacementCounter(registry: Registry): Counter<'producer' | 'reason'> {
  const existing = registry.getSingleMetric(REPLACEMENTS_METRIC);
  if (existing) return existing as Counter<'producer' | 'reason'>;
  return new Counter({
    name: REPLACEMENTS_METRIC,
    help: 'Kafka producers closed and replaced because the broker rejected their idempotent or transactional state, by producer and broker error',
    labelNames: ['producer', 'reason'],
    registers: [registry],
  });
}

/** A producer that replaces itself when its idempotent state breaks (see the module comment). */
export class HealingProducer implements MessageSender {
  private readonly make: () => Producer;
  private readonly opts: HealingProducerOptions;
  private readonly counter: Counter<'producer' | 'reason'> | undefined;
  private current: Generation;
  private closed = false;
  /** How many times the producer was replaced. */
  replacements = 0;

  /** `make` creates a new, unconnected kafkajs producer (a transactional one needs a new transactional id each time). */
  constructor(make: () => Producer, opts: HealingProducerOptions) {
    this.make = make;
    this.opts = opts;
    this.counter = opts.metrics ? replacementCounter(opts.metrics) : undefined;
    this.current = generation(make(), 1);
  }

  /** Connects the current producer (sends connect it too). */
  async connect(): Promise<void> {
    await this.connected(this.current);
  }

  /** Closes the current producer; every send was awaited by its caller, so nothing is pending. */
  async disconnect(): Promise<void> {
    this.closed = true;
    await this.current.producer.disconnect();
  }

  /** Sends `record`; resolves once Kafka acknowledged it (per `record.acks`). */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.withProducer((p) => p.send(record));
  }

  /**
   * Runs `work` in a transaction and commits it; aborts on error. On a broken transactional state (a fenced or
   * expired epoch) the whole transaction runs again on a new producer: the aborted one is never visible to
   * read-committed consumers.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.withProducer(async (p) => {
      const tx = await p.transaction();
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (err) {
        await tx.abort().catch(() => undefined);
        throw err;
      }
    });
  }

  private connected(gen: Generation): Promise<void> {
    if (!gen.connecting) {
      const connecting = gen.producer.connect();
      gen.connecting = connecting;
      // a failed connect is tried again by the next send
      connecting.catch(() => {
        if (gen.connecting === connecting) gen.connecting = null;
      });
    }
    return gen.connecting;
  }

  private async withProducer<T>(op: (p: Producer) => Promise<T>): Promise<T> {
    const max = this.opts.maxProducersPerSend ?? 5;
    for (let tries = 1; ; tries++) {
      const gen = this.current;
      await this.connected(gen);
      const outcome = await Promise.race([
        op(gen.producer).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        gen.retired,
      ]);
      if (outcome !== RETIRED && outcome.ok) return outcome.value;
      const retired = outcome === RETIRED || gen !== this.current;
      if (!retired) {
        const { action, reason } = classifyKafkaError(outcome.error);
        if (action !== 'replace' || tries >= max || this.closed) throw outcome.error;
        this.replace(gen, reason);
      } else if (tries >= max) {
        throw outcome === RETIRED ? new Error(`Kafka producer ${this.opts.name} was replaced ${max} times during one send`) : outcome.error;
      }
    }
  }

  /** Retires `gen` (if it is still current) for a new producer; sends in flight on it are sent again. */
  private replace(gen: Generation, reason: string): void {
    if (gen !== this.current) return;
    this.current = generation(this.make(), gen.number + 1);
    this.replacements++;
    gen.retire();
    this.counter?.inc({ producer: this.opts.name, reason });
    this.opts.log?.warn(
      { producer: this.opts.name, reason, generation: this.current.number },
      `Kafka producer '${this.opts.name}' replaced: the broker rejected its state (${reason}); unacknowledged records are sent again`,
    );
    gen.producer.disconnect().catch(() => undefined);
  }
}
