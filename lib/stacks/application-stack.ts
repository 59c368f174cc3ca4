/**
 * The application tier of a region. In the regions that run the trading core (primary and secondary):
 * the trading engine on Fargate, wired to MSK and Aurora by the parameters the messaging and data
 * stacks publish, and the region's trading kill switch. The primary runs the engine at full size, the
 * secondary at its warm floor (the failover runbook raises it).
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { ROLE_CAPABILITIES } from '../config';
import { TradingEngineService } from '../constructs/trading-engine-service';
import { DATA_PARAMETERS, DataContract } from './data-contract';
import { importKafkaCluster } from './messaging-stack';
import { importPlatformVpc } from './network-stack';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export class ApplicationStack extends PlatformStack {
  readonly engine?: TradingEngineService;
  readonly killSwitch: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description'>) {
    super(scope, id, { ...props, description: `Application tier of the ${props.role} region: trading engine on Fargate, kill switch` });
    const { naming } = this;

    this.killSwitch = new ssm.StringParameter(this, 'KillSwitch', {
      parameterName: naming.killSwitchParameter,
      // The runbook flips the live value; CloudFormation sets it only when this template value changes.
      stringValue: 'off',
      description: 'Trading kill switch of this region: "on" halts new trading (engine, API); "off" allows it. The DR runbook turns it on.',
    });

    if (!ROLE_CAPABILITIES[this.role].runsTradingCore) return;
    const role = this.role as 'primary' | 'secondary';
    const engine = this.config.tradingEngine;
    const kafka = importKafkaCluster(this);
    const data = DataContract.of(this);

    this.engine = new TradingEngineService(this, 'TradingEngine', {
      vpc: importPlatformVpc(this),
      vpcCidr: this.regionConfig.vpcCidr,
      naming,
      engine,
      size: this.config.compute.services.tradingEngine,
      capacity: engine.capacity[role],
      logRetention: this.logRetention,
      removalPolicy: this.dataRemovalPolicy,
      kafka: { clusterArn: kafka.clusterArn, clientSecurityGroup: kafka.clientSecurityGroup },
      database: data,
      // The application role (data.aurora.databaseUsers documents the first as it).
      databaseUser: data.databaseUsers[0],
      parameters: {
        brokers: naming.kafkaParameter('bootstrap-brokers'),
        shardMap: naming.parameter('data', ...DATA_PARAMETERS.shardMap),
        killSwitch: naming.killSwitchParameter,
      },
    });

    // For the runbooks and tools that are not CDK (names are deterministic; the endpoint is not).
    const put = (key: string, value: string, description: string) =>
      new ssm.StringParameter(this, `Param-${key}`, { parameterName: naming.parameter('application', 'trading-engine', key), stringValue: value, description });
    put('cluster-name', this.engine.cluster.clusterName, 'ECS cluster of the trading engine');
    put('service-name', this.engine.service.serviceName, 'ECS service of the trading engine (scalable target service/<cluster>/<service>)');
    put('load-balancer-dns', this.engine.loadBalancer.loadBalancerDnsName, 'Internal load balancer of the engine: GET /health, /ready');
  }
}
