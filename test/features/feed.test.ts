import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { buildWorld } from '../../src/backtest/world.js';
import { sessionFeatures } from '../../src/features/feed.js';
import { SimRouter } from '../../src/router/sim-adapter.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL } from '../../src/core/types.js';
import { N_FEATURES, type FeatureQuery } from '../../src/features/engine.js';
import { consolidatedTop } from '../../src/backtest/datasets.js';

const market = resolveScenario('default');

describe('one feature feed for training and serving', () => {
  it("the datasets' features and the router's are the same vector, exactly, on the same world", () => {
    const adv = 706_146;
    const vol = 4.85;
    // the datasets bind the feed alone; the router binds it with its market tracker on the same subscription
    const training = buildWorld({ market, seed: 21 }, (s) => sessionFeatures(s, adv, vol));
    const serving = buildWorld({ market, seed: 21 }, (s) => new SimRouter(s, {}, { adv, longRunVolBps: vol }));
    training.start();
    serving.start();
    let compared = 0;
    let moved = 0;
    let prev: Float64Array | null = null;
    for (let t = training.session.t0 + 10 * NS_PER_MINUTE; t <= training.session.t0 + 40 * NS_PER_MINUTE; t += 17 * NS_PER_SECOND) {
      training.run(t);
      serving.run(t);
      const book = consolidatedTop(training.session);
      // the same market path: the consolidated books agree before the features are compared
      expect(consolidatedTop(serving.session)).toEqual(book);
      const side = compared % 2 === 0 ? BUY : SELL;
      const q: FeatureQuery = {
        t,
        book,
        order: { side, qty: 5000, remaining: 3000, start: t - NS_PER_MINUTE, end: t + 9 * NS_PER_MINUTE },
        venue: { index: compared % 3, takeFee: 30, makeFee: -20, queueAhead: 400, price: book.bids[0]!.price },
      };
      const a = new Float64Array(N_FEATURES);
      const b = new Float64Array(N_FEATURES);
      training.bound.write(q, a);
      serving.bound.features!.write(q, b);
      expect(Array.from(b)).toEqual(Array.from(a));
      if (prev && a.some((x, i) => x !== prev![i])) moved++;
      prev = a;
      compared++;
    }
    // a comparison of vectors that never change would prove nothing
    expect(compared).toBeGreaterThan(100);
    expect(moved).toBeGreaterThan(compared / 2);
  });
});
