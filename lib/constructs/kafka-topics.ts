/**
 * Every topic of the event catalog as an AWS::MSK::Topic resource (MSK's own topic API, Kafka 3.6.0+),
 * with partitions, retention and min.insync.replicas from config. Partitions grow in place; a changed
 * replication factor or name replaces the topic (and drops its data), so both stay fixed.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { TOPIC_NAMES, type TopicName } from '@shared/events';
import type { PlatformConfig } from '../config';

export interface KafkaTopicsProps {
  readonly clusterArn: string;
  readonly settings: PlatformConfig['messaging']['kafka'];
  /** Deleting a topic deletes its records: retain in staging and prod. */
  readonly removalPolicy: RemovalPolicy;
}

/** The topic-level configs MSK's CreateTopic takes: a JSON object of strings, base64-encoded. */
export function topicConfigs(settings: PlatformConfig['messaging']['kafka'], topic: TopicName): string {
  const configs = {
    'cleanup.policy': 'delete',
    'retention.ms': String(settings.topics[topic].retentionHours * 3_600_000),
    'min.insync.replicas': String(settings.minInsyncReplicas),
  };
  return Buffer.from(JSON.stringify(configs)).toString('base64');
}

export class KafkaTopics extends Construct {
  readonly topics: ReadonlyMap<TopicName, msk.CfnTopic>;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const topics = new Map<TopicName, msk.CfnTopic>();
    for (const name of TOPIC_NAMES) {
      const topic = new msk.CfnTopic(this, name, {
        clusterArn: props.clusterArn,
        topicName: name,
        partitionCount: props.settings.topics[name].partitions,
        replicationFactor: props.settings.replicationFactor,
        configs: topicConfigs(props.settings, name),
      });
      topic.applyRemovalPolicy(props.removalPolicy);
      topics.set(name, topic);
    }
    this.topics = topics;
  }
}
