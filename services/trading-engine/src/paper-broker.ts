/**
 * The paper broker: every order fills completely at the reference price moved against the user by the
 * configured slippage (a buy pays more, a sell receives less), after the configured latency, with a
 * taker fee. No venue is called; a real engine replaces this class, not the contract around it.
 */
import { bps, dec, mul, round, sub, add, type Decimal } from './decimal';
import type { Side } from './positions';

export interface PaperBrokerSettings {
  readonly slippageBps: number;
  readonly latencyMs: number;
  readonly feeBps: number;
}

export interface Execution {
  readonly price: Decimal;
  readonly executedAt: Date;
}

/** Fill prices and fees are kept to 8 fraction digits, as venues quote crypto. */
const PRICE_DIGITS = 8;
const ONE = dec('1');

export class PaperBroker {
  private readonly slippage: Decimal;
  private readonly feeRate: Decimal;

  constructor(
    private readonly settings: PaperBrokerSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.slippage = bps(settings.slippageBps);
    this.feeRate = bps(settings.feeBps);
  }

  /** Fills an order of `side` at the reference price plus slippage, after the latency. */
  async execute(order: { readonly side: Side; readonly referencePrice: Decimal }): Promise<Execution> {
    if (this.settings.latencyMs > 0) await this.sleep(this.settings.latencyMs);
    const factor = order.side === 'buy' ? add(ONE, this.slippage) : sub(ONE, this.slippage);
    return { price: round(mul(order.referencePrice, factor), PRICE_DIGITS), executedAt: this.now() };
  }

  /** The taker fee of a fill, in the quote currency. */
  fee(quantity: Decimal, price: Decimal): Decimal {
    return round(mul(mul(quantity, price), this.feeRate), PRICE_DIGITS);
  }
}
