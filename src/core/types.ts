/**
 * Shared vocabulary. Prices are integers in 1/10,000 of the currency, quantities integer shares,
 * times integer nanoseconds since midnight (see ARCHITECTURE.md, "Units and conventions").
 */
export type Side = 0 | 1;
export const BUY: Side = 0;
export const SELL: Side = 1;

export function opposite(side: Side): Side {
  return (side ^ 1) as Side;
}

/** Time in force of a limit order. */
export type TimeInForce = 0 | 1 | 2;
export const GTC: TimeInForce = 0;
export const IOC: TimeInForce = 1;
export const FOK: TimeInForce = 2;

export const NS_PER_SECOND = 1_000_000_000;
export const NS_PER_MINUTE = 60 * NS_PER_SECOND;
/** A trading session: 6.5 hours (09:30–16:00 on US equity exchanges). */
export const SESSION_MINUTES = 390;

/** Price unit: 1/10,000 of the currency. One cent is 100 units. */
export const PRICE_UNITS_PER_CURRENCY = 10_000;

/** Basis points in one: a cost of x bp is a fraction x / BPS. */
export const BPS = 10_000;

/** A venue is a lit exchange (a price-time book) or a dark pool (matching at the midpoint). */
export type VenueKind = 'lit' | 'dark';

export function formatPrice(price: number): string {
  return (price / PRICE_UNITS_PER_CURRENCY).toFixed(4);
}
