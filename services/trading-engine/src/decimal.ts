/**
 * Exact decimal arithmetic for prices, quantities and P&L: the catalog carries them as decimal strings
 * (never doubles), and PostgreSQL stores them as NUMERIC. Values are BigInt fixed point with 18 fraction
 * digits (the catalog's maximum); division and multiplication round half away from zero at that scale.
 */
const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export type Decimal = bigint & { readonly __decimal: unique symbol };

export function dec(text: string): Decimal {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal string: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ''] = m;
  if (fraction.length > SCALE) throw new RangeError(`more than ${SCALE} fraction digits: ${text}`);
  const value = BigInt(whole) * ONE + BigInt(fraction.padEnd(SCALE, '0'));
  return (sign ? -value : value) as Decimal;
}

/** The shortest decimal string: no exponent, no trailing zeros, "0" for zero. */
export function str(value: Decimal, maxFractionDigits = SCALE): string {
  const v = maxFractionDigits < SCALE ? round(value, maxFractionDigits) : value;
  const negative = v < 0n;
  const abs = negative ? -v : v;
  const whole = abs / ONE;
  const fraction = (abs % ONE).toString().padStart(SCALE, '0').replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && body !== '0' ? `-${body}` : body;
}

function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const away = twice >= (d < 0n ? -d : d);
  if (!away) return q;
  return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
}

/** Rounds to `digits` fraction digits, half away from zero. */
export function round(value: Decimal, digits: number): Decimal {
  const step = 10n ** BigInt(SCALE - digits);
  return (divRound(value, step) * step) as Decimal;
}

export const ZERO = 0n as Decimal;
export const add = (a: Decimal, b: Decimal) => (a + b) as Decimal;
export const sub = (a: Decimal, b: Decimal) => (a - b) as Decimal;
export const neg = (a: Decimal) => -a as Decimal;
export const abs = (a: Decimal) => (a < 0n ? -a : a) as Decimal;
export const mul = (a: Decimal, b: Decimal) => divRound(a * b, ONE) as Decimal;
export const div = (a: Decimal, b: Decimal) => {
  if (b === 0n) throw new RangeError('division by zero');
  return divRound(a * ONE, b) as Decimal;
};
export const sign = (a: Decimal): -1 | 0 | 1 => (a < 0n ? -1 : a > 0n ? 1 : 0);
export const min = (a: Decimal, b: Decimal) => (a < b ? a : b);
/** Basis points as a factor: 5 bps -> 0.0005. */
export const bps = (points: number) => div(dec(String(points)), dec('10000'));
