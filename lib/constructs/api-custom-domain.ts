/**
 * The optional custom domain of the REST API in one region: a regional API Gateway domain name with the
 * region's certificate, mapped to the stage, and a Route 53 latency record (CNAME, TTL 60 s) guarded by a
 * health check of the region's `/health` every 30 s that fails after 3 misses. Each region adds its own
 * record under the same name; Route 53 answers with the nearest healthy region.
 */
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

export const HEALTH_CHECK = { intervalSeconds: 30, failureThreshold: 3, recordTtlSeconds: 60 } as const;

export interface ApiCustomDomainProps {
  readonly api: apigateway.RestApi;
  readonly domainName: string;
  readonly hostedZoneId: string;
  readonly hostedZoneName: string;
  readonly certificateArn: string;
  readonly region: string;
  /** `/v1/health`: the stage and path the health check requests on the API's own endpoint. */
  readonly healthPath: string;
}

export class ApiCustomDomain extends Construct {
  readonly healthCheck: route53.CfnHealthCheck;

  constructor(scope: Construct, id: string, props: ApiCustomDomainProps) {
    super(scope, id);
    const domain = new apigateway.DomainName(this, 'Domain', {
      domainName: props.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      mapping: props.api,
    });
    // The regional endpoint itself, not the shared name: a health check of the name would follow DNS to
    // whichever region answers.
    this.healthCheck = new route53.CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: 'HTTPS',
        fullyQualifiedDomainName: `${props.api.restApiId}.execute-api.${props.region}.amazonaws.com`,
        resourcePath: props.healthPath,
        port: 443,
        requestInterval: HEALTH_CHECK.intervalSeconds,
        failureThreshold: HEALTH_CHECK.failureThreshold,
      },
    });
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.hostedZoneName });
    const record = new route53.CnameRecord(this, 'LatencyRecord', {
      zone,
      recordName: props.domainName,
      domainName: domain.domainNameAliasDomainName,
      ttl: Duration.seconds(HEALTH_CHECK.recordTtlSeconds),
      region: props.region,
      setIdentifier: props.region,
    });
    (record.node.defaultChild as route53.CfnRecordSet).healthCheckId = this.healthCheck.attrHealthCheckId;
  }
}
