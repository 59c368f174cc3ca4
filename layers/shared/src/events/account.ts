/**
 * Account events the API emits: a user's investment plan and subscription changed. They are not Kafka
 * events (the tertiary has no MSK, and nothing in the trading core consumes them): the API puts them on
 * the region's EventBridge bus with source `platform.api`, detail-type = `type`, detail = the event.
 * Rules on that bus (reporting, notifications) subscribe to them. See docs/api.md#events.
 */
import * as z from 'zod';
import { defineEvent, type EventOf } from './define';
import { currency, identifier, positiveDecimal, symbol, userId } from './primitives';

/** The EventBridge source of every API event; forwarding rules match `platform.ops.*` only, so these stay in their region. */
export const API_EVENT_SOURCE = 'platform.api';

export const PLAN_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export const PLAN_STATUSES = ['active', 'paused', 'cancelled'] as const;

export const InvestmentPlanChangedV1 = defineEvent('InvestmentPlanChanged', 1, "A user's recurring investment plan was created, updated or cancelled.", {
  userId,
  planId: z.uuid(),
  change: z.enum(['created', 'updated', 'cancelled']),
  symbol,
  /** Quote-currency amount bought each period. */
  amount: positiveDecimal,
  currency,
  frequency: z.enum(PLAN_FREQUENCIES),
  status: z.enum(PLAN_STATUSES),
  /** Increases with every change of this plan: consumers drop an older one than they hold. */
  revision: z.number().int().positive(),
});

export const SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'cancelled'] as const;

export const SubscriptionChangedV1 = defineEvent('SubscriptionChanged', 1, "The billing provider reports a change of a user's subscription.", {
  userId,
  /** The billing provider's event id: the webhook is idempotent on it. */
  billingEventId: identifier,
  plan: identifier,
  status: z.enum(SUBSCRIPTION_STATUSES),
  /** End of the paid period, if the provider gives one. */
  currentPeriodEnd: z.iso.datetime().optional(),
});

export type InvestmentPlanChanged = EventOf<typeof InvestmentPlanChangedV1>;
export type SubscriptionChanged = EventOf<typeof SubscriptionChangedV1>;
