/**
 * Who may call the API, created once, in the primary region:
 * - the Cognito user pool (the blueprint's user authentication service) and the app client the web and
 *   mobile apps sign in with (SRP, MFA required, no client secret: public clients);
 * - the billing provider's webhook signing secret, replicated to every other region so that each
 *   region's webhook verifies signatures locally.
 *
 * Tokens are verified in every region by the API's JWT authorizer against the pool's public keys, which
 * it keeps region-local (docs/api.md#authentication): when the primary is down, signed-in users keep
 * working until their tokens expire; signing in (and refreshing tokens) needs the primary.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { REGION_ROLES } from '../config';
import { acknowledge } from '../compliance';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export class IdentityStack extends PlatformStack {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly billingWebhookSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description' | 'stateful'>) {
    super(scope, id, { ...props, stateful: true, description: 'Identity of the platform (primary region): Cognito user pool, app client, billing webhook secret' });
    const { naming, config } = this;
    if (this.role !== 'primary') throw new Error(`the identity stack belongs to the primary region, not the ${this.role}`);

    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: naming.identity.userPoolName,
      signInAliases: { email: true },
      autoVerify: { email: true },
      selfSignUpEnabled: true,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: compromised-credential and adaptive-authentication checks on every sign-in (a trading account).
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: config.environment !== 'dev',
      removalPolicy: this.dataRemovalPolicy,
    });

    const tokenValidity = Duration.minutes(config.api.tokenValidityMinutes);
    this.client = this.userPool.addClient('AppClient', {
      userPoolClientName: naming.physicalName('app'),
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: tokenValidity,
      idTokenValidity: tokenValidity,
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    new ssm.StringParameter(this, 'UserPoolIdParameter', {
      parameterName: naming.identity.userPoolIdParameter,
      stringValue: this.userPool.userPoolId,
      description: 'Cognito user pool id (its region is the prefix); API stacks of every region read it at deploy time',
    });
    new ssm.StringParameter(this, 'UserPoolClientIdParameter', {
      parameterName: naming.identity.userPoolClientIdParameter,
      stringValue: this.client.userPoolClientId,
      description: 'Cognito app client id: the audience the API authorizer accepts',
    });

    const replicas = REGION_ROLES.filter((r) => r !== 'primary').map((r) => ({ region: config.regions[r].region }));
    this.billingWebhookSecret = new secretsmanager.Secret(this, 'BillingWebhookSecret', {
      secretName: naming.api.billingWebhookSecretName,
      description: "The billing provider's webhook signing secret (HMAC-SHA256). Set it to the provider's value after the first deploy.",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      replicaRegions: replicas,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.billingWebhookSecret, {
      id: 'AwsSolutions-SMG4',
      reason: "The billing provider issues the signing secret and rotates it in its own console; the webhook re-reads it every 5 minutes, so Secrets Manager rotation has nothing to rotate.",
    });
  }
}
