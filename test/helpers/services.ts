/**
 * Real engines for the API's integration tests: the local PostgreSQL (a database per test file, dropped
 * afterwards) and the local Redis (shared with other suites: every key carries a unique prefix, and only
 * those keys are deleted). Suites skip with a message when a server is not running (`bash .ci/services`).
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { poolDatabase } from '../../services/trading-engine/src/db/database';
import { EngineStore } from '../../services/trading-engine/src/db/store';
import { poolTransactional } from '@shared/clients/sql';
import { migrateApiSchema } from '@shared/db/api-schema';

export const LOCAL_POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;
export const LOCAL_REDIS = { host: '127.0.0.1', port: 6379 } as const;

function answers(host: string, port: number): boolean {
  const probe = `require('net').connect(${port}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

export const POSTGRES_AVAILABLE = answers(LOCAL_POSTGRES.host, LOCAL_POSTGRES.port);
export const REDIS_AVAILABLE = answers(LOCAL_REDIS.host, LOCAL_REDIS.port);

export function describeWith(needs: { postgres?: boolean; redis?: boolean }, name: string, body: () => void): void {
  const missing = [needs.postgres && !POSTGRES_AVAILABLE ? `PostgreSQL at ${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port}` : '', needs.redis && !REDIS_AVAILABLE ? `Redis at ${LOCAL_REDIS.host}:${LOCAL_REDIS.port}` : '']
    .filter(Boolean)
    .join(' and ');
  if (!missing) return describe(name, body);
  describe.skip(`${name} (skipped: no ${missing}; run bash .ci/services)`, body);
}

export interface ApiTestDatabase {
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** A fresh database with the engine's tables (what the dashboard reads) and the API's own schema. */
export async function apiDatabase(label: string): Promise<ApiTestDatabase> {
  const name = `api_${label}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Pool({ ...LOCAL_POSTGRES, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const pool = new Pool({ ...LOCAL_POSTGRES, database: name, max: 5 });
  pool.on('error', () => undefined);
  await new EngineStore(poolDatabase(pool)).migrate();
  await migrateApiSchema(poolTransactional(pool));
  return {
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface TestRedis {
  readonly client: Redis;
  /** Unique to this run: `test:<uuid>:`. */
  readonly prefix: string;
  /** Deletes this run's keys (by the prefix it created; other suites' keys are never touched) and quits. */
  close(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const client = new Redis({ ...LOCAL_REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const prefix = `test:${randomUUID()}:`;
  return {
    client,
    prefix,
    async close() {
      // SCAN only in test clean-up, over this run's own prefix; production code never scans.
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await client.quit();
    },
  };
}

/** A REST proxy event as API Gateway delivers it after the JWT authorizer. */
export function restEvent(method: string, resource: string, options: { userId?: string; body?: unknown; query?: Record<string, string>; path?: Record<string, string>; headers?: Record<string, string> } = {}) {
  return {
    httpMethod: method,
    resource,
    headers: options.headers ?? {},
    pathParameters: options.path ?? null,
    queryStringParameters: options.query ?? null,
    body: options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: { requestId: `req-${randomUUID()}`, authorizer: options.userId === undefined ? null : { principalId: options.userId, userId: options.userId } },
  };
}

export const silentLog = { error: () => undefined };
