/**
 * Trading commands: a signal or an order request from a user becomes a SignalGenerated event on
 * `trading.signals`, keyed by the user (the engine decides and executes). Refused with 503 while the
 * region's kill switch is on. The response carries the event id; a client that sends its own signalId /
 * clientOrderId gets the same event id on a retry, which the engine deduplicates.
 */
import * as z from 'zod';
import { createEvent, identifier, positiveDecimal, side, SignalGeneratedV1, symbol, type SignalGenerated } from '@shared/events';
import { HttpError, json, parseBody, router, userIdOf, type ErrorLog, type RestEvent } from '@shared/http/rest';
import { deterministicEventId } from '@shared/runtime/ids';

/** Where a validated signal goes: MSK in the trading-core regions, a trading-core region's function from the tertiary. */
export interface SignalPublisher {
  publish(signal: SignalGenerated): Promise<void>;
}

export interface CommandsDeps {
  readonly publisher: SignalPublisher;
  /** True while trading is halted in this region (SSM kill switch is `on`). */
  readonly killSwitchOn: () => Promise<boolean>;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
}

export const DEFAULT_SIGNAL_TTL_SECONDS = 30;

const ttlSeconds = z.number().int().min(1).max(300).optional();

export const signalBody = z.strictObject({
  symbol,
  action: z.enum(['buy', 'sell', 'close']),
  quantity: positiveDecimal.optional(),
  limitPrice: positiveDecimal.optional(),
  confidence: z.number().min(0).max(1).optional(),
  strategyId: identifier.optional(),
  /** The client's id for this signal: a retry with the same one is the same event. */
  signalId: identifier.optional(),
  ttlSeconds,
});

export const orderBody = z.strictObject({
  symbol,
  side,
  quantity: positiveDecimal,
  limitPrice: positiveDecimal.optional(),
  clientOrderId: identifier.optional(),
  ttlSeconds,
});

async function submit(deps: CommandsDeps, userId: string, input: Omit<SignalGenerated, 'type' | 'version' | 'eventId' | 'occurredAt' | 'expiresAt' | 'userId'>, clientId: string | undefined, ttl: number | undefined) {
  if (await deps.killSwitchOn()) throw new HttpError(503, 'trading is halted in this region (kill switch on); retry later');
  const now = (deps.now ?? (() => new Date()))();
  const signal = createEvent(
    SignalGeneratedV1,
    { ...input, userId, expiresAt: new Date(now.getTime() + (ttl ?? DEFAULT_SIGNAL_TTL_SECONDS) * 1000).toISOString(), ...(clientId ? { eventId: deterministicEventId(userId, clientId) } : {}) },
    { now: () => now },
  );
  await deps.publisher.publish(signal);
  return json(202, { eventId: signal.eventId, signalId: signal.signalId, expiresAt: signal.expiresAt });
}

export async function postSignal(event: RestEvent, deps: CommandsDeps) {
  const userId = userIdOf(event);
  const body = parseBody(event, signalBody, deps.maxBodyBytes);
  const signalId = body.signalId ?? `sig-${crypto.randomUUID()}`;
  return submit(
    deps,
    userId,
    {
      signalId,
      strategyId: body.strategyId ?? 'manual',
      symbol: body.symbol,
      action: body.action,
      confidence: body.confidence ?? 1,
      ...(body.quantity ? { quantity: body.quantity } : {}),
      ...(body.limitPrice ? { limitPrice: body.limitPrice } : {}),
    },
    body.signalId,
    body.ttlSeconds,
  );
}

export async function postOrder(event: RestEvent, deps: CommandsDeps) {
  const userId = userIdOf(event);
  const body = parseBody(event, orderBody, deps.maxBodyBytes);
  return submit(
    deps,
    userId,
    {
      signalId: body.clientOrderId ?? `ord-${crypto.randomUUID()}`,
      strategyId: 'manual-order',
      symbol: body.symbol,
      action: body.side,
      confidence: 1,
      quantity: body.quantity,
      ...(body.limitPrice ? { limitPrice: body.limitPrice } : {}),
    },
    body.clientOrderId,
    body.ttlSeconds,
  );
}

export const commandRoutes = (log: ErrorLog) =>
  router<CommandsDeps>({ 'POST /trading/signals': postSignal, 'POST /trading/orders': postOrder }, log);

/** What the tertiary's commands function sends a trading-core region's commands function. */
export interface ForwardedSignal {
  readonly forwardedSignal: SignalGenerated;
}

export function isForwardedSignal(event: unknown): event is ForwardedSignal {
  return typeof event === 'object' && event !== null && 'forwardedSignal' in event;
}

/** A trading-core region publishes a signal the tertiary validated (validated again: it trusts no input). */
export async function handleForwarded(event: ForwardedSignal, deps: Pick<CommandsDeps, 'publisher' | 'killSwitchOn'>): Promise<{ eventId: string } | { refused: string }> {
  if (await deps.killSwitchOn()) return { refused: 'kill switch on' };
  const signal = SignalGeneratedV1.schema.parse(event.forwardedSignal);
  await deps.publisher.publish(signal);
  return { eventId: signal.eventId };
}
