/**
 * AWS Backup for one region: a vault encrypted with the region's data key (locked where config asks), and
 * a daily plan that keeps its recovery points for the configured days and copies each one to the vault of
 * the same name in another region.
 *
 * ElastiCache is not a resource type AWS Backup supports: the cache relies on its own daily snapshots
 * (see Cache).
 */
import { Arn, ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { PlatformConfig } from '../config';

/** Compliance-mode locks can still be changed for this long after they are set, then never. */
const COMPLIANCE_GRACE = Duration.days(3);

export interface RegionalBackupProps {
  readonly backup: PlatformConfig['data']['backup'];
  /** Vault name, the same in every region (copies go to the vault of this name in `copyToRegion`). */
  readonly vaultName: string;
  readonly planName: string;
  readonly key: kms.IKey;
  /** The region whose vault receives a copy of every recovery point. */
  readonly copyToRegion: string;
  /** ARNs of the Aurora clusters and DynamoDB tables to back up. */
  readonly resourceArns: readonly string[];
  readonly removalPolicy: RemovalPolicy;
}

export class RegionalBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: RegionalBackupProps) {
    super(scope, id);
    const retention = Duration.days(props.backup.retentionDays);
    const lock = props.backup.vaultLock;

    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
      // Governance: removable by privileged users. Compliance: nobody, once the grace period ends.
      lockConfiguration:
        lock === 'off' ? undefined : { minRetention: retention, changeableFor: lock === 'compliance' ? COMPLIANCE_GRACE : undefined },
    });

    const copyTarget = backup.BackupVault.fromBackupVaultArn(
      this,
      'CopyTarget',
      Arn.format({ service: 'backup', region: props.copyToRegion, resource: 'backup-vault', resourceName: props.vaultName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, Stack.of(this)),
    );

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: props.planName,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: String(props.backup.dailyAtUtcHour) }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: retention,
          copyActions: [{ destinationBackupVault: copyTarget, deleteAfter: retention }],
        }),
      ],
    });
    const selection = this.plan.addSelection('DataStores', {
      resources: props.resourceArns.map((arn) => backup.BackupResource.fromArn(arn)),
      allowRestores: true,
    });
    acknowledge(selection, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: 'The AWS-maintained backup policy follows the resource types AWS Backup supports; the selection limits it to the listed ARNs.',
    }, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason: 'The AWS-maintained restore policy lets an operator restore these recovery points in place during a recovery runbook.',
    });
  }
}
