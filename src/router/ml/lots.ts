/** A place a budget's lots can go, as the lot allocator sees it. */
export interface LotPlace {
  dark: boolean;
  /** Saving per share filled, bps (a place worth nothing gets no lot). */
  value: number;
  /** The chance that the next lot given here fills. */
  p: number;
  /** Shares given so far. */
  given: number;
}

/** The lot size for a budget: a multiple of the unit, at most `maxLots` lots (larger lots for a larger budget). */
export function lotSize(budget: number, unit: number, maxLots: number): number {
  return Math.max(unit, Math.ceil(budget / maxLots / unit) * unit);
}

/**
 * Gives `budget` shares, lot by lot, to the places of one kind (`dark` or lit) where the next lot's expected saving,
 * P(fill) × saving per share, is highest, and nowhere a share would save nothing. `chance` says what the next lot at
 * a place fills with after the lots it was given; only the place just given a lot changes.
 */
export function allocateLots<P extends LotPlace>(
  places: readonly P[],
  dark: boolean,
  budget: number,
  lot: number,
  chance: (p: P, lot: number) => number,
): void {
  for (const o of places) if (o.dark === dark && o.value > 0) o.p = chance(o, lot);
  let left = budget;
  while (left > 0) {
    let pick: P | null = null;
    let bestGain = 0;
    for (const o of places) {
      if (o.dark !== dark || !(o.value > 0)) continue;
      const gain = o.p * o.value;
      if (gain > bestGain) {
        bestGain = gain;
        pick = o;
      }
    }
    if (!pick) break;
    const q = Math.min(left, lot);
    pick.given += q;
    left -= q;
    pick.p = chance(pick, lot);
  }
}
