/**
 * What exists once per environment, deployed in the primary region: the monthly cost budget and its
 * alert topic. Later issues add routing. (The Aurora global clusters and the DynamoDB global tables live in
 * the primary's data stack: see docs/data.md.)
 */
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export class GlobalStack extends PlatformStack {
  readonly budgetTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description' | 'role'>) {
    super(scope, id, { ...props, role: 'primary', description: 'Resources that exist once per environment: budget and alerts' });

    // AWS Budgets publishes to the topic, so it must be able to use the topic's key.
    const key = new kms.Key(this, 'BudgetTopicKey', {
      alias: `alias/${this.naming.physicalName('budget-alerts')}`,
      description: 'Encrypts the budget alert topic',
      enableKeyRotation: true,
      removalPolicy: this.dataRemovalPolicy,
    });
    const budgetsPrincipal = new iam.ServicePrincipal('budgets.amazonaws.com');
    key.grant(budgetsPrincipal, 'kms:GenerateDataKey*', 'kms:Decrypt');

    this.budgetTopic = new sns.Topic(this, 'BudgetAlerts', {
      topicName: this.naming.physicalName('budget-alerts'),
      masterKey: key,
      enforceSSL: true,
    });
    this.budgetTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBudgetsToPublish',
        principals: [budgetsPrincipal],
        actions: ['sns:Publish'],
        resources: [this.budgetTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    for (const email of this.config.budget.alertEmails) {
      this.budgetTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const notification = (type: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: { notificationType: type, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers: [{ subscriptionType: 'SNS', address: this.budgetTopic.topicArn }],
    });
    new budgets.CfnBudget(this, 'MonthlyBudget', {
      budget: {
        budgetName: this.naming.physicalName('monthly'),
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: this.config.budget.monthlyUsd, unit: 'USD' },
        // Only this environment's spend, by its cost-allocation tag (activate the tag in Billing once).
        costFilters: { TagKeyValue: [`user:environment$${this.config.environment}`] },
      },
      notificationsWithSubscribers: this.config.budget.alertThresholdsPercent.flatMap((t) => [
        notification('ACTUAL', t),
        notification('FORECASTED', t),
      ]),
    });
  }
}
