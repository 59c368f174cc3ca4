/**
 * The event catalog (`@shared/events`): every Kafka event (by topic) and every operational EventBridge
 * event, their zod schemas and derived types, and the MSK record codec. See docs/events.md.
 */
export * from './errors';
export * from './primitives';
export * from './define';
export * from './trading';
export * from './market';
export * from './notifications';
export * from './dead-letter';
export * from './catalog';
export * from './msk-codec';
export * from './ops';
export * from './account';
