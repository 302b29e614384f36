import { BUY, NS_PER_SECOND, type Side } from '../core/types.js';

/**
 * How participants' trades move the price the rest of the market trades around. Open interface.
 * `offset(t)` is added to the latent fair value (price units, + = up); the background flow then carries the mid
 * along (informed traders trade toward the fair value, and dark-pool informed contras see it).
 */
export interface ImpactModel {
  /** A participant's aggressive trade of `qty` shares at time t (ns). */
  onTrade(t: number, side: Side, qty: number): void;
  offset(t: number): number;
  /**
   * A move of the price pushed in directly (price units, + = up) at time t, which then decays as a trade's impact
   * does: how a displayed order's pressure enters a replayed day. Optional: a model without it ignores displays.
   */
  push?(t: number, x: number): void;
  /** ∫₀ᵀ G(τ) dτ in seconds: what a steady push of one unit a second leaves after T seconds. */
  accumulated?(seconds: number): number;
}

export interface PropagatorParams {
  /** Decay exponent of the kernel G(τ) = (1 + τ/τ0)^(−β). */
  beta: number;
  tau0Seconds: number;
  /** Price move (price units) per share traded, at τ = 0. */
  kPerShare: number;
}

/**
 * The propagator model (Bouchaud, Gefen, Potters and Wyart 2004): impact is the sum over past trades of
 * k · sign · volume · G(t − s), with a slowly decaying power-law kernel. G is evaluated as a positive sum of
 * exponentials (a quadrature of (1 + x)^(−β) = Γ(β)^(−1) ∫ u^(β−1) e^(−u) e^(−ux) du over log u), so each trade and
 * each evaluation costs O(components) whatever the history: within 1 % of the power law for τ up to 10^6 τ0.
 */
export class PowerLawPropagator implements ImpactModel {
  private readonly rates: Float64Array; // 1/ns
  private readonly weights: Float64Array;
  private readonly state: Float64Array; // per component: ∑ k·sign·q·e^(−rate·(t_last − s))
  private lastT = NaN;

  constructor(readonly p: PropagatorParams) {
    const { u, w } = kernelQuadrature(p.beta);
    const tau0Ns = p.tau0Seconds * NS_PER_SECOND;
    this.rates = Float64Array.from(u, (x) => x / tau0Ns);
    this.weights = w;
    this.state = new Float64Array(u.length);
  }

  onTrade(t: number, side: Side, qty: number): void {
    this.push(t, this.p.kPerShare * qty * (side === BUY ? 1 : -1));
  }

  push(t: number, x: number): void {
    this.advance(t);
    for (let j = 0; j < this.state.length; j++) this.state[j] = this.state[j]! + x;
  }

  accumulated(seconds: number): number {
    const { beta, tau0Seconds: t0 } = this.p;
    return (t0 * (Math.pow(1 + seconds / t0, 1 - beta) - 1)) / (1 - beta);
  }

  offset(t: number): number {
    if (this.lastT !== this.lastT) return 0;
    this.advance(t);
    let s = 0;
    for (let j = 0; j < this.state.length; j++) s += this.weights[j]! * this.state[j]!;
    return s;
  }

  /** G(τ) as the quadrature gives it (for tests). */
  kernel(tauSeconds: number): number {
    let s = 0;
    for (let j = 0; j < this.rates.length; j++) s += this.weights[j]! * Math.exp(-this.rates[j]! * tauSeconds * NS_PER_SECOND);
    return s;
  }

  private advance(t: number): void {
    if (this.lastT === this.lastT && t > this.lastT) {
      const dt = t - this.lastT;
      for (let j = 0; j < this.state.length; j++) this.state[j] = this.state[j]! * Math.exp(-this.rates[j]! * dt);
    }
    if (!(t < this.lastT)) this.lastT = t;
  }
}

/**
 * Nodes u_j and weights w_j with (1 + x)^(−β) ≈ Σ w_j e^(−u_j x) for x up to 10^6. Nodes slower than 0.01/10^6
 * barely decay over that range, so their mass, ∫_{−∞}^{lo} e^(βy) dy / Γ(β), is lumped into one component of rate 0.
 */
function kernelQuadrature(beta: number): { u: Float64Array; w: Float64Array } {
  const h = 0.35;
  const lo = Math.log(0.01 / 1e6);
  const hi = 3.5;
  const n = Math.ceil((hi - lo) / h);
  const u = new Float64Array(n + 1);
  const w = new Float64Array(n + 1);
  const g = gamma(beta);
  for (let j = 0; j < n; j++) {
    const y = lo + (j + 0.5) * h;
    const uj = Math.exp(y);
    u[j] = uj;
    // ∫ u^(β−1) e^(−u) e^(−ux) du = ∫ e^(βy) e^(−e^y) e^(−e^y x) dy, by the midpoint rule in y
    w[j] = (h * Math.exp(beta * y - uj)) / g;
  }
  u[n] = 0;
  w[n] = Math.exp(beta * lo) / (beta * g);
  return { u, w };
}

/** Γ(x) for x > 0 (Lanczos, g = 7). */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

export interface SqrtLawParams {
  /** Prefactor Y of I = Y · σ_daily · √(Q/V); empirical studies find Y of order 1. */
  Y: number;
  /** Daily volatility in bps and the price it applies to (price units). */
  dailyVolatilityBps: number;
  price: number;
  /** Daily volume (shares) and trading seconds of a day. */
  dailyVolume: number;
  sessionSeconds: number;
  /** Participation rate of the reference programme. */
  participation: number;
  /** Size of the reference programme, as a fraction of daily volume. */
  referenceFraction: number;
  beta: number;
  tau0Seconds: number;
}

/**
 * A propagator calibrated to the square-root law. A programme at participation ρ of the market's volume rate v,
 * lasting T = Q/(ρv), moves the price by its end I = k·ρ·v·τ0·((1 + T/τ0)^(1−β) − 1)/(1 − β); k is set so that
 * the reference programme (Q = referenceFraction · V) moves it exactly Y·σ_D·√(Q/V). With β = ½ and T ≫ τ0 every
 * size then follows the law (I ∝ √Q); another β bends the curve (I ∝ Q^(1−β)), which is how the book's own
 * impact, added on top, can be compensated so that the total follows the law.
 */
export function sqrtLawPropagator(p: SqrtLawParams): PowerLawPropagator {
  const sigmaD = p.dailyVolatilityBps * 1e-4 * p.price;
  const v = p.dailyVolume / p.sessionSeconds;
  const Q = p.referenceFraction * p.dailyVolume;
  const T = Q / (p.participation * v);
  const response = (p.participation * v * p.tau0Seconds * (Math.pow(1 + T / p.tau0Seconds, 1 - p.beta) - 1)) / (1 - p.beta);
  const k = (p.Y * sigmaD * Math.sqrt(p.referenceFraction)) / response;
  return new PowerLawPropagator({ beta: p.beta, tau0Seconds: p.tau0Seconds, kPerShare: k });
}
