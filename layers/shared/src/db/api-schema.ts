/**
 * The API's own tables (schema `api`): investment plans, and the billing webhook's idempotency ledger and
 * subscriptions. Migrations are append-only; they run in the writer region only (DDL is never forwarded
 * by Aurora write forwarding), once per version, under an advisory lock.
 */
import type { Sql } from '../clients/sql';

export const API_SCHEMA = 'api';

export const API_MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE ${API_SCHEMA}.investment_plans (
       plan_id uuid PRIMARY KEY,
       user_id text NOT NULL,
       symbol text NOT NULL,
       amount numeric NOT NULL CHECK (amount > 0),
       currency text NOT NULL,
       frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
       status text NOT NULL CHECK (status IN ('active', 'paused', 'cancelled')),
       revision int NOT NULL,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL)`,
    `CREATE INDEX investment_plans_by_user ON ${API_SCHEMA}.investment_plans (user_id, created_at)`,
    `CREATE TABLE ${API_SCHEMA}.billing_events (
       billing_event_id text PRIMARY KEY,
       user_id text NOT NULL,
       event_id uuid NOT NULL,
       received_at timestamptz NOT NULL)`,
    `CREATE TABLE ${API_SCHEMA}.subscriptions (
       user_id text PRIMARY KEY,
       plan text NOT NULL,
       status text NOT NULL,
       current_period_end timestamptz,
       billing_event_id text NOT NULL,
       updated_at timestamptz NOT NULL)`,
  ],
];

/** Something that can run statements in one transaction (a pg client, PGlite). */
export interface Transactional extends Sql {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

export async function migrateApiSchema(db: Transactional): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('${API_SCHEMA}.migrations'))`);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${API_SCHEMA}`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${API_SCHEMA}.schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number }>(`SELECT version FROM ${API_SCHEMA}.schema_migrations`);
    const applied = new Set(rows.map((r) => Number(r.version)));
    let count = 0;
    for (const [i, statements] of API_MIGRATIONS.entries()) {
      if (applied.has(i + 1)) continue;
      for (const statement of statements) await tx.query(statement);
      await tx.query(`INSERT INTO ${API_SCHEMA}.schema_migrations (version) VALUES ($1)`, [i + 1]);
      count++;
    }
    return count;
  });
}

/** A pg Pool as Transactional (one client per transaction). */
export function poolTransactional(pool: {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
  connect(): Promise<{ query(text: string, params?: unknown[]): Promise<{ rows: any[] }>; release(error?: Error | boolean): void }>;
}): Transactional {
  return {
    query: (text, params) => pool.query(text, params),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: (text, params) => client.query(text, params) });
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => client.release(),
          (e: Error) => client.release(e),
        );
        throw error;
      }
    },
  };
}
