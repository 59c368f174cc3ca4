import { createHash } from 'node:crypto';

/**
 * A UUID derived from a user and a client-chosen id (RFC 9562 layout, version 8): a retried request maps to
 * the same event id, which consumers deduplicate.
 */
export function deterministicEventId(userId: string, clientId: string): string {
  const h = createHash('sha256').update(`${userId}\u0000${clientId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
