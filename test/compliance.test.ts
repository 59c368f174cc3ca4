/**
 * cdk-nag's AwsSolutions pack over every stack of every environment: any unacknowledged finding
 * (error or warning) fails, and every acknowledgement must carry a reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { loadConfig, resolveAccount } from '../lib/config';
import { acknowledge, applyCompliance } from '../lib/compliance';
import { buildPlatform } from '../lib/platform';
import { ALL_ENVIRONMENTS, TEST_ACCOUNT, testApp } from './helpers/platform';

interface Finding {
  rule: string;
  path: string;
  description: string;
}

/** Synthesizes the app and returns its nag findings (synth throws on error-level ones; warnings do not). */
function findingsOf(app: ReturnType<typeof testApp>): Finding[] {
  try {
    app.synth();
  } catch (e) {
    if (!/Validation ?failed/i.test(String(e))) throw e;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports
    .filter((p: { pluginName: string }) => p.pluginName === 'AwsSolutions')
    .flatMap((p: any) =>
      p.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => ({ rule: v.ruleName, path: c.constructPath, description: v.description }))),
    );
}

describe.each(ALL_ENVIRONMENTS)('AwsSolutions checks in %s', (env) => {
  it('report no unacknowledged finding', () => {
    const app = testApp();
    buildPlatform(app, loadConfig(env), resolveAccount(TEST_ACCOUNT, undefined));
    expect(findingsOf(app)).toEqual([]);
  });
});

describe('the compliance gate', () => {
  it('catches a finding (so the tests above can fail)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Probe', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    new s3.Bucket(stack, 'UnencryptedLoggingFreeBucket');
    applyCompliance(app);
    const rules = findingsOf(app).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });

  it('refuses an acknowledgement without a reason a reviewer could check', () => {
    const app = testApp();
    const stack = new Stack(app, 'Probe', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    expect(() => acknowledge(stack, { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'needed' })).toThrow(
      'Acknowledgement of AwsSolutions-IAM5[Resource::*] at Probe needs a reason (40+ characters) a security reviewer can check',
    );
  });
});
