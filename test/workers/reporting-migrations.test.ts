/** The reporting schema's migrations and their custom resource: idempotent, safe when run concurrently, Delete keeps data. */
import { REPORTING_MIGRATIONS } from '@shared/db/reporting-schema';
import { onMigrationEvent } from '../../functions/reporting-migrations/logic';
import { describeWith } from '../helpers/services';
import { reportingShards, type ReportingShards } from './reporting-fixtures';

describeWith({ postgres: true }, 'reporting migrations (local PostgreSQL)', () => {
  let db: ReportingShards;
  beforeAll(async () => {
    db = await reportingShards('migrations', 2, { migrate: false });
  });
  afterAll(() => db.drop());

  const logs: string[] = [];
  const deps = () => ({ shards: async () => db.shards, log: (m: string) => logs.push(m) });
  const versions = async (shard: number) => (await db.pools[shard].query('SELECT version FROM reporting.schema_migrations ORDER BY 1')).rows.map((r) => r.version);

  it('migrates every shard on Create, once even when runs overlap, and reports the version', async () => {
    const responses = await Promise.all([1, 2, 3].map(() => onMigrationEvent({ RequestType: 'Create' }, deps())));
    for (const r of responses) expect(r).toEqual({ PhysicalResourceId: 'reporting-schema', Data: { version: REPORTING_MIGRATIONS.length } });
    const expected = REPORTING_MIGRATIONS.map((_, i) => i + 1);
    expect(await versions(0)).toEqual(expected);
    expect(await versions(1)).toEqual(expected);
    const { rows } = await db.pools[1].query(`SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'reporting' AND c.relkind = 'p' ORDER BY 1`);
    expect(rows.map((r) => r.relname)).toEqual(['position_changes', 'rollup_daily', 'rollup_hourly', 'rollup_weekly', 'trades']);
  });

  it('is a no-op on Update when current, and Delete drops nothing (without even connecting)', async () => {
    await db.pools[0].query(`INSERT INTO reporting.refresh_watermark (id, dirty_since) VALUES (true, now()) ON CONFLICT (id) DO UPDATE SET dirty_since = now()`);
    expect(await onMigrationEvent({ RequestType: 'Update', PhysicalResourceId: 'reporting-schema' }, deps())).toEqual({ PhysicalResourceId: 'reporting-schema', Data: { version: REPORTING_MIGRATIONS.length } });
    const shards = jest.fn(async () => db.shards);
    expect(await onMigrationEvent({ RequestType: 'Delete', PhysicalResourceId: 'reporting-schema' }, { shards, log: () => undefined })).toEqual({ PhysicalResourceId: 'reporting-schema' });
    expect(shards).not.toHaveBeenCalled();
    const { rows } = await db.pools[0].query('SELECT dirty_since FROM reporting.refresh_watermark');
    expect(rows[0].dirty_since).not.toBeNull();
  });

  it('refuses an unknown request type by name', async () => {
    await expect(onMigrationEvent({ RequestType: 'Rollback' as never }, deps())).rejects.toThrow('RequestType must be Create, Update or Delete, got "Rollback"');
  });
});
