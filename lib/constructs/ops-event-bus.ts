/**
 * The region's bus for operational events (failover requested / step completed / completed / aborted,
 * drill completed, region health changed): an archive to replay from, a schema registry holding each ops
 * event's JSON Schema (derived from the zod catalog), and one rule per other region that forwards the ops
 * events that ORIGINATED here to that region's bus, so a runbook can be started from and watched in any
 * region.
 *
 * No loops: a rule forwards only `detail.originRegion` = this region, and never a replay, so a forwarded
 * copy (origin elsewhere) is never forwarded again. Deliveries that fail after EventBridge's retries land
 * in a dead-letter queue, not nowhere.
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OPS_EVENTS, OPS_SOURCE_PREFIX, opsEventJsonSchema } from '@shared/events';
import { acknowledge } from '../compliance';

export interface ForwardingTarget {
  readonly region: string;
  readonly busArn: string;
}

export interface OpsEventBusProps {
  readonly busName: string;
  readonly archiveRetention: Duration;
  /** The buses of the other regions. */
  readonly forwardTo: readonly ForwardingTarget[];
  /** Role EventBridge assumes to put events on the other buses (account-wide name: carries the region). */
  readonly forwarderRoleName: string;
  /** Applied to the archive's bus and the dead-letter queue. */
  readonly removalPolicy: RemovalPolicy;
}

/** The pattern of ops events that originated in `region`, replays excluded (rendered into the rule). */
export function originatedIn(region: string): Record<string, unknown> {
  return { source: [{ prefix: OPS_SOURCE_PREFIX }], detail: { originRegion: [region] }, 'replay-name': [{ exists: false }] };
}

export class OpsEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly registry: eventschemas.CfnRegistry;
  readonly forwardingDeadLetters: sqs.Queue;
  readonly forwardingRules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: OpsEventBusProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'Operational events: failover, drills, region health' });
    this.bus.applyRemovalPolicy(props.removalPolicy);
    this.archive = this.bus.archive('Archive', {
      description: `Every event on ${props.busName}, for replay`,
      eventPattern: { account: [stack.account] },
      retention: props.archiveRetention,
    });

    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: props.busName,
      description: 'JSON Schemas of the ops events, derived from the event catalog (@shared/events)',
    });
    for (const definition of OPS_EVENTS) {
      new eventschemas.CfnSchema(this, `Schema${definition.detailType}`, {
        registryName: this.registry.attrRegistryName,
        schemaName: `${definition.source}@${definition.detailType}`,
        type: 'JSONSchemaDraft4',
        description: definition.description,
        content: JSON.stringify(opsEventJsonSchema(definition.detailType)),
      });
    }

    this.forwardingDeadLetters = new sqs.Queue(this, 'ForwardingDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.forwardingDeadLetters, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue IS the dead-letter queue of the cross-region forwarding rules; a dead-letter queue of its own would only move the problem',
    });

    const role = new iam.Role(this, 'ForwarderRole', {
      roleName: props.forwarderRoleName,
      description: `EventBridge: forwards ops events from ${props.busName} in ${stack.region} to the other regions' buses`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    });

    this.forwardingRules = props.forwardTo.map((target) => {
      const rule = new events.Rule(this, `ForwardTo-${target.region}`, {
        eventBus: this.bus,
        description: `Ops events that originated in ${stack.region} -> ${props.busName} in ${target.region}`,
        // Rendered below: the L2 pattern type has no `replay-name`.
        eventPattern: { source: events.Match.prefix(OPS_SOURCE_PREFIX) },
        targets: [
          new targets.EventBus(events.EventBus.fromEventBusArn(this, `Bus-${target.region}`, target.busArn), {
            role,
            deadLetterQueue: this.forwardingDeadLetters,
          }),
        ],
      });
      (rule.node.defaultChild as events.CfnRule).addPropertyOverride('EventPattern', originatedIn(stack.region));
      return rule;
    });
  }
}
