/**
 * The reporting schema's migrations as a CloudFormation custom resource (Provider framework onEvent):
 * Create and Update apply the migrations not applied yet on every shard (migrateSchema: one transaction
 * under an advisory lock, so a concurrent run waits, then finds nothing to do); Delete does nothing, since
 * removing the resource must never drop data. The stack passes a hash of REPORTING_MIGRATIONS as a
 * property, so that a new migration is an Update.
 */
import type { Transactional } from '@shared/clients/sql';
import { migrateReportingSchema, REPORTING_MIGRATIONS } from '@shared/db/reporting-schema';

export const PHYSICAL_RESOURCE_ID = 'reporting-schema';

/** The fields of the Provider framework's onEvent request this handler reads. */
export interface MigrationEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

export interface MigrationResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly version: number };
}

export interface MigrationDeps {
  readonly shards: () => Promise<readonly Transactional[]>;
  readonly log: (message: string, details?: Record<string, unknown>) => void;
}

export async function onMigrationEvent(event: MigrationEvent, deps: MigrationDeps): Promise<MigrationResponse> {
  switch (event.RequestType) {
    case 'Delete':
      deps.log('reporting schema resource deleted: data kept');
      return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
    case 'Create':
    case 'Update': {
      const shards = await deps.shards();
      const applied = await Promise.all(shards.map((db) => migrateReportingSchema(db)));
      deps.log('reporting schema migrated', { applied, version: REPORTING_MIGRATIONS.length });
      return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { version: REPORTING_MIGRATIONS.length } };
    }
    default:
      throw new Error(`RequestType must be Create, Update or Delete, got ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`);
  }
}
