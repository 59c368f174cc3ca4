#!/usr/bin/env node
/**
 * The CDK app: `-c env=dev|staging|prod` picks the config (default dev), `-c account=…` or
 * CDK_DEFAULT_ACCOUNT the account (default: a synth-only placeholder). Everything else is in config.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig, resolveAccount } from '../lib/config';
import { buildPlatform } from '../lib/platform';

const app = new App();
try {
  const config = loadConfig(app.node.tryGetContext('env') ?? 'dev');
  const target = resolveAccount(app.node.tryGetContext('account'), process.env.CDK_DEFAULT_ACCOUNT);
  buildPlatform(app, config, target);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
