/**
 * The little of PostgreSQL the engine needs: queries and transactions. Production passes a `pg` pool
 * (pg.ts, IAM tokens through RDS Proxy); tests pass PGlite or the local server through the same shape.
 */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

export interface Database extends Sql {
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The subset of pg's Pool the adapter uses (so that tests can hand in any compatible pool). */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
  connect(): Promise<{ query(text: string, params?: unknown[]): Promise<{ rows: any[] }>; release(destroy?: boolean | Error): void }>;
  end(): Promise<void>;
}

export function poolDatabase(pool: PgPoolLike): Database {
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
    close: () => pool.end(),
  };
}
