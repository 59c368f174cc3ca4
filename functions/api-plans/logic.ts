/**
 * Investment plans: a user's recurring buy of a symbol (amount per day, week or month). Create, list,
 * update (amount, frequency, pause/resume), cancel. Stored in `api.investment_plans` on the user's shard;
 * every change is published as InvestmentPlanChanged after it is stored.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { EventPublisher } from '@shared/clients/event-bus';
import type { Sql } from '@shared/clients/sql';
import { API_SCHEMA } from '@shared/db/api-schema';
import { createEvent, currency, InvestmentPlanChangedV1, PLAN_FREQUENCIES, positiveDecimal, symbol } from '@shared/events';
import { HttpError, json, parseBody, router, userIdOf, validateInput, type ErrorLog, type RestEvent } from '@shared/http/rest';

export interface PlansDeps {
  /** The pool that writes the user's shard (the writer, or forwarding readers in the tertiary). */
  readonly sqlFor: (userId: string) => Sql;
  readonly events: EventPublisher;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

export const MAX_ACTIVE_PLANS = 50;

export const createPlanBody = z.strictObject({
  symbol,
  amount: positiveDecimal,
  currency,
  frequency: z.enum(PLAN_FREQUENCIES),
});

export const updatePlanBody = z
  .strictObject({
    amount: positiveDecimal.optional(),
    frequency: z.enum(PLAN_FREQUENCIES).optional(),
    status: z.enum(['active', 'paused']).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of amount, frequency, status' });

const planIdParam = z.strictObject({ planId: z.uuid({ message: 'expected a plan id (UUID)' }) });

export interface Plan {
  readonly planId: string;
  readonly symbol: string;
  readonly amount: string;
  readonly currency: string;
  readonly frequency: (typeof PLAN_FREQUENCIES)[number];
  readonly status: 'active' | 'paused' | 'cancelled';
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const COLUMNS = `plan_id, symbol, amount::text AS amount, currency, frequency, status, revision, created_at, updated_at`;

function toPlan(r: Record<string, any>): Plan {
  return {
    planId: r.plan_id,
    symbol: r.symbol,
    amount: r.amount,
    currency: r.currency,
    frequency: r.frequency,
    status: r.status,
    revision: Number(r.revision),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

async function publish(deps: PlansDeps, userId: string, plan: Plan, change: 'created' | 'updated' | 'cancelled') {
  const event = createEvent(
    InvestmentPlanChangedV1,
    { userId, planId: plan.planId, change, symbol: plan.symbol, amount: plan.amount, currency: plan.currency, frequency: plan.frequency, status: plan.status, revision: plan.revision },
    { now: deps.now },
  );
  await deps.events.publish(event);
  return event.eventId;
}

export async function createPlan(event: RestEvent, deps: PlansDeps) {
  const userId = userIdOf(event);
  const body = parseBody(event, createPlanBody, deps.maxBodyBytes);
  const sql = deps.sqlFor(userId);
  const { rows: count } = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${API_SCHEMA}.investment_plans WHERE user_id = $1 AND status <> 'cancelled'`, [userId]);
  if (Number(count[0].n) >= MAX_ACTIVE_PLANS) throw new HttpError(409, `at most ${MAX_ACTIVE_PLANS} plans may be open at once`);
  const now = (deps.now ?? (() => new Date()))();
  const { rows } = await sql.query(
    `INSERT INTO ${API_SCHEMA}.investment_plans (plan_id, user_id, symbol, amount, currency, frequency, status, revision, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', 1, $7, $7) RETURNING ${COLUMNS}`,
    [(deps.newId ?? randomUUID)(), userId, body.symbol, body.amount, body.currency, body.frequency, now.toISOString()],
  );
  const plan = toPlan(rows[0]);
  const eventId = await publish(deps, userId, plan, 'created');
  return json(201, { plan, eventId });
}

export async function listPlans(event: RestEvent, deps: PlansDeps) {
  const userId = userIdOf(event);
  const { rows } = await deps.sqlFor(userId).query(`SELECT ${COLUMNS} FROM ${API_SCHEMA}.investment_plans WHERE user_id = $1 ORDER BY created_at, plan_id`, [userId]);
  return json(200, { plans: rows.map(toPlan) });
}

export async function updatePlan(event: RestEvent, deps: PlansDeps) {
  const userId = userIdOf(event);
  const { planId } = validateInput(planIdParam, event.pathParameters ?? {});
  const body = parseBody(event, updatePlanBody, deps.maxBodyBytes);
  const now = (deps.now ?? (() => new Date()))();
  // A cancelled plan stays cancelled; the user id in the WHERE keeps users out of each other's plans.
  const { rows } = await deps.sqlFor(userId).query(
    `UPDATE ${API_SCHEMA}.investment_plans
        SET amount = coalesce($3::numeric, amount), frequency = coalesce($4, frequency), status = coalesce($5, status),
            revision = revision + 1, updated_at = $6
      WHERE plan_id = $1 AND user_id = $2 AND status <> 'cancelled' RETURNING ${COLUMNS}`,
    [planId, userId, body.amount ?? null, body.frequency ?? null, body.status ?? null, now.toISOString()],
  );
  if (rows.length === 0) throw new HttpError(404, `no open plan ${planId}`, 'planId');
  const plan = toPlan(rows[0]);
  return json(200, { plan, eventId: await publish(deps, userId, plan, 'updated') });
}

export async function cancelPlan(event: RestEvent, deps: PlansDeps) {
  const userId = userIdOf(event);
  const { planId } = validateInput(planIdParam, event.pathParameters ?? {});
  const now = (deps.now ?? (() => new Date()))();
  const { rows } = await deps.sqlFor(userId).query(
    `UPDATE ${API_SCHEMA}.investment_plans SET status = 'cancelled', revision = revision + 1, updated_at = $3
      WHERE plan_id = $1 AND user_id = $2 AND status <> 'cancelled' RETURNING ${COLUMNS}`,
    [planId, userId, now.toISOString()],
  );
  if (rows.length === 0) throw new HttpError(404, `no open plan ${planId}`, 'planId');
  const plan = toPlan(rows[0]);
  return json(200, { plan, eventId: await publish(deps, userId, plan, 'cancelled') });
}

export const planRoutes = (log: ErrorLog) =>
  router<PlansDeps>(
    {
      'POST /plans': createPlan,
      'GET /plans': listPlans,
      'PATCH /plans/{planId}': updatePlan,
      'DELETE /plans/{planId}': cancelPlan,
    },
    log,
  );
