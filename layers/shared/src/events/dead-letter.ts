/**
 * The dead-letter record: a consumer that cannot process a record (bad base64, bad JSON, a schema
 * failure, an unknown version, a business rule) writes it here VERBATIM with the reason and where it came
 * from, and moves on. Nothing is dropped and nothing retries forever; an operator fixes the producer or
 * the consumer and replays from here.
 */
import * as z from 'zod';
import { defineEvent, type EventOf } from './define';
import { identifier } from './primitives';

const kafkaTopicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

export const DeadLetterRecordedV1 = defineEvent('DeadLetterRecorded', 1, 'A record a consumer rejected, kept verbatim with the reason.', {
  /** Consumer group id or function name that rejected it. */
  consumer: z.string().min(1).max(255),
  /** The rejection, as the consumer logged it. */
  reason: z.string().min(1).max(4000),
  /** The field the rejection names (`quantity`, `version`, `value`), when it names one. */
  field: z.string().max(255).optional(),
  /** Error class, e.g. EventValidationError, or a business error code. */
  errorType: identifier,
  source: z.object({
    topic: kafkaTopicName,
    partition: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    timestamp: z.number().int().nonnegative(),
    timestampType: z.string().max(32),
  }),
  /** The record as delivered: key and value still base64, headers as the Lambda event carried them. */
  original: z.object({
    key: z.string().nullable(),
    value: z.string().nullable(),
    headers: z.array(z.record(z.string(), z.array(z.number().int().min(0).max(255)))),
  }),
});

export type DeadLetterRecorded = EventOf<typeof DeadLetterRecordedV1>;
