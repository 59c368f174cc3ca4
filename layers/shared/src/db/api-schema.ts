/**
 * The API's own tables (schema `api`): investment plans, and the billing webhook's idempotency ledger and
 * subscriptions. Migrations are append-only; they run in the writer region only (DDL is never forwarded
 * by Aurora write forwarding), once per version, under an advisory lock.
 */
import { migrateSchema, type Transactional } from '../clients/sql';

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
  [
    // Notification preferences (layers/shared/src/notifications/preferences.ts): one row per user.
    `CREATE TABLE ${API_SCHEMA}.notification_preferences (
       user_id text PRIMARY KEY,
       email text,
       phone text,
       push_endpoint_arn text,
       channels jsonb NOT NULL,
       quiet_hours jsonb,
       updated_at timestamptz NOT NULL)`,
  ],
];

/** Applies the API's migrations not applied yet (writer region only). */
export async function migrateApiSchema(db: Transactional): Promise<number> {
  return migrateSchema(db, API_SCHEMA, API_MIGRATIONS);
}
