/**
 * The engine's integration tests run against the local PostgreSQL server (127.0.0.1:5432, trust auth,
 * started by .ci/services in CI) through the engine's own pg adapter, so the production code path is the
 * one tested. Each test file gets a database of its own, dropped afterwards. Without a server the suites
 * are skipped with a message saying so.
 */
import { spawnSync } from 'node:child_process';
import { Pool } from 'pg';
import { poolDatabase, type Database } from '../../../services/trading-engine/src/db/database';

export const LOCAL_POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

/** Synchronous (jest decides what to skip while it collects tests): can a TCP connection be opened? */
function serverAnswers(): boolean {
  const probe = `require('net').connect(${LOCAL_POSTGRES.port}, '${LOCAL_POSTGRES.host}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

export const POSTGRES_AVAILABLE = serverAnswers();

/** `describe` when the server answers, else a skipped suite that says why. */
export function describeWithPostgres(name: string, body: () => void): void {
  if (POSTGRES_AVAILABLE) return describe(name, body);
  describe.skip(`${name} (skipped: no PostgreSQL at ${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port}; run bash .ci/services)`, body);
}

export interface TestDatabase {
  readonly db: Database;
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** A fresh, empty database on the local server. */
export async function freshDatabase(label: string): Promise<TestDatabase> {
  const name = `engine_${label}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Pool({ ...LOCAL_POSTGRES, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const pool = new Pool({ ...LOCAL_POSTGRES, database: name, max: 5 });
  // DROP ... WITH (FORCE) ends connections a closing pool still holds: expected here, not a failure.
  pool.on('error', () => undefined);
  return {
    db: poolDatabase(pool),
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
