/**
 * Builds the real platform for tests, once per environment and test file. Bundling is skipped
 * (`aws:cdk:bundling-stacks: []`): Lambda code is bundled and measured by synth and the bench, not here.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, resolveAccount, type EnvironmentName, type PlatformConfig } from '../../lib/config';
import { buildPlatform, type Platform } from '../../lib/platform';
import type { PlatformStack } from '../../lib/stacks/platform-stack';

export const TEST_ACCOUNT = '111111111111';

/** cdk.json's feature flags: tests must build what `cdk synth` builds. */
const CDK_JSON_CONTEXT = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;

export function testApp(outdir?: string): App {
  return new App({
    outdir: outdir ?? mkdtempSync(join(tmpdir(), 'cdk-test-')),
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] },
  });
}

export interface BuiltPlatform extends Platform {
  readonly app: App;
  readonly config: PlatformConfig;
  template(stack: PlatformStack): Template;
}

const cache = new Map<EnvironmentName, BuiltPlatform>();

/** The platform of one environment, built once per test file. */
export function platformOf(env: EnvironmentName): BuiltPlatform {
  const hit = cache.get(env);
  if (hit) return hit;
  const app = testApp();
  const config = loadConfig(env);
  const platform = buildPlatform(app, config, resolveAccount(TEST_ACCOUNT, undefined));
  const templates = new Map<PlatformStack, Template>();
  const built: BuiltPlatform = {
    ...platform,
    app,
    config,
    template(stack) {
      let t = templates.get(stack);
      if (!t) templates.set(stack, (t = Template.fromStack(stack)));
      return t;
    },
  };
  cache.set(env, built);
  return built;
}

export const ALL_ENVIRONMENTS: readonly EnvironmentName[] = ['dev', 'staging', 'prod'];
