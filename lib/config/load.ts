/**
 * Loads and validates one environment's config, and resolves the account to deploy into.
 * Every failure names the environment file, the field, its value and what is allowed, in one message.
 */
import { z } from 'zod';
import { dev } from './environments/dev';
import { prod } from './environments/prod';
import { staging } from './environments/staging';
import { configSchema, ENVIRONMENTS, type EnvironmentFile, type EnvironmentName, type PlatformConfig } from './schema';

const ENVIRONMENT_FILES: Readonly<Record<EnvironmentName, EnvironmentFile>> = { dev, staging, prod };

/** The account synth uses when none is given: synthesizes, but can never be deployed (see README). */
export const PLACEHOLDER_ACCOUNT = '000000000000';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function environmentFile(env: EnvironmentName): string {
  return `lib/config/environments/${env}.ts`;
}

/** The environment named by `-c env=…` (default dev), validated. */
export function loadConfig(env: string = 'dev'): PlatformConfig {
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) {
    throw new ConfigError(`Unknown environment "${env}" (from -c env=${env}): expected one of ${ENVIRONMENTS.join(', ')}`);
  }
  const name = env as EnvironmentName;
  return validateConfig(ENVIRONMENT_FILES[name], environmentFile(name));
}

/** Validates raw config; `source` names where it came from in the error message. */
export function validateConfig(raw: unknown, source: string): PlatformConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => describeIssue(raw, issue));
  throw new ConfigError(`Invalid config in ${source}:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
  }
  const value = valueAt(raw, issue.path);
  if (value === undefined) return `${field} is missing: ${issue.message}`;
  return `${field} = ${JSON.stringify(value)}: ${issue.message}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export interface DeployTarget {
  readonly account: string;
  /**
   * True when no account was given. Such templates synthesize, but `cdk deploy` refuses them: the CLI
   * will not act on account 000000000000 with anyone's credentials, and every stack warns at synth.
   */
  readonly isPlaceholder: boolean;
}

/** `-c account=…`, else CDK_DEFAULT_ACCOUNT, else the synth-only placeholder. */
export function resolveAccount(contextAccount: unknown, envAccount: string | undefined): DeployTarget {
  const given = contextAccount ?? envAccount;
  if (given === undefined || given === '') return { account: PLACEHOLDER_ACCOUNT, isPlaceholder: true };
  const account = String(given);
  if (!/^\d{12}$/.test(account)) {
    throw new ConfigError(`account = ${JSON.stringify(account)}: expected a 12-digit AWS account id (-c account=… or CDK_DEFAULT_ACCOUNT)`);
  }
  if (account === PLACEHOLDER_ACCOUNT) return { account, isPlaceholder: true };
  return { account, isPlaceholder: false };
}
