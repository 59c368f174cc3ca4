/**
 * The WebSocket API's routes ($connect, $disconnect, subscribe, unsubscribe, $default). $connect is
 * authorized by the JWT authorizer (the token travels in the `token` query parameter); the connection is
 * recorded in the `ws-connections` global table with a TTL (API Gateway closes a connection after 2 hours;
 * the TTL removes records whose $disconnect never ran). Client frames are JSON:
 *
 *   {"action":"subscribe","channels":["positions","trades"]}   ->  {"kind":"ack","action":"subscribe","channels":[...]}
 *   {"action":"unsubscribe","channels":["trades"]}
 */
import * as z from 'zod';
import { EventValidationError, userId as userIdSchema } from '@shared/events';
import { validate } from '@shared/events/validate';
import { CHANNELS, FRAME_FORMATS, type Channel, type FrameFormat } from '@shared/ws/frames';

export interface WebSocketEvent {
  readonly requestContext: {
    readonly routeKey: string;
    readonly connectionId: string;
    readonly apiId: string;
    readonly stage: string;
    readonly requestId?: string;
    readonly authorizer?: Readonly<Record<string, unknown>> | null;
  };
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

export interface ConnectionRecord {
  readonly connectionId: string;
  readonly userId: string;
  readonly format: FrameFormat;
  readonly connectedAt: string;
  /**
   * Where the connection lives: the table is global, so a pusher in another region posts to
   * `https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`.
   */
  readonly apiId: string;
  readonly region: string;
  readonly stage: string;
  /** Epoch seconds: DynamoDB's TTL attribute. */
  readonly expiresAt: number;
}

export interface ConnectionStore {
  put(record: ConnectionRecord): Promise<void>;
  delete(connectionId: string): Promise<void>;
  /** Adds or removes channels; false when the connection is unknown (expired or never stored). */
  updateChannels(connectionId: string, action: 'subscribe' | 'unsubscribe', channels: readonly Channel[]): Promise<boolean>;
}

export interface WebSocketDeps {
  readonly store: ConnectionStore;
  readonly connectionTtlSeconds: number;
  readonly maxFrameBytes: number;
  /** The region this API runs in (AWS_REGION). */
  readonly region: string;
  readonly now?: () => Date;
}

const connectQuery = z.object({ format: z.enum(FRAME_FORMATS).optional(), token: z.string().optional() });
const channelFrame = z.strictObject({
  action: z.enum(['subscribe', 'unsubscribe']),
  channels: z
    .array(z.enum(CHANNELS))
    .min(1)
    .refine((c) => new Set(c).size === c.length, 'channels must be distinct'),
});

const reply = (statusCode: number, body: Record<string, unknown>): WebSocketResult => ({ statusCode, body: JSON.stringify(body) });
const error = (message: string, field?: string) => reply(400, { kind: 'error', message, ...(field ? { field } : {}) });

export async function handleWebSocket(event: WebSocketEvent, deps: WebSocketDeps): Promise<WebSocketResult> {
  const { routeKey, connectionId } = event.requestContext;
  switch (routeKey) {
    case '$connect': {
      const userId = validate(userIdSchema, event.requestContext.authorizer?.userId);
      const query = connectQuery.safeParse(event.queryStringParameters ?? {});
      // A refused $connect closes the socket: the client learns why from the HTTP status only.
      if (!query.success) return { statusCode: 400 };
      const now = (deps.now ?? (() => new Date()))();
      await deps.store.put({
        connectionId,
        userId,
        format: query.data.format ?? 'json',
        connectedAt: now.toISOString(),
        apiId: event.requestContext.apiId,
        region: deps.region,
        stage: event.requestContext.stage,
        expiresAt: Math.floor(now.getTime() / 1000) + deps.connectionTtlSeconds,
      });
      return { statusCode: 200 };
    }
    case '$disconnect':
      await deps.store.delete(connectionId);
      return { statusCode: 200 };
    case 'subscribe':
    case 'unsubscribe': {
      const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      if (Buffer.byteLength(text) > deps.maxFrameBytes) return error(`frame is larger than ${deps.maxFrameBytes} bytes`, '$');
      let frame: z.output<typeof channelFrame>;
      try {
        frame = validate(channelFrame, JSON.parse(text));
      } catch (e) {
        if (e instanceof EventValidationError) return error(`${e.field}: ${e.detail}`, e.field);
        return error('frame is not valid JSON', '$');
      }
      const known = await deps.store.updateChannels(connectionId, frame.action, frame.channels);
      if (!known) return reply(410, { kind: 'error', message: 'connection is unknown or expired; reconnect' });
      return reply(200, { kind: 'ack', action: frame.action, channels: frame.channels });
    }
    default:
      return error(`unknown action; send {"action":"subscribe"|"unsubscribe","channels":[${CHANNELS.map((c) => `"${c}"`).join(',')}]}`, 'action');
  }
}
