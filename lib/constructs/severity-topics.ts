/**
 * The region's three alarm topics, one per severity, named `naming.alarmTopicName(severity)` so that
 * every other stack can publish to them by ARN: encrypted with a key of their own that CloudWatch alarms
 * and EventBridge may use, TLS-only, with the subscriptions config lists (e-mail, HTTPS paging/chat).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ObservabilityConfig } from '../config';
import { SEVERITIES, type Naming, type Severity } from '../naming';

export interface SeverityTopicsProps {
  readonly naming: Naming;
  readonly subscriptions: ObservabilityConfig['subscriptions'];
  readonly removalPolicy: RemovalPolicy;
}

export class SeverityTopics extends Construct {
  readonly key: kms.Key;
  readonly topics: Readonly<Record<Severity, sns.Topic>>;

  constructor(scope: Construct, id: string, props: SeverityTopicsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.naming.physicalName('alarms')}`,
      description: 'Encrypts the alarm topics (critical, warning, info)',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // The services that publish alarms and events must be able to encrypt with the key.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.key.grant(new iam.ServicePrincipal(service), 'kms:GenerateDataKey*', 'kms:Decrypt');
    }

    const topics = {} as Record<Severity, sns.Topic>;
    for (const severity of SEVERITIES) {
      const topic = new sns.Topic(this, severity, {
        topicName: props.naming.alarmTopicName(severity),
        displayName: `${props.naming.prefix} ${severity} alarms`,
        masterKey: this.key,
        enforceSSL: true,
      });
      const subs = props.subscriptions[severity];
      for (const email of subs.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
      for (const url of subs.httpsEndpoints) topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
      topics[severity] = topic;
    }
    this.topics = topics;
  }
}
