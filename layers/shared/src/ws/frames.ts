/**
 * WebSocket frames of the API (docs/api.md#websocket-protocol). A client chooses its push format when it
 * connects (`?format=msgpack`, default json); the connection record keeps it, and whoever pushes (the
 * notifications worker) encodes each frame for that connection with `encodeFrame`. MessagePack frames are
 * binary, JSON frames text.
 */
import { decode, encode } from '@msgpack/msgpack';

export const FRAME_FORMATS = ['json', 'msgpack'] as const;
export type FrameFormat = (typeof FRAME_FORMATS)[number];

/** What a client may subscribe to: its own position and trade updates, and the notifications sent to it. */
export const CHANNELS = ['positions', 'trades', 'notifications'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Frame {
  /** `ack`, `error`, or the channel of a pushed update. */
  readonly kind: 'ack' | 'error' | Channel;
  readonly [field: string]: unknown;
}

export function encodeFrame(format: FrameFormat, frame: Frame): string | Uint8Array {
  return format === 'msgpack' ? encode(frame) : JSON.stringify(frame);
}

export function decodeFrame(data: string | Uint8Array): unknown {
  return typeof data === 'string' ? JSON.parse(data) : decode(data);
}
