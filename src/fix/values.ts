import { BUY, FOK, GTC, IOC, PRICE_UNITS_PER_CURRENCY, SELL, type Side, type TimeInForce } from '../core/types.js';

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
  return v === '1' ? BUY : v === '2' ? SELL : null;
}
export function fixSide(s: Side): string {
  return s === BUY ? '1' : '2';
}

/** TimeInForce (59): 1 GTC (and 0 Day, which a session of one day makes the same), 3 IOC, 4 FOK. */
export function tifOf(v: string | undefined): TimeInForce | null {
  if (v === undefined || v === '0' || v === '1') return GTC;
  if (v === '3') return IOC;
  if (v === '4') return FOK;
  return null;
}
export function fixTif(t: TimeInForce | undefined): string {
  return t === IOC ? '3' : t === FOK ? '4' : '1';
}
