/**
 * How an event type is declared: a name, a schema version and a zod object that always carries
 * `type`, `version`, `eventId` and `occurredAt`. Schemas strip unknown fields (tolerant reader): a
 * producer may ADD an optional field without a new version; removing, renaming or re-typing a field is a
 * new version, registered next to the old one until no producer sends the old one.
 */
import * as z from 'zod';
import { eventId, utcTimestamp } from './primitives';

export interface EventDefinition<T extends string = string, V extends number = number, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly version: V;
  readonly description: string;
  readonly schema: S;
}

function envelope<const T extends string, const V extends number, S extends z.ZodRawShape>(type: T, version: V, shape: S) {
  return z.object({ type: z.literal(type), version: z.literal(version), eventId, occurredAt: utcTimestamp, ...shape });
}
type Envelope<T extends string, V extends number, S extends z.ZodRawShape> = ReturnType<typeof envelope<T, V, S>>;

/**
 * Declares one version of one event type. `check` adds cross-field rules; it reports issues with a
 * `path`, so that the error names the field.
 */
export function defineEvent<const T extends string, const V extends number, S extends z.ZodRawShape>(
  type: T,
  version: V,
  description: string,
  shape: S,
  check?: (event: z.output<Envelope<T, V, S>>, ctx: z.core.$RefinementCtx<z.output<Envelope<T, V, S>>>) => void,
): EventDefinition<T, V, Envelope<T, V, S>> {
  const base = envelope(type, version, shape);
  return { type, version, description, schema: check ? base.superRefine(check) : base };
}

/** The event type a definition validates (what consumers receive and producers send). */
export type EventOf<D extends EventDefinition> = z.output<D['schema']>;

/** What a producer fills in: the catalog sets type and version, and eventId / occurredAt unless given. */
export type EventInput<D extends EventDefinition> = Omit<z.input<D['schema']>, 'type' | 'version' | 'eventId' | 'occurredAt'> & {
  readonly eventId?: string;
  readonly occurredAt?: string;
};
