import { Match } from 'aws-cdk-lib/assertions';
import { ALL_ENVIRONMENTS, platformOf } from '../helpers/platform';

const BUDGETS = { dev: 500, staging: 1500, prod: 10000 };

describe.each(ALL_ENVIRONMENTS)('global stack in %s', (env) => {
  const platform = platformOf(env);
  const t = platform.template(platform.global);

  it('lives once, in the primary region', () => {
    expect(platform.global.stackName).toBe(`trading-${env}-global`);
    expect(platform.global.region).toBe(platform.config.regions.primary.region);
  });

  it(`has a monthly cost budget of $${BUDGETS[env]} for this environment's tag`, () => {
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: BUDGETS[env], Unit: 'USD' },
        CostFilters: { TagKeyValue: [`user:environment$${env}`] },
      },
      NotificationsWithSubscribers: Match.arrayWith([
        Match.objectLike({ Notification: Match.objectLike({ NotificationType: 'FORECASTED', Threshold: 80 }) }),
        Match.objectLike({ Notification: Match.objectLike({ NotificationType: 'ACTUAL', Threshold: 100 }) }),
      ]),
    });
  });

  it('alerts through an encrypted topic that AWS Budgets may publish to', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowBudgetsToPublish', Principal: { Service: 'budgets.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });
});
