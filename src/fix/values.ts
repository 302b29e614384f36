import { BUY, FOK, GTC, IOC, PRICE_UNITS_PER_CURRENCY, SELL, type Side, type TimeInForce } from '../core/types.js';
import type { Liquidity } from '../venue/fees.js';
import { LAST_LIQUIDITY_IND, SIDE, TIME_IN_FORCE } from './tags.js';

/**
 * FIX values ↔ the project's units. Prices travel as decimals of the currency (44=585.33) and are integers of
 * 1/10,000 inside; a price with more places than that is not a price here. Quantities are whole shares.
 */
const DECIMAL = /^-?(\d+)(?:\.(\d*))?$/;

/** A FIX price in price units (1/10,000), or NaN when it is not a decimal or has more than 4 places that are not 0. */
export function priceUnits(v: string | undefined): number {
  const m = v === undefined ? null : DECIMAL.exec(v);
  if (!m) return NaN;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 4) return NaN;
  const n = Number(m[1]) * PRICE_UNITS_PER_CURRENCY + Number(frac.padEnd(4, '0'));
  return v!.startsWith('-') ? -n : n;
}

/** Price units as a FIX price: 5853300 → "585.33". */
export function fixPrice(units: number): string {
  const neg = units < 0;
  const a = Math.abs(Math.round(units));
  const whole = Math.floor(a / PRICE_UNITS_PER_CURRENCY);
  const frac = String(a % PRICE_UNITS_PER_CURRENCY)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** A whole, positive number of shares (38, 110…), or NaN. */
export function shares(v: string | undefined): number {
  if (v === undefined || !/^\d+(\.0*)?$/.test(v)) return NaN;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : NaN;
}

/** Side (54): 1 buy, 2 sell. */
export function sideOf(v: string | undefined): Side | null {
  return v === SIDE.Buy ? BUY : v === SIDE.Sell ? SELL : null;
}
export function fixSide(s: Side): string {
  return s === BUY ? SIDE.Buy : SIDE.Sell;
}

/** TimeInForce (59): 1 GTC (and 0 Day, which a session of one day makes the same), 3 IOC, 4 FOK. */
export function tifOf(v: string | undefined): TimeInForce | null {
  if (v === undefined || v === TIME_IN_FORCE.Day || v === TIME_IN_FORCE.GoodTillCancel) return GTC;
  if (v === TIME_IN_FORCE.ImmediateOrCancel) return IOC;
  if (v === TIME_IN_FORCE.FillOrKill) return FOK;
  return null;
}
export function fixTif(t: TimeInForce | undefined): string {
  return t === IOC ? TIME_IN_FORCE.ImmediateOrCancel : t === FOK ? TIME_IN_FORCE.FillOrKill : TIME_IN_FORCE.GoodTillCancel;
}

/**
 * A fill's fee as Commission (12, with CommType 3: an amount of the currency). Inside, a fee is price units × shares
 * and need not be whole (a fee per share of a fraction of a unit); the wire carries 6 decimal places of the currency.
 */
export function fixFee(units: number): string {
  return (units / PRICE_UNITS_PER_CURRENCY).toFixed(6);
}
/** A Commission (12) in whole price units (0 when absent): what the router's books count fees in. */
export function feeUnits(v: string | undefined): number {
  return Math.round(Number(v ?? 0) * PRICE_UNITS_PER_CURRENCY);
}

/** LastLiquidityInd (851): 1 added liquidity (a maker's fill), anything else taken. */
export function liquidityOf(v: string | undefined): Liquidity {
  return v === LAST_LIQUIDITY_IND.AddedLiquidity ? 'make' : 'take';
}
export function fixLiquidity(l: Liquidity): string {
  return l === 'make' ? LAST_LIQUIDITY_IND.AddedLiquidity : LAST_LIQUIDITY_IND.RemovedLiquidity;
}
