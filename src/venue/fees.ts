/**
 * Fee models. A fee is charged per fill in price units (1/10,000 of the currency) per share, signed so that a
 * positive amount is paid by the participant and a negative one is a rebate. "30 mils" = $0.0030 = 30 units.
 * FeeModel is an open interface: a user's own schedule (tiers, caps, per-symbol rates) plugs in unchanged.
 */
export type Liquidity = 'make' | 'take';

export interface FeeModel {
  /** Total fee for one fill (price units × shares): positive paid, negative received. */
  fee(liquidity: Liquidity, price: number, qty: number): number;
}

/**
 * The classic per-share schedule: a rate for adding liquidity and one for removing it. Maker–taker venues pay a
 * maker rebate (make < 0) and charge takers; inverted venues charge makers and pay takers (take < 0); a flat
 * venue charges both the same.
 */
export class PerShareFees implements FeeModel {
  constructor(
    readonly make: number,
    readonly take: number,
  ) {}
  fee(liquidity: Liquidity, _price: number, qty: number): number {
    return (liquidity === 'make' ? this.make : this.take) * qty;
  }
}
