/**
 * The DynamoDB global tables of DATA_TABLES, created once (in the primary) with a replica in every other
 * region: on-demand, point-in-time recovery, TTL, and each replica encrypted with its own region's data key
 * (named by alias ARN, so nothing references another region's stack).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { Naming } from '../naming';
import { DATA_TABLES, dataNames, type DataTableName } from '../stacks/data-contract';

export interface GlobalTablesProps {
  readonly naming: Naming;
  /** The key of the region that creates the tables. */
  readonly key: kms.IKey;
  /** Replica region -> that region's data key (ARN or alias ARN). */
  readonly replicaKeys: Readonly<Record<string, string>>;
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
}

export class GlobalTables extends Construct {
  readonly tables: Readonly<Record<DataTableName, dynamodb.TableV2>>;

  constructor(scope: Construct, id: string, props: GlobalTablesProps) {
    super(scope, id);
    const names = dataNames(props.naming);
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    const table = (name: DataTableName): dynamodb.TableV2 => {
      const def: { partitionKey: string; sortKey?: string; ttlAttribute: string; indexes?: Record<string, { partitionKey: string; sortKey: string }> } =
        DATA_TABLES[name];
      return new dynamodb.TableV2(this, name, {
        tableName: names.table(name),
        partitionKey: key(def.partitionKey),
        sortKey: def.sortKey ? key(def.sortKey) : undefined,
        globalSecondaryIndexes: Object.entries(def.indexes ?? {}).map(([indexName, index]) => ({
          indexName,
          partitionKey: key(index.partitionKey),
          sortKey: key(index.sortKey),
        })),
        billing: dynamodb.Billing.onDemand(),
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key, { ...props.replicaKeys }),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: def.ttlAttribute,
        deletionProtection: props.deletionProtection,
        removalPolicy: props.removalPolicy,
        replicas: Object.keys(props.replicaKeys).map((region) => ({ region })),
      });
    };
    this.tables = { runbook: table('runbook'), connections: table('connections'), idempotency: table('idempotency') };
  }
}
