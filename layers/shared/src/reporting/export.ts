/**
 * The daily per-user performance report of one shard: for day D, one JSON object per user with activity
 * that day, at `daily/YYYY/MM/DD/<userId>.json`: the user's rows of the daily rollup per symbol, and totals
 * (trade count, and notional, fees and realised P&L per quote currency: amounts in different currencies
 * are never added). Users are paged by key; objects are written with bounded concurrency. Idempotent: the
 * content depends only on the rollup, so a re-run overwrites the same keys with the same bytes.
 */
import type { Sql } from '../clients/sql';
import { REPORTING_SCHEMA } from '../db/reporting-schema';

const S = REPORTING_SCHEMA;

export interface SymbolRow {
  readonly symbol: string;
  readonly tradeCount: number;
  readonly boughtQuantity: string;
  readonly soldQuantity: string;
  readonly notional: string;
  readonly fees: string;
  readonly realizedPnl: string;
}

export interface DailyReport {
  readonly userId: string;
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  readonly symbols: readonly SymbolRow[];
  readonly totals: {
    readonly tradeCount: number;
    readonly byQuoteCurrency: Readonly<Record<string, { readonly notional: string; readonly fees: string; readonly realizedPnl: string }>>;
  };
}

export interface ExportOptions {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  /** Writes one object (S3 PutObject). */
  readonly put: (key: string, body: string) => Promise<void>;
  /** Objects written at once. */
  readonly concurrency: number;
  /** Users per page. @default 500 */
  readonly pageSize?: number;
}

export function reportKey(date: string, userId: string): string {
  return `daily/${date.replaceAll('-', '/')}/${userId}.json`;
}

/** Exports day `date`'s reports of one shard; returns how many objects were written. */
export async function exportDailyReports(db: Sql, options: ExportOptions): Promise<number> {
  const pageSize = options.pageSize ?? 500;
  let after = '';
  let written = 0;
  for (;;) {
    const { rows } = await db.query<{ user_id: string; symbol: string; trade_count: string; bought: string; sold: string; notional: string; fees: string; pnl: string }>(
      `WITH page AS (
         SELECT DISTINCT user_id FROM ${S}.rollup_daily WHERE bucket_start = ($1::date)::timestamp AT TIME ZONE 'UTC' AND user_id > $2 ORDER BY user_id LIMIT $3)
       SELECT user_id, symbol, trade_count::text, trim_scale(bought_quantity)::text AS bought, trim_scale(sold_quantity)::text AS sold,
              trim_scale(notional)::text AS notional, trim_scale(fees)::text AS fees, trim_scale(realized_pnl)::text AS pnl
       FROM ${S}.rollup_daily WHERE bucket_start = ($1::date)::timestamp AT TIME ZONE 'UTC' AND user_id IN (SELECT user_id FROM page)
       ORDER BY user_id, symbol`,
      [options.date, after, pageSize],
    );
    if (rows.length === 0) return written;
    const reports = groupReports(options.date, rows);
    written += await putAll(reports, options);
    after = reports[reports.length - 1].userId;
    if (reports.length < pageSize) return written;
  }
}

function groupReports(date: string, rows: readonly { user_id: string; symbol: string; trade_count: string; bought: string; sold: string; notional: string; fees: string; pnl: string }[]): DailyReport[] {
  const byUser = new Map<string, SymbolRow[]>();
  for (const r of rows) {
    const list = byUser.get(r.user_id) ?? [];
    list.push({ symbol: r.symbol, tradeCount: Number(r.trade_count), boughtQuantity: r.bought, soldQuantity: r.sold, notional: r.notional, fees: r.fees, realizedPnl: r.pnl });
    byUser.set(r.user_id, list);
  }
  return [...byUser].map(([userId, symbols]) => ({ userId, date, symbols, totals: totalsOf(symbols) }));
}

function totalsOf(symbols: readonly SymbolRow[]): DailyReport['totals'] {
  const byQuoteCurrency: Record<string, { notional: string; fees: string; realizedPnl: string }> = {};
  for (const row of symbols) {
    const quote = row.symbol.split('-')[1];
    const t = (byQuoteCurrency[quote] ??= { notional: '0', fees: '0', realizedPnl: '0' });
    t.notional = addDecimal(t.notional, row.notional);
    t.fees = addDecimal(t.fees, row.fees);
    t.realizedPnl = addDecimal(t.realizedPnl, row.realizedPnl);
  }
  return { tradeCount: symbols.reduce((n, r) => n + r.tradeCount, 0), byQuoteCurrency };
}

/** Exact decimal addition of two decimal strings (BigInt over a common scale; JSON numbers would round). */
export function addDecimal(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const sum = toScaled(a, scale) + toScaled(b, scale);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  let text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  if (scale > 0) text = text.replace(/\.?0+$/, '');
  return negative && text !== '0' ? `-${text}` : text;
}

function fractionDigits(v: string): number {
  const dot = v.indexOf('.');
  return dot < 0 ? 0 : v.length - dot - 1;
}

function toScaled(v: string, scale: number): bigint {
  const negative = v.startsWith('-');
  const [int, frac = ''] = (negative ? v.slice(1) : v).split('.');
  const scaled = BigInt(int + frac.padEnd(scale, '0'));
  return negative ? -scaled : scaled;
}

async function putAll(reports: readonly DailyReport[], options: ExportOptions): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < reports.length) {
      const report = reports[next++];
      await options.put(reportKey(report.date, report.userId), JSON.stringify(report));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, reports.length) }, worker));
  return reports.length;
}
