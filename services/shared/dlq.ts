/**
 * The dead-letter topic `sync.dlq` (Invariant 6): a poison record or command is copied there with its original
 * key, bytes and headers plus the reason, and the source partition keeps flowing. The copy is acknowledged by
 * Kafka before the source offset is committed, so nothing is lost.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { MessageSender } from './healing-producer.ts';
import type { SyncError } from './errors.ts';
import { DLQ_TOPIC } from '../contracts/topic-names.ts';


/** Where a poison message came from. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** The dead letter of `message`, read from `topic`/`partition`. */
export function deadLetterOf(topic: string, partition: number, message: Pick<KafkaMessage, 'offset' | 'key' | 'value' | 'headers'>): DeadLetter {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers };
}

/**
 * Most value bytes kept in a dead letter. A poison message close to Kafka's 1 MiB message limit would exceed it
 * once the `dlq-` headers are added, the copy would be refused, and the source partition would retry it forever:
 * larger values keep their first 64 KiB and say so in `dlq-value-truncated` (the original length).
 */
export const DLQ_MAX_VALUE_BYTES = 64 * 1024;

/** The headers that explain a dead letter (prefixed `dlq-`), after the original headers. */
export function dlqHeaders(letter: DeadLetter, error: SyncError, service: string, nowMs: number): IHeaders {
  const truncated = letter.value !== null && letter.value.length > DLQ_MAX_VALUE_BYTES;
  return {
    ...letter.headers,
    ...(truncated ? { 'dlq-value-truncated': String(letter.value!.length) } : {}),
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
  producer: MessageSender,
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
      value: letter.value && letter.value.length > DLQ_MAX_VALUE_BYTES ? letter.value.subarray(0, DLQ_MAX_VALUE_BYTES) : letter.value,
      headers: dlqHeaders(letter, error, service, nowMs),
    })),
  });
}
