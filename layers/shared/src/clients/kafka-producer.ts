/**
 * Producing catalog events to MSK from a Lambda: kafkajs over TLS with IAM (SASL OAUTHBEARER tokens from
 * aws-msk-iam-sasl-signer-js, signed with the function's role), the Java-compatible default partitioner
 * (the engine's producer uses it too: a user lands on one partition whoever produces), idempotent, acks=all.
 * Every event is validated against its topic by toKafkaMessage before it is sent.
 */
import type { Producer } from 'kafkajs';
import { toKafkaMessage, type TopicEvent, type TopicName } from '../events';

export interface EventProducer {
  send<T extends TopicName>(topic: T, event: TopicEvent<T>): Promise<void>;
}

export function mskEventProducer(options: { readonly brokers: readonly string[]; readonly region: string; readonly clientId: string }): EventProducer {
  // Required on first use, not at module load: kafkajs and the signer cost ~30 ms of cold start, and some
  // functions produce only dead letters (docs/lambda-runtime.md).
  const { Kafka, logLevel, Partitioners } = require('kafkajs') as typeof import('kafkajs');
  const { generateAuthToken } = require('aws-msk-iam-sasl-signer-js') as typeof import('aws-msk-iam-sasl-signer-js');
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ssl: true,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region: options.region })).token }),
    },
    logLevel: logLevel.WARN,
    // A Lambda answers an API call: fail within its timeout rather than retry for minutes.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    connectionTimeout: 3_000,
  });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  let connected: Promise<void> | undefined;
  return {
    async send(topic, event) {
      await (connected ??= producer.connect().catch((error) => {
        connected = undefined;
        throw error;
      }));
      const message = toKafkaMessage(topic, event);
      await producer.send({ topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: { ...message.headers } }] });
    },
  };
}
