/**
 * Field types shared by every event.
 *
 * Money and quantities are DECIMAL STRINGS ("0.00012345", "64250.5"), not JSON numbers: JSON numbers are
 * IEEE-754 doubles, which cannot hold 0.1 exactly, lose digits past ~15-17 significant figures (a BTC
 * quantity with 8 decimals times a 5-digit price already has 13) and drift when summed. Strings keep what
 * the venue sent, map straight onto PostgreSQL NUMERIC, and force arithmetic through a decimal library.
 * No exponent notation, at most 20 integer and 18 fraction digits (ETH's wei precision).
 */
import * as z from 'zod';

/** Idempotency key: consumers drop an eventId they have already applied. Any RFC 9562 UUID. */
export const eventId = z.uuid();

/** ISO-8601 in UTC with a `Z` suffix, e.g. `2025-01-31T12:00:00.000Z`. */
export const utcTimestamp = z.iso.datetime({ message: 'expected an ISO-8601 UTC timestamp such as 2025-01-31T12:00:00.000Z' });

export const userId = z
  .string()
  .regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'expected 1-128 characters from letters, digits and . _ : @ -');

/** Business identifiers (order, trade, signal, strategy, run ids). */
export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,80}$/, 'expected 1-80 characters from letters, digits and . _ : -');

/** A trading pair, BASE-QUOTE. */
export const symbol = z.string().regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/, 'expected a BASE-QUOTE pair such as BTC-USD');

export const currency = z.string().regex(/^[A-Z0-9]{2,12}$/, 'expected an asset code such as USD or BTC');

const DECIMAL = /^-?\d{1,20}(\.\d{1,18})?$/;
const DECIMAL_HINT = 'a decimal string such as "0.015" (at most 20 integer and 18 fraction digits, no exponent)';

/** A signed decimal (P&L, a short position's quantity). */
export const decimal = z.string().regex(DECIMAL, `expected ${DECIMAL_HINT}`);
/** A decimal >= 0 (fees, filled quantity). */
export const nonNegativeDecimal = z.string().regex(/^\d{1,20}(\.\d{1,18})?$/, { message: `expected ${DECIMAL_HINT}, >= 0`, abort: true });
/** A decimal > 0 (prices, order quantities). */
export const positiveDecimal = nonNegativeDecimal.refine((v) => /[1-9]/.test(v), { message: 'expected a decimal > 0' });

export const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region name such as us-east-1');

export const SIDES = ['buy', 'sell'] as const;
export const side = z.enum(SIDES);
