/** The reporting jobs: event validation, standby skip, and the export to (mocked) S3 over the local PostgreSQL. */
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { PartitionCache } from '@shared/reporting/partitions';
import { addDecimal, exportDailyReports } from '@shared/reporting/export';
import { shardOf } from '@shared/shard-map';
import { consumeReportingBatch } from '../../functions/reporting/logic';
import { parseJobEvent, runReportingJob, type ReportingJobDeps } from '../../functions/reporting-jobs/logic';
import { describeWith } from '../helpers/services';
import { mskBatch, position, reportingShards, trade, type ReportingShards } from './reporting-fixtures';

const lambdaMock = mockClient(LambdaClient);
const s3Mock = mockClient(S3Client);

function jobDeps(over: Partial<ReportingJobDeps> = {}): ReportingJobDeps & { logs: string[]; metrics: Record<string, number> } {
  const logs: string[] = [];
  const metrics: Record<string, number> = {};
  return {
    shards: async () => {
      throw new Error('no database expected');
    },
    lambda: new LambdaClient({}),
    s3: new S3Client({}),
    reportsBucket: 'reports-bucket',
    activeSwitchFunction: 'trading-prod-reporting',
    detailRetentionDays: 90,
    rollupRetentionDays: 730,
    partitionsAheadDays: 3,
    exportConcurrency: 4,
    now: () => new Date('2026-12-08T06:00:00.000Z'),
    log: (m) => logs.push(m),
    metric: (name, value) => {
      metrics[name] = (metrics[name] ?? 0) + value;
    },
    logs,
    metrics,
    ...over,
  };
}

beforeEach(() => {
  lambdaMock.reset();
  s3Mock.reset();
});

describe('reporting job event', () => {
  it.each([
    [null, 'expected an object'],
    [{}, 'field "job" must be one of rollup, retention, export, got undefined'],
    [{ job: 'vacuum' }, 'field "job" must be one of rollup, retention, export, got "vacuum"'],
    [{ job: 'export', date: '2026-02-30' }, 'field "date" must be a calendar date YYYY-MM-DD, got "2026-02-30"'],
    [{ job: 'export', date: 20261201 }, 'field "date" must be a calendar date'],
    [{ job: 'rollup', date: '2026-12-01' }, 'field "date" is not accepted by the rollup job'],
    [{ job: 'export', day: '2026-12-01' }, 'unknown field "day"'],
  ])('refuses %j naming the field', (event, message) => {
    expect(() => parseJobEvent(event)).toThrow(message);
  });

  it('accepts the scheduler events', () => {
    expect(parseJobEvent({ job: 'rollup' })).toEqual({ job: 'rollup' });
    expect(parseJobEvent({ job: 'export', date: '2026-12-01' })).toEqual({ job: 'export', date: '2026-12-01' });
  });
});

