import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { HEADERS } from './headers';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
  groupId: string;
}

/** Longest reason written into a header: reasons name fields, never whole payloads. */
const MAX_REASON = 500;

/**
 * The dead-letter record for an unusable message: the original key, value
 * bytes and headers unchanged, plus the reason and where it came from
 * (topic, partition, offset, consumer group) in headers.
 */
export function deadLetterRecord(source: DeadLetterSource, reason: string): Message {
  const headers: IHeaders = { ...(source.message.headers ?? {}) };
  headers[HEADERS.dlqReason] = reason.slice(0, MAX_REASON);
  headers[HEADERS.dlqTopic] = source.topic;
  headers[HEADERS.dlqPartition] = String(source.partition);
  headers[HEADERS.dlqOffset] = source.message.offset;
  headers[HEADERS.dlqGroup] = source.groupId;
  return { key: source.message.key, value: source.message.value, headers };
}
