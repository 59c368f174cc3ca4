/**
 * The little of PostgreSQL the engine needs: the platform's `Sql` / `Transactional` (@shared/clients/sql)
 * and a close. Production passes a `pg` pool (IAM tokens through RDS Proxy); tests pass PGlite or the
 * local server through the same shape.
 */
import { poolTransactional, type PgPoolLike, type Sql, type Transactional } from '@shared/clients/sql';

export type { Sql };

export interface Database extends Transactional {
  close(): Promise<void>;
}

export function poolDatabase(pool: PgPoolLike & { end(): Promise<void> }): Database {
  return { ...poolTransactional(pool), close: () => pool.end() };
}
