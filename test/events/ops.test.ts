import {
  EventValidationError,
  OPS_EVENTS,
  OPS_SOURCE_PREFIX,
  opsEventEntry,
  opsEventJsonSchema,
  parseOpsEvent,
  type OpsDetailType,
} from '@shared/events';
import { OPS_SAMPLES } from './samples';

const fixed = { now: () => new Date('2025-03-14T09:26:53.589Z'), newId: () => '0b9e4c1e-8d7f-4f5a-9a43-3f1c2b7d9e01' };

/** What a rule target receives after PutEvents. */
function deliver(entry: { Source: string; DetailType: string; Detail: string }, region = 'us-east-1') {
  return {
    version: '0',
    id: 'b1f1c3a2-0000-0000-0000-000000000000',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: '2025-03-14T09:26:54Z',
    region,
    resources: [],
    detail: JSON.parse(entry.Detail),
  };
}

function errorOf(fn: () => unknown): EventValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EventValidationError) return e;
    throw e;
  }
  throw new Error('expected an EventValidationError, nothing was thrown');
}

const detailTypes = OPS_EVENTS.map((d) => d.detailType);

describe('ops events', () => {
  test('the catalog holds the seven runbook, drill and health events, each from an ops source', () => {
    expect(detailTypes).toEqual([
      'FailoverRequested',
      'FailbackRequested',
      'FailoverStepCompleted',
      'FailoverCompleted',
      'FailoverAborted',
      'DrillCompleted',
      'RegionHealthChanged',
    ]);
    for (const d of OPS_EVENTS) expect(d.source.startsWith(OPS_SOURCE_PREFIX)).toBe(true);
  });

  test.each(detailTypes)('%s round-trips through PutEvents and a rule target', (detailType) => {
    const entry = opsEventEntry(detailType, OPS_SAMPLES[detailType] as never, 'trading-prod-ops', fixed);
    expect(entry.EventBusName).toBe('trading-prod-ops');
    const parsed = parseOpsEvent(deliver(entry));
    expect(parsed.detailType).toBe(detailType);
    expect(parsed.detail).toEqual({ ...OPS_SAMPLES[detailType], version: 1, eventId: fixed.newId(), occurredAt: '2025-03-14T09:26:53.589Z' });
  });

  const requested = () => deliver(opsEventEntry('FailoverRequested', OPS_SAMPLES.FailoverRequested, 'bus', fixed));

  test.each<[string, (e: ReturnType<typeof requested>) => unknown, string, RegExp]>([
    ['an unknown detail-type', (e) => ({ ...e, 'detail-type': 'FailoverMaybe' }), 'detail-type', /unknown ops event "FailoverMaybe"/],
    ['a wrong source', (e) => ({ ...e, source: 'platform.ops.drill' }), 'source', /FailoverRequested comes from platform.ops.failover/],
    ['an unknown version', (e) => ({ ...e, detail: { ...e.detail, version: 2 } }), 'detail.version', /unsupported version 2 of FailoverRequested; supported: 1/],
    ['a missing dryRun', (e) => ({ ...e, detail: { ...e.detail, dryRun: undefined } }), 'detail.dryRun', /is required/],
    ['a bad mode', (e) => ({ ...e, detail: { ...e.detail, mode: 'yolo' } }), 'detail.mode', /planned|unplanned/],
    ['a bad target region', (e) => ({ ...e, detail: { ...e.detail, targetRegion: 'mars-1' } }), 'detail.targetRegion', /AWS region/],
    ['a missing origin region', (e) => ({ ...e, detail: { ...e.detail, originRegion: undefined } }), 'detail.originRegion', /is required/],
  ])('rejects %s, naming the field', (_name, mutate, field, detail) => {
    const error = errorOf(() => parseOpsEvent(mutate(requested()) as never));
    expect(error.field).toBe(field);
    expect(error.detail).toMatch(detail);
  });

  test('opsEventEntry refuses an invalid detail before it reaches the bus', () => {
    expect(() => opsEventEntry('FailoverRequested', { ...OPS_SAMPLES.FailoverRequested, reason: '' }, 'bus')).toThrow(/^reason: /);
  });

  test.each(detailTypes)('%s has a draft-04 JSON schema derived from the zod schema', (detailType: OpsDetailType) => {
    const schema = opsEventJsonSchema(detailType) as {
      $schema: string;
      title: string;
      required: string[];
      properties: { source: { const?: string; enum?: string[] }; 'detail-type': { enum?: string[] }; detail: { required: string[]; properties: Record<string, unknown> } };
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.title).toBe(detailType);
    expect(schema.required).toEqual(expect.arrayContaining(['detail-type', 'source', 'detail']));
    expect(schema.properties.detail.required).toEqual(expect.arrayContaining(['version', 'eventId', 'occurredAt', 'originRegion']));
    const sampleFields = Object.keys(OPS_SAMPLES[detailType]);
    for (const field of sampleFields) expect(schema.properties.detail.properties).toHaveProperty(field);
  });
});
