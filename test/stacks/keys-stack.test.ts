import { REGION_ROLES } from '../../lib/config';
import { ALL_ENVIRONMENTS, platformOf } from '../helpers/platform';

describe.each(ALL_ENVIRONMENTS)('keys stacks in %s', (env) => {
  const platform = platformOf(env);

  it('exist once per region, stateful, with no dependency (they deploy first)', () => {
    expect(platform.regions.map((r) => r.keys.stackName)).toEqual(
      REGION_ROLES.map((role) => `trading-${env}-${platform.config.regions[role].region}-keys`),
    );
    for (const { keys } of platform.regions) {
      expect(keys.terminationProtection).toBe(true);
      expect(keys.dependencies).toEqual([]);
    }
  });

  it('hold a rotating data key under the same alias in every region, published in SSM', () => {
    for (const { keys } of platform.regions) {
      const t = platform.template(keys);
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: env === 'dev' ? 'Delete' : 'Retain' });
      t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/trading-${env}-data` });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: `/trading/${env}/keys/data-key-arn`, Value: { 'Fn::GetAtt': [keys.getLogicalId(keys.dataKey.node.defaultChild as any), 'Arn'] } });
    }
  });
});
