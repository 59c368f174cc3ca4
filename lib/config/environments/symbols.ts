/** The pairs every environment's paper engine trades (a signal for another pair is dead-lettered). */
export const TRADED_SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XRP-USD', 'ADA-USD', 'DOGE-USD', 'AVAX-USD', 'LINK-USD', 'ETH-BTC'];
