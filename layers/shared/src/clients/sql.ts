/**
 * The one query shape API and worker logic needs: a `pg` Pool (through RDS Proxy), PGlite and a pg Client
 * all satisfy it, so logic is tested on a real PostgreSQL without adapters.
 */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
