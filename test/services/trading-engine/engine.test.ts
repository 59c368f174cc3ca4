/**
 * The engine end to end on the in-memory Kafka and the local PostgreSQL: signal -> order -> trade ->
 * position -> published events; bad signals to the dead-letter topic with the reason; replays executed
 * once; kill switch; drain; user shards over several engines.
 */
import { TOPICS, type DeadLetterRecorded } from '@shared/events';
import { EngineStore, SCHEMA } from '../../../services/trading-engine/src/db/store';
import { MemoryKafka } from '../../../services/trading-engine/src/kafka/memory';
import type { OutboundRecord, Producer } from '../../../services/trading-engine/src/kafka/bus';
import { describeWithPostgres, freshDatabase, type TestDatabase } from './postgres';
import { eventsOn, GROUP, produceSignal, signal, startEngine, until, type EngineUnderTest } from './harness';

describeWithPostgres('trading engine', () => {
  let database: TestDatabase;
  let kafka: MemoryKafka;
  const running: EngineUnderTest[] = [];

  beforeAll(async () => {
    database = await freshDatabase('engine');
    await new EngineStore(database.db).migrate();
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    kafka = new MemoryKafka({ partitions: 6 });
    await database.pool.query(`TRUNCATE ${SCHEMA}.outbox, ${SCHEMA}.trades, ${SCHEMA}.orders, ${SCHEMA}.positions, ${SCHEMA}.signals`);
  });
  afterEach(async () => {
    for (const e of running.splice(0)) await e.engine.drain();
  });

  async function engine(options: Parameters<typeof startEngine>[2] = {}) {
    const e = await startEngine(kafka, database.db, options);
    running.push(e);
    return e;
  }
  const drained = () => until(() => kafka.lag(GROUP, TOPICS.signals) === 0);
  const rows = async (table: string, where = 'true') => (await database.pool.query(`SELECT * FROM ${SCHEMA}.${table} WHERE ${where}`)).rows;

  it('executes a buy signal: order, trade and position in PostgreSQL; order, trade and position events on their topics', async () => {
    await engine();
    const s = signal({ userId: 'alice', quantity: '0.5', limitPrice: '60000' });
    produceSignal(kafka, s);
    await drained();

    // 10 bps slippage against a buyer: 60000 * 1.001; fee 10 bps of 0.5 * 60060.
    const [order] = await rows('orders');
    expect(order).toMatchObject({ order_id: `ord-${s.eventId}`, signal_event_id: s.eventId, user_id: 'alice', side: 'buy', status: 'filled', quantity: '0.5', filled_quantity: '0.5', average_fill_price: '60060' });
    const [trade] = await rows('trades');
    expect(trade).toMatchObject({ trade_id: `trd-${s.eventId}`, order_id: order.order_id, quantity: '0.5', price: '60060', fee: '30.03', fee_currency: 'USD' });
    const [position] = await rows('positions');
    expect(position).toMatchObject({ user_id: 'alice', symbol: 'BTC-USD', quantity: '0.5', average_entry_price: '60060', realized_pnl: '-30.03', sequence: '1' });

    const orders = eventsOn(kafka, TOPICS.orders);
    expect(orders.map((e) => e.type === 'OrderStatusChanged' && [e.status, e.sequence, e.filledQuantity])).toEqual([
      ['accepted', 0, '0'],
      ['filled', 1, '0.5'],
    ]);
    const [trades, positions] = [eventsOn(kafka, TOPICS.trades), eventsOn(kafka, TOPICS.positions)];
    expect(trades).toEqual([expect.objectContaining({ type: 'TradeExecuted', userId: 'alice', tradeId: trade.trade_id, price: '60060', quantity: '0.5', fee: '30.03', feeCurrency: 'USD' })]);
    expect(positions).toEqual([
      expect.objectContaining({ type: 'PositionChanged', userId: 'alice', quantity: '0.5', averageEntryPrice: '60060', realizedPnl: '-30.03', tradeId: trade.trade_id, causationId: trades[0].eventId, sequence: 1 }),
    ]);
    // Every event is in the outbox and marked published.
    expect(await rows('outbox', 'published_at IS NULL')).toEqual([]);
    expect((await rows('outbox')).length).toBe(4);
  });

  it('keeps positions across signals: adds, sells at a profit, closes to flat', async () => {
    await engine({ broker: { slippageBps: 0, feeBps: 0 } });
    produceSignal(kafka, signal({ userId: 'bob', action: 'buy', quantity: '1', limitPrice: '100' }));
    produceSignal(kafka, signal({ userId: 'bob', action: 'buy', quantity: '1', limitPrice: '200' }));
    produceSignal(kafka, signal({ userId: 'bob', action: 'sell', quantity: '0.5', limitPrice: '300' }));
    produceSignal(kafka, signal({ userId: 'bob', action: 'close', quantity: undefined, limitPrice: '250' }));
    await drained();

    const changes = eventsOn(kafka, TOPICS.positions);
    expect(changes.map((p) => [p.quantity, p.averageEntryPrice, p.realizedPnl, p.sequence])).toEqual([
      ['1', '100', '0', 1],
      ['2', '150', '0', 2],
      ['1.5', '150', '75', 3],
      ['0', '0', '225', 4],
    ]);
    const [position] = await rows('positions', `user_id = 'bob'`);
    expect(position).toMatchObject({ quantity: '0', realized_pnl: '225', sequence: '4' });
  });

  it('sizes a signal without quantity from the default notional, and rejects a close without a position as an order', async () => {
    await engine({ broker: { slippageBps: 0 } });
    produceSignal(kafka, signal({ userId: 'carol', quantity: undefined, limitPrice: '3000', symbol: 'ETH-USD' }));
    const close = signal({ userId: 'dave', action: 'close', quantity: undefined });
    produceSignal(kafka, close);
    await drained();

    expect(eventsOn(kafka, TOPICS.trades)).toEqual([expect.objectContaining({ userId: 'carol', quantity: '0.33333333' })]);
    expect(eventsOn(kafka, TOPICS.orders).filter((o) => o.userId === 'dave')).toEqual([
      expect.objectContaining({ type: 'OrderStatusChanged', status: 'rejected', reason: 'no open BTC-USD position to close', orderId: `ord-${close.eventId}` }),
    ]);
    expect(await rows('orders', `user_id = 'dave'`)).toEqual([expect.objectContaining({ status: 'rejected' })]);
    expect(await rows('positions', `user_id = 'dave'`)).toEqual([]);
  });

  describe('bad signals go to the dead-letter topic with the reason, never dropped', () => {
    const dead = () => eventsOn(kafka, TOPICS.deadLetter) as DeadLetterRecorded[];

    it.each([
      ['an unknown symbol', () => JSON.stringify(signal({ symbol: 'PEPE-USD' })), 'UnknownSymbol', 'symbol', /symbol: PEPE-USD is not traded by this engine/],
      ['a negative quantity', () => JSON.stringify({ ...signal(), quantity: '-1' }), 'EventValidationError', 'quantity', /quantity: expected a decimal string/],
      ['malformed JSON', () => '{"type":"SignalGenerated",', 'EventValidationError', 'value', /value: is not valid JSON/],
      ['an unknown event type', () => JSON.stringify({ ...signal(), type: 'Nonsense' }), 'EventValidationError', 'type', /unknown event type "Nonsense" on topic trading.signals/],
      ['an expired signal', () => JSON.stringify(signal({ expiresAt: new Date(Date.now() - 1000).toISOString() })), 'SignalExpired', 'expiresAt', /the signal expired at/],
    ])('%s', async (_, value, errorType, field, reason) => {
      await engine();
      const good = signal({ userId: 'user-1' });
      const bad = kafka.append(TOPICS.signals, 'user-1', value(), { 'content-type': 'application/json' });
      produceSignal(kafka, good);
      await drained();

      expect(dead()).toEqual([
        expect.objectContaining({
          consumer: GROUP,
          errorType,
          field,
          reason: expect.stringMatching(reason),
          source: expect.objectContaining({ topic: TOPICS.signals, partition: bad.partition, offset: Number(bad.offset) }),
          // Kept verbatim (base64, as Lambda's MSK source delivers), so it can be fixed and replayed.
          original: { key: Buffer.from('user-1').toString('base64'), value: bad.value!.toString('base64'), headers: [{ 'content-type': [...Buffer.from('application/json')] }] },
        }),
      ]);
      expect(dead()[0].reason).toContain(`record ${TOPICS.signals}-${bad.partition}@${bad.offset}`);
      // The partition moved on: the good signal behind the bad one executed.
      expect(await rows('orders')).toEqual([expect.objectContaining({ signal_event_id: good.eventId, status: 'filled' })]);
    });

    it('a record with a mismatched key or no value', async () => {
      await engine();
      kafka.append(TOPICS.signals, 'someone-else', JSON.stringify(signal({ userId: 'user-1' })));
      kafka.append(TOPICS.signals, 'user-1', null);
      await drained();
      expect(dead().map((d) => [d.field, d.errorType])).toEqual(expect.arrayContaining([['key', 'EventValidationError'], ['value', 'EventValidationError']]));
      expect(dead()).toHaveLength(2);
      expect(await rows('orders')).toEqual([]);
    });

    it('a record that keeps failing while the database answers is dead-lettered after the configured attempts', async () => {
      const store = new EngineStore(database.db);
      const poisoned = signal({ userId: 'erin' });
      const real = store.record.bind(store);
      store.record = (entry, decide) => (entry.eventId === poisoned.eventId ? Promise.reject(new Error('constraint violated')) : real(entry, decide));
      const { consumer } = await engine({ stores: [store], maxRecordAttempts: 3 });
      produceSignal(kafka, poisoned);
      produceSignal(kafka, signal({ userId: 'erin' }));
      await drained();

      expect(consumer.errors).toHaveLength(2); // attempts 1 and 2 failed the batch; the 3rd dead-lettered it
      expect(dead()).toEqual([expect.objectContaining({ errorType: 'ProcessingFailed', reason: expect.stringMatching(/processing failed 3 times: constraint violated/) })]);
      expect(await rows('orders', `user_id = 'erin'`)).toHaveLength(1);
    });
  });

  describe('idempotency by the signal eventId', () => {
    it('a replayed signal (same eventId) executes once', async () => {
      await engine();
      const s = signal({ userId: 'frank' });
      produceSignal(kafka, s);
      produceSignal(kafka, s);
      await drained();
      await engine(); // a second member, as after a rebalance, sees nothing new to execute
      produceSignal(kafka, s);
      await drained();

      expect(await rows('orders', `user_id = 'frank'`)).toHaveLength(1);
      expect(await rows('trades', `user_id = 'frank'`)).toHaveLength(1);
      expect(eventsOn(kafka, TOPICS.trades)).toHaveLength(1);
      expect(eventsOn(kafka, TOPICS.positions).map((p) => p.quantity)).toEqual(['0.5']);
    });

    it('events committed to the database but not published (Kafka down) are published on the replay, with the same ids', async () => {
      const real = kafka.producer();
      let failures = 1;
      const flaky: Producer = {
        send: (records: readonly OutboundRecord[]) => (failures-- > 0 ? Promise.reject(new Error('broker unavailable')) : real.send(records)),
        disconnect: () => real.disconnect(),
      };
      const { consumer } = await engine({ producer: flaky });
      const s = signal({ userId: 'grace' });
      produceSignal(kafka, s);
      await drained();

      expect(consumer.errors.map(String)).toEqual(['Error: broker unavailable']);
      expect(await rows('orders', `user_id = 'grace'`)).toHaveLength(1);
      const outboxIds = (await rows('outbox')).map((r) => r.event_id).sort();
      const published = [...eventsOn(kafka, TOPICS.orders), ...eventsOn(kafka, TOPICS.trades), ...eventsOn(kafka, TOPICS.positions)];
      expect(published.map((e) => e.eventId).sort()).toEqual(outboxIds);
      expect(await rows('outbox', 'published_at IS NULL')).toEqual([]);
    });
  });

  it('the kill switch stops new trading: signals stay uncommitted in Kafka until it is turned off', async () => {
    const { engine: e, killSwitch } = await engine();
    killSwitch.set(true);
    expect(e.currentState).toBe('halted');
    produceSignal(kafka, signal({ userId: 'heidi' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(kafka.lag(GROUP, TOPICS.signals)).toBe(1);
    expect(await rows('orders')).toEqual([]);
    expect((await e.readiness()).checks.tradingEnabled).toBe(false);

    killSwitch.set(false);
    await drained();
    expect(await rows('orders', `user_id = 'heidi'`)).toHaveLength(1);
  });

  it('drains on request: finishes and commits the record in hand, takes no new one, leaves the group to the others', async () => {
    let release!: () => void;
    let inFlight!: () => void;
    const holding = new Promise<void>((r) => (inFlight = r));
    const first = await engine({ broker: { latencyMs: 1 }, sleep: () => (inFlight(), new Promise<void>((r) => (release = r))) });
    // Same user, same partition, in order: the first is in the broker when the drain starts.
    const [a, b, c] = [signal({ userId: 'ivan' }), signal({ userId: 'ivan' }), signal({ userId: 'ivan' })];
    [a, b, c].forEach((s) => produceSignal(kafka, s));
    await holding;

    const draining = first.engine.drain();
    expect(first.engine.currentState).toBe('draining');
    expect((await first.engine.readiness()).ready).toBe(false);
    release();
    await draining;
    expect(first.engine.currentState).toBe('stopped');
    expect((await rows('orders')).map((o) => o.signal_event_id)).toEqual([a.eventId]);
    expect(eventsOn(kafka, TOPICS.trades)).toHaveLength(1);
    expect(kafka.lag(GROUP, TOPICS.signals)).toBe(2);

    await engine(); // the remaining member takes the partition over from the committed offset
    await drained();
    expect((await rows('orders')).map((o) => o.signal_event_id).sort()).toEqual([a, b, c].map((s) => s.eventId).sort());
    expect(eventsOn(kafka, TOPICS.trades)).toHaveLength(3);
  });

  it('writes each user to their database shard (user_id % shards) and publishes from every shard', async () => {
    const second = await freshDatabase('engine_shard1');
    try {
      const stores = [new EngineStore(database.db), new EngineStore(second.db)];
      await stores[1].migrate();
      await engine({ stores });
      // @shared/shard-map: 1000 % 2 = 0, 1001 % 2 = 1; 'alice' by SHA-256 (0x2bd806c97f0e00af % 2 = 1).
      for (const userId of ['1000', '1001', 'alice']) produceSignal(kafka, signal({ userId }));
      await drained();
      expect((await rows('orders')).map((o) => o.user_id)).toEqual(['1000']);
      expect((await second.pool.query(`SELECT user_id FROM ${SCHEMA}.orders ORDER BY user_id`)).rows).toEqual([{ user_id: '1001' }, { user_id: 'alice' }]);
      expect(eventsOn(kafka, TOPICS.trades).map((t) => t.userId).sort()).toEqual(['1000', '1001', 'alice']);
      expect((await second.pool.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE published_at IS NULL`)).rows).toEqual([{ n: 0 }]);
    } finally {
      for (const e of running.splice(0)) await e.engine.drain();
      await second.drop();
    }
  });

  it('shards users over the members of the group and rebalances when one leaves', async () => {
    const one = await engine();
    const two = await engine();
    expect([...one.consumer.assignment(), ...two.consumer.assignment()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(one.consumer.assignment().filter((p) => two.consumer.assignment().includes(p))).toEqual([]);

    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    users.forEach((u) => produceSignal(kafka, signal({ userId: u })));
    await drained();
    // Each task counts the users of its own partitions: the sum is every user once.
    expect(one.activeUsers.count() + two.activeUsers.count()).toBe(40);
    expect(one.activeUsers.count()).toBeGreaterThan(0);

    await two.engine.drain();
    running.splice(running.indexOf(two), 1);
    expect(one.consumer.assignment()).toEqual([0, 1, 2, 3, 4, 5]);
    users.forEach((u) => produceSignal(kafka, signal({ userId: u })));
    await drained();
    expect(await rows('orders')).toHaveLength(80);
    expect(one.activeUsers.count()).toBe(40);
  });
});
