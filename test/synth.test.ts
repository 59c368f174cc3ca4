/**
 * The README's synth command through the real CLI, bundling included, for every environment: no
 * credentials, no network, the placeholder account, stacks in all three regions.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_ENVIRONMENTS } from './helpers/platform';

const ROOT = join(__dirname, '..');

describe.each(ALL_ENVIRONMENTS)('npx cdk synth -c env=%s', (env) => {
  it('synthesizes every stack of every region without AWS', () => {
    const out = mkdtempSync(join(tmpdir(), `synth-${env}-`));
    const { AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, CDK_DEFAULT_ACCOUNT, ...bare } = process.env;
    const run = spawnSync(join(ROOT, 'node_modules/.bin/cdk'), ['synth', '--quiet', '-c', `env=${env}`, '-o', out], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...bare, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const stacks = Object.values<any>(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack');
    const regions = new Set(stacks.map((s) => s.environment.split('/').pop()));
    expect([...regions].sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(stacks.every((s) => s.environment.startsWith('aws://000000000000/'))).toBe(true);
  });
});
