/**
 * The base of every stack: environment from config, availability zones from config (synth never asks
 * AWS), the four cost-allocation tags, and termination protection for stacks that hold data.
 */
import { Annotations, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PLACEHOLDER_ACCOUNT, type DeployTarget, type PlatformConfig, type RegionConfig, type RegionRole } from '../config';
import { Naming } from '../naming';

export interface PlatformStackProps {
  readonly config: PlatformConfig;
  readonly target: DeployTarget;
  /** The role of the region this stack is deployed to; the global stack uses the primary's. */
  readonly role: RegionRole;
  /** Protects the stack from `cdk destroy` / DeleteStack. @default false */
  readonly stateful?: boolean;
  readonly description: string;
}

export class PlatformStack extends Stack {
  readonly config: PlatformConfig;
  readonly role: RegionRole;
  readonly regionConfig: RegionConfig;
  readonly naming: Naming;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    const regionConfig = props.config.regions[props.role];
    const stackProps: StackProps = {
      env: { account: props.target.account, region: regionConfig.region },
      stackName: id,
      description: props.description,
      terminationProtection: props.stateful ?? false,
      tags: {
        application: props.config.app,
        environment: props.config.environment,
        'region-role': props.role,
        'cost-centre': props.config.costCentre,
      },
    };
    super(scope, id, stackProps);
    this.config = props.config;
    this.role = props.role;
    this.regionConfig = regionConfig;
    this.naming = Naming.of(props.config);
    if (props.target.isPlaceholder) {
      Annotations.of(this).addWarningV2(
        'platform:placeholder-account',
        `Synthesized for the placeholder account ${PLACEHOLDER_ACCOUNT}: synth only. Deploy with -c account=<12-digit id>.`,
      );
    }
  }

  /** The config's zones: a stack with a concrete account would otherwise look them up in AWS. */
  override get availabilityZones(): string[] {
    return [...this.regionConfig.availabilityZones];
  }

  /** Log retention for this environment. */
  get logRetention(): RetentionDays {
    return this.config.logs.retentionDays as RetentionDays;
  }

  /** Data outlives a deleted stack in staging and prod; dev cleans up after itself. */
  get dataRemovalPolicy(): RemovalPolicy {
    return this.config.environment === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  }
}
