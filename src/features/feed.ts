import type { Session } from '../sim/session.js';
import type { MarketDataListener } from '../venue/types.js';
import { FeatureEngine } from './engine.js';

/**
 * The one feature feed, for training and serving alike: mids from the consolidated quote, prints from each lit
 * venue's feed, on one subscription per venue. `also` rides on the same subscription (a router's market tracker):
 * every subscriber draws its own feed latency, so a second subscription would change the market path.
 */
export function feedFeatures(s: Session, fe: FeatureEngine | undefined, also?: (venue: string) => MarketDataListener): void {
  if (fe) s.nbbo.onChange(() => fe.onMid(s.kernel.now(), s.nbbo.lastMid));
  for (const v of s.lit) {
    const extra = also?.(v.name);
    v.subscribe({
      onQuote: (q) => extra?.onQuote(q),
      onTrade: (t) => {
        extra?.onTrade(t);
        fe?.onTrade(s.kernel.now(), t.aggressor, t.qty);
      },
    });
  }
}

/** A feature engine for a session's venues (not yet fed). */
export function featuresFor(s: Session, adv: number, longRunVolBps: number): FeatureEngine {
  return new FeatureEngine({ venues: s.venues.map((v) => v.name), tick: s.scenario.tick, adv, longRunVolBps });
}

/** A feature engine for a session's venues, fed by it (feedFeatures). */
export function sessionFeatures(s: Session, adv: number, longRunVolBps: number): FeatureEngine {
  const fe = featuresFor(s, adv, longRunVolBps);
  feedFeatures(s, fe);
  return fe;
}
