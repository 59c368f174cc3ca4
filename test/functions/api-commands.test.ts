/** Trading commands: validation, kill switch, the event on trading.signals, and the tertiary's forwarding. */
import { decodeMskRecord, encodeRawMskRecord, SignalGeneratedV1, toKafkaMessage, type SignalGenerated } from '@shared/events';
import { forwardingPublisher, type InvokeTarget } from '../../functions/api-commands/forward';
import { commandRoutes, handleForwarded, type CommandsDeps } from '../../functions/api-commands/logic';
import { restEvent, silentLog } from '../helpers/services';

const routes = commandRoutes(silentLog);
const NOW = new Date('2026-03-01T12:00:00.000Z');

function setup(killSwitch = false) {
  const sent: SignalGenerated[] = [];
  const deps: CommandsDeps = { publisher: { publish: async (s) => void sent.push(s) }, killSwitchOn: async () => killSwitch, maxBodyBytes: 1024, now: () => NOW };
  return { sent, deps };
}

describe('trading commands', () => {
  it('publishes a signal keyed by the user and answers 202 with its event id', async () => {
    const { sent, deps } = setup();
    const result = await routes(restEvent('POST', '/trading/signals', { userId: 'u-1', body: { symbol: 'BTC-USD', action: 'buy', quantity: '0.01', confidence: 0.8 } }), deps);
    expect(result.statusCode).toBe(202);
    const answer = JSON.parse(result.body);
    expect(sent).toHaveLength(1);
    expect(answer.eventId).toBe(sent[0].eventId);
    expect(sent[0]).toMatchObject({ type: 'SignalGenerated', userId: 'u-1', symbol: 'BTC-USD', action: 'buy', quantity: '0.01', confidence: 0.8, strategyId: 'manual', expiresAt: '2026-03-01T12:00:30.000Z' });
    // What a consumer of trading.signals would decode: keyed by the user.
    const message = toKafkaMessage('trading.signals', sent[0]);
    expect(message.key).toBe('u-1');
    expect(decodeMskRecord(encodeRawMskRecord({ topic: 'trading.signals', key: message.key, value: message.value })).event).toEqual(sent[0]);
  });

  it('turns an order request into a signal, with one event id for retries of the same clientOrderId', async () => {
    const { sent, deps } = setup();
    const order = { symbol: 'ETH-USD', side: 'sell', quantity: '2', limitPrice: '3000', clientOrderId: 'my-order-1' };
    const a = JSON.parse((await routes(restEvent('POST', '/trading/orders', { userId: 'u-2', body: order }), deps)).body);
    const b = JSON.parse((await routes(restEvent('POST', '/trading/orders', { userId: 'u-2', body: order }), deps)).body);
    expect(a.eventId).toBe(b.eventId);
    expect(a.signalId).toBe('my-order-1');
    expect(sent[0]).toMatchObject({ action: 'sell', strategyId: 'manual-order', limitPrice: '3000', confidence: 1 });
    const other = JSON.parse((await routes(restEvent('POST', '/trading/orders', { userId: 'u-3', body: order }), deps)).body);
    expect(other.eventId).not.toBe(a.eventId);
  });

  it('refuses commands with 503 while the kill switch is on, publishing nothing', async () => {
    const { sent, deps } = setup(true);
    const result = await routes(restEvent('POST', '/trading/signals', { userId: 'u-1', body: { symbol: 'BTC-USD', action: 'close' } }), deps);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).message).toMatch(/kill switch/);
    expect(sent).toEqual([]);
  });

  it.each([
    ['/trading/signals', { symbol: 'BTC/USD', action: 'buy' }, 'symbol'],
    ['/trading/signals', { symbol: 'BTC-USD', action: 'hold' }, 'action'],
    ['/trading/signals', { symbol: 'BTC-USD', action: 'buy', confidence: 2 }, 'confidence'],
    ['/trading/signals', { symbol: 'BTC-USD', action: 'buy', ttlSeconds: 3600 }, 'ttlSeconds'],
    ['/trading/orders', { symbol: 'BTC-USD', side: 'buy' }, 'quantity'],
    ['/trading/orders', { symbol: 'BTC-USD', side: 'buy', quantity: '0' }, 'quantity'],
    ['/trading/orders', { symbol: 'BTC-USD', side: 'buy', quantity: '1e3' }, 'quantity'],
  ])('answers 400 for %s body #%# naming the field', async (resource, body, field) => {
    const { sent, deps } = setup();
    const result = await routes(restEvent('POST', resource, { userId: 'u-1', body }), deps);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).field).toBe(field);
    expect(sent).toEqual([]);
  });

  it('answers 500 with the request id when the broker is unreachable', async () => {
    const deps: CommandsDeps = { ...setup().deps, publisher: { publish: async () => Promise.reject(new Error('KafkaJSConnectionError: b-1:9098')) } };
    const event = restEvent('POST', '/trading/signals', { userId: 'u-1', body: { symbol: 'BTC-USD', action: 'buy' } });
    const result = await routes(event, deps);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ message: expect.any(String), requestId: event.requestContext.requestId });
  });
});

describe('forwarding from the tertiary', () => {
  it('tries the primary, then the secondary; the signal keeps its event id', async () => {
    const calls: string[] = [];
    const received: unknown[] = [];
    const target = (region: string, fail: boolean): InvokeTarget => ({
      region,
      invoke: async (payload) => {
        calls.push(region);
        if (fail) throw new Error('ETIMEDOUT');
        received.push(payload);
        return handleForwarded(payload as never, { publisher: { publish: async () => undefined }, killSwitchOn: async () => false });
      },
    });
    const failures: string[] = [];
    const publisher = forwardingPublisher([target('us-east-1', true), target('us-west-2', false)], (r) => void failures.push(r));
    const { deps } = setup();
    const result = await routes(restEvent('POST', '/trading/signals', { userId: 'eu-user', body: { symbol: 'BTC-USD', action: 'buy' } }), { ...deps, publisher });
    expect(result.statusCode).toBe(202);
    expect(calls).toEqual(['us-east-1', 'us-west-2']);
    expect(failures).toEqual(['us-east-1']);
    expect((received[0] as { forwardedSignal: SignalGenerated }).forwardedSignal.eventId).toBe(JSON.parse(result.body).eventId);
  });

  it("answers 503 when the receiving region's kill switch is on, and when no region answers", async () => {
    const halted: InvokeTarget = { region: 'us-east-1', invoke: async (p) => handleForwarded(p as never, { publisher: { publish: async () => undefined }, killSwitchOn: async () => true }) };
    const { deps } = setup();
    const body = { symbol: 'BTC-USD', action: 'buy' };
    const refused = await routes(restEvent('POST', '/trading/signals', { userId: 'u', body }), { ...deps, publisher: forwardingPublisher([halted], () => undefined) });
    expect(refused.statusCode).toBe(503);
    const down: InvokeTarget = { region: 'us-east-1', invoke: async () => Promise.reject(new Error('down')) };
    const none = await routes(restEvent('POST', '/trading/signals', { userId: 'u', body }), { ...deps, publisher: forwardingPublisher([down, down], () => undefined) });
    expect(none.statusCode).toBe(503);
    expect(JSON.parse(none.body).message).toMatch(/no trading-core region/);
  });

  it('a trading-core region re-validates what it is forwarded', async () => {
    await expect(handleForwarded({ forwardedSignal: { type: 'SignalGenerated' } as never }, { publisher: { publish: async () => undefined }, killSwitchOn: async () => false })).rejects.toThrow();
    expect(SignalGeneratedV1.type).toBe('SignalGenerated');
  });
});