describe('standby region', () => {
  it('skips every job with a log line and SkippedStandby when no mapping of the switch function is Enabled (all pages read)', async () => {
    lambdaMock
      .on(ListEventSourceMappingsCommand, { FunctionName: 'trading-prod-reporting' })
      .resolvesOnce({ EventSourceMappings: [{ UUID: 'a', State: 'Disabled' }], NextMarker: 'm2' })
      .resolvesOnce({ EventSourceMappings: [{ UUID: 'b', State: 'Disabling' }] });
    const deps = jobDeps();
    expect(await runReportingJob({ job: 'retention' }, deps)).toEqual({ job: 'retention', skipped: 'standby' });
    expect(deps.metrics).toEqual({ SkippedStandby: 1 });
    expect(deps.logs[0]).toMatch(/standby region/);
    // Both pages read (the paginator reuses one input object, so only the last Marker is observable).
    const calls = lambdaMock.commandCalls(ListEventSourceMappingsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toMatchObject({ FunctionName: 'trading-prod-reporting', Marker: 'm2' });
  });

  it('runs when a mapping on a later page is Enabled', async () => {
    lambdaMock
      .on(ListEventSourceMappingsCommand)
      .resolvesOnce({ EventSourceMappings: [{ State: 'Disabled' }], NextMarker: 'm2' })
      .resolvesOnce({ EventSourceMappings: [{ State: 'Enabled' }] });
    await expect(runReportingJob({ job: 'rollup' }, jobDeps())).rejects.toThrow('no database expected');
  });

  it('throws on a bad event before asking Lambda anything', async () => {
    await expect(runReportingJob({ job: 'exports' }, jobDeps())).rejects.toThrow('field "job"');
    expect(lambdaMock.commandCalls(ListEventSourceMappingsCommand)).toHaveLength(0);
  });
});

describe('addDecimal', () => {
  it.each([
    ['0', '0.1', '0.1'],
    ['1.25', '-3.5', '-2.25'],
    ['-0.5', '0.5', '0'],
    ['99999999999999999999.999999999999999999', '0.000000000000000001', '100000000000000000000'],
    ['0.1', '0.2', '0.3'],
  ])('%s + %s = %s', (a, b, sum) => expect(addDecimal(a, b)).toBe(sum));
});

describeWith({ postgres: true }, 'daily report export (local PostgreSQL, mocked S3)', () => {
  let db: ReportingShards;
  beforeAll(async () => {
    db = await reportingShards('export', 2);
    const events = [
      trade('amy', '2026-12-07T09:00:00.000Z', { symbol: 'BTC-USD', side: 'buy', quantity: '0.5', price: '100', fee: '0.25' }),
      trade('amy', '2026-12-07T10:00:00.000Z', { symbol: 'BTC-USD', side: 'sell', quantity: '0.25', price: '120', fee: '0.1' }),
      position('amy', '2026-12-07T10:00:00.000Z', 1, '5', 'BTC-USD'),
      trade('amy', '2026-12-07T11:00:00.000Z', { symbol: 'ETH-BTC', side: 'buy', quantity: '2', price: '0.05', fee: '0.0001', feeCurrency: 'BTC' }),
      // Another day: not in the report of the 7th.
      trade('amy', '2026-12-06T11:00:00.000Z'),
      ...Array.from({ length: 23 }, (_, i) => trade(`user-${String(i).padStart(2, '0')}`, '2026-12-07T12:00:00.000Z', { quantity: '1', price: '10', fee: '0' })),
    ];
    await consumeReportingBatch(mskBatch(events), {
      shards: db.shards,
      partitions: new PartitionCache(),
      writeAttempts: 1,
      now: () => new Date('2026-12-08T00:00:00.000Z'),
      deadLetter: async (_r, e) => {
        throw e;
      },
    });
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ State: 'Enabled' }] });
    await runReportingJob({ job: 'rollup' }, jobDeps({ shards: async () => db.shards }));
  });
  afterAll(() => db.drop());

  it('writes one object per active user of the day (yesterday by default) at daily/YYYY/MM/DD/<userId>.json, idempotently', async () => {
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ State: 'Enabled' }] });
    s3Mock.on(PutObjectCommand).resolves({});
    const deps = jobDeps({ shards: async () => db.shards });
    expect(await runReportingJob({ job: 'export' }, deps)).toEqual({ job: 'export', date: '2026-12-07', reports: 24 });
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key).sort()).toEqual(['daily/2026/12/07/amy.json', ...Array.from({ length: 23 }, (_, i) => `daily/2026/12/07/user-${String(i).padStart(2, '0')}.json`)].sort());
    expect(new Set(puts.map((p) => p.Bucket))).toEqual(new Set(['reports-bucket']));
    const amy = JSON.parse(puts.find((p) => p.Key === 'daily/2026/12/07/amy.json')!.Body as string);
    expect(amy).toEqual({
      userId: 'amy',
      date: '2026-12-07',
      symbols: [
        { symbol: 'BTC-USD', tradeCount: 2, boughtQuantity: '0.5', soldQuantity: '0.25', notional: '80', fees: '0.35', realizedPnl: '5' },
        { symbol: 'ETH-BTC', tradeCount: 1, boughtQuantity: '2', soldQuantity: '0', notional: '0.1', fees: '0.0001', realizedPnl: '0' },
      ],
      totals: { tradeCount: 3, byQuoteCurrency: { USD: { notional: '80', fees: '0.35', realizedPnl: '5' }, BTC: { notional: '0.1', fees: '0.0001', realizedPnl: '0' } } },
    });
    expect(deps.metrics.ReportsExported).toBe(24);

    // A re-run writes the same keys with the same bytes.
    s3Mock.resetHistory();
    await runReportingJob({ job: 'export', date: '2026-12-07' }, deps);
    const again = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(new Map(again.map((p) => [p.Key, p.Body]))).toEqual(new Map(puts.map((p) => [p.Key, p.Body])));
  });

  it('pages through users by key and never has more than `concurrency` PutObject calls in flight', async () => {
    const shard = shardOf('user-00', 2);
    let inFlight = 0;
    let peak = 0;
    const keys: string[] = [];
    const written = await exportDailyReports(db.shards[shard], {
      date: '2026-12-07',
      pageSize: 3,
      concurrency: 2,
      put: async (key) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        keys.push(key);
        inFlight--;
      },
    });
    const { rows } = await db.pools[shard].query(`SELECT count(DISTINCT user_id)::int AS n FROM reporting.rollup_daily WHERE bucket_start = '2026-12-07T00:00:00Z'`);
    expect(written).toBe(rows[0].n);
    expect(new Set(keys).size).toBe(rows[0].n);
    expect(peak).toBe(2);
  });

  it('writes nothing for a day without activity', async () => {
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ State: 'Enabled' }] });
    expect(await runReportingJob({ job: 'export', date: '2026-11-01' }, jobDeps({ shards: async () => db.shards }))).toEqual({ job: 'export', date: '2026-11-01', reports: 0 });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
