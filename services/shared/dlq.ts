/**
 * The dead-letter topic `sync.dlq` (Invariant 6): a poison record or command is copied there with its original
 * key, bytes and headers plus the reason, and the source partition keeps flowing. The copy is acknowledged by
 * Kafka before the source offset is committed, so nothing is lost.
 */
import type { IHeaders, Producer } from 'kafkajs';
import type { SyncError } from './errors.ts';

/** The dead-letter topic. */
export const DLQ_TOPIC = 'sync.dlq';

/** Where a poison message came from. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** The headers that explain a dead letter (prefixed `dlq-`), after the original headers. */
export function dlqHeaders(letter: DeadLetter, error: SyncError, service: string, nowMs: number): IHeaders {
  return {
    ...letter.headers,
    'dlq-source-topic': letter.topic,
    'dlq-source-partition': String(letter.partition),
    'dlq-source-offset': letter.offset,
    'dlq-error-code': error.code,
    'dlq-error-kind': error.kind,
    'dlq-error-message': error.message.slice(0, 2000),
    'dlq-service': service,
    'dlq-time': new Date(nowMs).toISOString(),
  };
}

/** Sends dead letters with acks from all in-sync replicas; resolves once Kafka has them. */
export async function sendToDlq(
  producer: Producer,
  service: string,
  letters: readonly { letter: DeadLetter; error: SyncError }[],
  nowMs: number,
): Promise<void> {
  if (letters.length === 0) return;
  await producer.send({
    topic: DLQ_TOPIC,
    acks: -1,
    messages: letters.map(({ letter, error }) => ({
      key: letter.key,
      value: letter.value,
      headers: dlqHeaders(letter, error, service, nowMs),
    })),
  });
}
