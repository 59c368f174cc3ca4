/**
 * The workers' dead-letter queue (SQS, KMS-encrypted): a record a worker cannot parse or deliver after its
 * bounded retries is sent here VERBATIM with the reason, in the catalog's DeadLetterRecorded shape (the
 * same body the trading.deadletter topic carries), and the rest of the batch goes on. Nothing is dropped;
 * an operator fixes the cause and replays from the queue (docs/workers/README.md#dead-letters).
 *
 *   const deadLetter = sqsDeadLetters(sqs, requireEnv('DEAD_LETTER_QUEUE_URL'), consumer);
 *   await deadLetter(record, error);
 *
 * A failure to write the dead letter is NOT swallowed: it throws, so the batch fails and Lambda retries it
 * (bounded by the event source's retry attempts, then its on-failure destination).
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterFor, type DeadLetterRecorded, type MskRecord } from '../events';

export type DeadLetterSink = (record: MskRecord, error: unknown) => Promise<void>;

/** SQS refuses message bodies over 256 KiB; an MSK record up to 1 MiB is cut, and says so. */
export const SQS_MAX_BODY_BYTES = 256 * 1024;

export function sqsDeadLetters(sqs: Pick<SQSClient, 'send'>, queueUrl: string, consumer: string): DeadLetterSink {
  return async (record, error) => {
    const letter = deadLetterFor(record, error, consumer);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: fitToSqs(letter),
        MessageAttributes: {
          consumer: { DataType: 'String', StringValue: consumer },
          errorType: { DataType: 'String', StringValue: letter.errorType },
          source: { DataType: 'String', StringValue: `${record.topic}-${record.partition}@${record.offset}` },
        },
      }),
    );
  };
}

/** The letter as JSON; when too large for SQS, the original value is replaced by a note (key and source stay). */
export function fitToSqs(letter: DeadLetterRecorded): string {
  const body = JSON.stringify(letter);
  if (Buffer.byteLength(body) <= SQS_MAX_BODY_BYTES) return body;
  const bytes = letter.original.value ? Buffer.from(letter.original.value, 'base64').length : 0;
  return JSON.stringify({
    ...letter,
    original: { ...letter.original, value: null, truncated: `value of ${bytes} bytes left out (SQS limit); read it from ${letter.source.topic} at the offset` },
  });
}
