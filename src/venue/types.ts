import type { Side, TimeInForce, VenueKind } from '../core/types.js';
import type { Liquidity } from './fees.js';

/** What a participant (the router, a test, a strategy) sends to a venue. */
export type OrderMessage =
  | {
      type: 'new';
      clOrdId: number;
      side: Side;
      /** 'limit' and 'market' on lit venues; 'midpeg' in dark pools. */
      ordType: 'limit' | 'market' | 'midpeg';
      /** Limit price (limit orders; an optional cap/floor for midpeg, NaN for none). */
      price: number;
      qty: number;
      tif?: TimeInForce;
      postOnly?: boolean;
      hidden?: boolean;
      display?: number;
      /** Dark pools: smallest execution accepted. */
      minQty?: number;
    }
  | { type: 'cancel'; clOrdId: number }
  | { type: 'replace'; clOrdId: number; price: number; qty: number };

/** An execution report, delivered to the participant after the venue's response latency. */
export interface ExecReport {
  kind: 'ack' | 'fill' | 'cancelled' | 'replaced' | 'rejected';
  venue: string;
  /** Unique per venue: a report delivered twice carries the same execId. */
  execId: number;
  clOrdId: number;
  side: Side;
  /** Fill price for fills; order price otherwise. */
  price: number;
  /** Quantity of this fill (fills), 0 otherwise. */
  qty: number;
  /** Quantity still working after this report. */
  leaves: number;
  cumQty: number;
  /** Fee of this fill (price units × shares, positive paid). */
  fee: number;
  liquidity?: Liquidity;
  /** Venue time at which it happened (ns). */
  venueTime: number;
  reason?: string;
}

export interface VenueClient {
  onExecReport(report: ExecReport): void;
}

/** Top of a lit venue's book, as published. NaN prices when a side is empty. */
export interface Quote {
  venue: number;
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
  seq: number;
  venueTime: number;
}

export interface TradePrint {
  venue: number;
  price: number;
  qty: number;
  aggressor: Side;
  venueTime: number;
}

export interface MarketDataListener {
  onQuote(q: Quote): void;
  onTrade(t: TradePrint): void;
}

/** Counts a venue keeps for summaries. */
export interface VenueStats {
  orders: number;
  cancels: number;
  trades: number;
  volume: number;
}

/** A venue as the simulator and a router see it, lit or dark. */
export interface Venue {
  readonly name: string;
  readonly index: number;
  readonly kind: VenueKind;
  readonly stats: VenueStats;
  /** Sends a message from a participant; it reaches the venue after the entry latency. */
  send(client: VenueClient, msg: OrderMessage): void;
}

export function newStats(): VenueStats {
  return { orders: 0, cancels: 0, trades: 0, volume: 0 };
}
