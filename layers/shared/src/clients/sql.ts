/**
 * The little of PostgreSQL the platform's code needs: queries, transactions and versioned migrations. A
 * `pg` Pool (through RDS Proxy), PGlite and a pg Client all satisfy `Sql`, so logic is tested on a real
 * PostgreSQL without adapters; `poolTransactional` adds transactions over a pool.
 */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

export interface Transactional extends Sql {
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** The subset of pg's Pool the adapter uses (so that tests can hand in any compatible pool). */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
  connect(): Promise<{ query(text: string, params?: unknown[]): Promise<{ rows: any[] }>; release(destroy?: boolean | Error): void }>;
}

/** A pg Pool as Transactional: one client per transaction. */
export function poolTransactional(pool: PgPoolLike): Transactional {
  return {
    query: async (text, params) => pool.query(text, params ? [...params] : undefined),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Sql = { query: async (text, params) => client.query(text, params ? [...params] : undefined) };
        const result = await work(tx);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // A failed ROLLBACK means the connection is broken: destroy it rather than reuse it.
        await client.query('ROLLBACK').then(
          () => client.release(),
          (e: Error) => client.release(e),
        );
        throw error;
      }
    },
  };
}

/**
 * Applies the migrations of `schema` not applied yet, in order, in one transaction under an advisory lock
 * (concurrent cold starts or deploys wait instead of racing). Migrations are append-only: version N is
 * `migrations[N - 1]`, never edited once deployed. Returns how many were applied (0: already current).
 */
export async function migrateSchema(db: Transactional, schema: string, migrations: readonly (readonly string[])[]): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('${schema}.migrations'))`);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`);
    const applied = new Set(rows.map((r) => Number(r.version)));
    let count = 0;
    for (const [i, statements] of migrations.entries()) {
      const version = i + 1;
      if (applied.has(version)) continue;
      for (const statement of statements) await tx.query(statement);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [version]);
      count++;
    }
    return count;
  });
}
