/** The workers' shared runtime: SQS dead letters and bounded retries. */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { fitToSqs, SQS_MAX_BODY_BYTES, sqsDeadLetters } from '@shared/clients/dead-letter-queue';
import { deadLetterFor, encodeRawMskRecord, EventValidationError } from '@shared/events';
import { isTransientError, withRetries } from '@shared/runtime/retry';

describe('sqsDeadLetters', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  const record = encodeRawMskRecord({ topic: 'trading.trades', value: '{not json', key: 'u-1', partition: 3, offset: 42, timestamp: 1_700_000_000_000 });

  it('sends the record verbatim with the reason, the field and where it came from', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await sqsDeadLetters(new SQSClient({}), 'https://sqs.example/q', 'trading-prod-reporting')(record, new EventValidationError('value', 'not JSON', 'trading.trades-3@42'));
    const input = sqs.commandCalls(SendMessageCommand)[0].args[0].input;
    expect(input.QueueUrl).toBe('https://sqs.example/q');
    const body = JSON.parse(input.MessageBody!);
    expect(body).toMatchObject({
      type: 'DeadLetterRecorded',
      consumer: 'trading-prod-reporting',
      field: 'value',
      errorType: 'EventValidationError',
      source: { topic: 'trading.trades', partition: 3, offset: 42, timestamp: 1_700_000_000_000 },
      original: { key: record.key, value: record.value },
    });
    expect(body.reason).toContain('not JSON');
    expect(input.MessageAttributes?.source?.StringValue).toBe('trading.trades-3@42');
  });

  it('throws when the queue refuses, so the batch is retried rather than the record lost', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    await expect(sqsDeadLetters(new SQSClient({}), 'q', 'c')(record, new Error('x'))).rejects.toThrow('AccessDenied');
  });

  it('keeps a letter over the SQS limit under it, saying where the value is', () => {
    const big = encodeRawMskRecord({ topic: 'trading.trades', value: 'x'.repeat(400 * 1024), offset: 7 });
    const body = fitToSqs(deadLetterFor(big, new Error('too big'), 'c'));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SQS_MAX_BODY_BYTES);
    expect(JSON.parse(body).original).toMatchObject({ value: null, truncated: expect.stringContaining(`${400 * 1024} bytes`) });
  });
});

describe('withRetries', () => {
  const noSleep = async () => undefined;
  const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

  it('retries a transient error and returns the later success', async () => {
    let calls = 0;
    const result = await withRetries(async () => (++calls < 3 ? Promise.reject(throttled) : 'ok'), { attempts: 3, sleep: noSleep });
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('gives up after the attempts, with the last error', async () => {
    let calls = 0;
    await expect(withRetries(async () => { calls++; throw throttled; }, { attempts: 4, sleep: noSleep })).rejects.toThrow('slow down');
    expect(calls).toBe(4);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    const permanent = Object.assign(new Error('bad address'), { name: 'BadRequestException', $metadata: { httpStatusCode: 400 } });
    await expect(withRetries(async () => { calls++; throw permanent; }, { attempts: 5, sleep: noSleep })).rejects.toThrow('bad address');
    expect(calls).toBe(1);
  });

  it('backs off within the cap, doubling per try', async () => {
    const delays: number[] = [];
    await expect(withRetries(async () => { throw throttled; }, { attempts: 5, baseDelayMs: 100, maxDelayMs: 300, sleep: async (ms) => void delays.push(ms) })).rejects.toThrow();
    expect(delays).toHaveLength(4);
    [100, 200, 300, 300].forEach((cap, i) => expect(delays[i]).toBeLessThanOrEqual(cap));
  });

  it('refuses a non-positive attempt count', async () => {
    await expect(withRetries(async () => 1, { attempts: 0 })).rejects.toThrow('attempts must be a positive integer, got 0');
  });
});

describe('isTransientError', () => {
  it.each([
    ['SDK throttling', Object.assign(new Error(), { name: 'TooManyRequestsException' })],
    ['an HTTP 503', Object.assign(new Error(), { $metadata: { httpStatusCode: 503 } })],
    ['a connection reset', Object.assign(new Error(), { code: 'ECONNRESET' })],
    ['a PostgreSQL serialization failure', Object.assign(new Error(), { code: '40001' })],
  ])('%s is transient', (_, error) => expect(isTransientError(error)).toBe(true));
  it.each([
    ['a validation error', new EventValidationError('quantity', 'must be positive')],
    ['an HTTP 400', Object.assign(new Error(), { $metadata: { httpStatusCode: 400 } })],
    ['a unique violation', Object.assign(new Error(), { code: '23505' })],
    ['a string', 'boom'],
  ])('%s is not', (_, error) => expect(isTransientError(error)).toBe(false));
});
