import { EV_DARK_ADD, EV_DARK_CANCEL, EV_DARK_TRADE, type EventSink } from '../core/event-log.js';
import type { Rng } from '../core/rng.js';
import type { Handler, Scheduler } from '../core/scheduler.js';
import { BUY, SELL, type Side } from '../core/types.js';
import type { ContraFlowModel } from './contra-flow.js';
import type { FeeModel } from './fees.js';
import type { LatencyModel } from './latency.js';
import { ParticipantGateway, type WorkingOrder } from './participants.js';
import { newStats, type OrderMessage, type Venue, type VenueClient, type VenueStats } from './types.js';

/** The consolidated best bid and offer a dark pool prices against. NaN when a side is empty. */
export interface NbboSource {
  nbbo(): { bid: number; ask: number };
}

/** The informed traders' information (see ContraContext.signal). */
export interface SignalSource {
  signal(now: number): number;
}

export interface DarkPoolConfig {
  name: string;
  index: number;
  fees: FeeModel;
  entryLatency: LatencyModel;
  responseLatency: LatencyModel;
  contra: ContraFlowModel;
}

interface DarkOrder {
  id: number;
  side: Side;
  leaves: number;
  minQty: number;
  /** Worst acceptable price (a buy's cap, a sell's floor), NaN for none. */
  limit: number;
  owner: number;
  informed: boolean;
  participant?: WorkingOrder;
}

/** Statistics kept for markouts of the pool's own flow (the simulator's view; participants see only their fills). */
export interface DarkPoolStats extends VenueStats {
  informedArrivals: number;
  contraArrivals: number;
}

/**
 * A midpoint dark pool: orders peg to the midpoint of the consolidated NBBO and trade there with each other,
 * nothing is displayed, and a participant learns only of its own fills. Each execution respects both sides'
 * minimum quantity (a remainder smaller than its minimum may trade whole). No trading while the NBBO is one-sided,
 * locked or crossed. A participant's orders never trade with each other (self-trade prevention). Contra liquidity
 * arrives by a ContraFlowModel and rests for a while.
 */
export class DarkPool implements Venue {
  readonly kind = 'dark';
  readonly name: string;
  readonly index: number;
  readonly stats: DarkPoolStats = { ...newStats(), informedArrivals: 0, contraArrivals: 0 };
  private readonly orders: DarkOrder[] = []; // time priority
  /**
   * Orders that may now trade with another: new, replaced, just traded, or priced by a limit when the NBBO moved. Every
   * pair that can trade involves one of them (between two others nothing has changed since they could not), so a
   * match looks at those pairs only: linear in the resting orders, not quadratic.
   */
  private readonly dirty = new Set<DarkOrder>();
  private readonly gateway: ParticipantGateway;
  private nextId = 1;
  private readonly arrive: Handler<null>;
  private readonly expire: Handler<DarkOrder>;

  constructor(
    readonly cfg: DarkPoolConfig,
    private readonly sched: Scheduler,
    private readonly log: EventSink,
    rng: Rng,
    private readonly contraRng: Rng,
    private readonly nbbo: NbboSource,
    private readonly info: SignalSource | null,
  ) {
    this.name = cfg.name;
    this.index = cfg.index;
    this.gateway = new ParticipantGateway(cfg.name, sched, cfg.entryLatency, cfg.responseLatency, rng, 0, (c, owner, m) => this.process(c, owner, m));
    this.arrive = { handle: (t) => this.contraArrival(t) };
    this.expire = {
      handle: (t, o) => {
        if (o.leaves > 0 && this.remove(o)) {
          this.stats.cancels++;
          this.log.record(EV_DARK_CANCEL, t, this.index, o.id, o.leaves, 0, 0, 0);
        }
      },
    };
  }

  /** Starts the contra flow at time t0. */
  start(t0: number): void {
    this.sched.at(t0 + this.cfg.contra.nextArrivalNs(this.contraRng, t0), this.arrive, null);
  }

  /** The NBBO moved: pegged orders reprice, and may now meet. */
  onNbboChange(): void {
    if (this.orders.length < 2) return;
    for (const o of this.orders) if (o.limit === o.limit) this.dirty.add(o);
    this.match();
  }

  send(client: VenueClient, msg: OrderMessage): void {
    this.gateway.send(client, msg);
  }

  /** Resting quantity per side (the simulator's view; nothing of it is published). */
  resting(side: Side): number {
    let q = 0;
    for (const o of this.orders) if (o.side === side) q += o.leaves;
    return q;
  }

  private contraArrival(now: number): void {
    const { bid, ask } = this.nbbo.nbbo();
    if (bid < ask) {
      const c = this.cfg.contra.draw(this.contraRng, {
        now,
        mid: (bid + ask) / 2,
        halfSpread: (ask - bid) / 2,
        signal: this.info?.signal(now) ?? 0,
      });
      const o: DarkOrder = { id: this.nextId++, side: c.side, leaves: c.qty, minQty: c.minQty, limit: NaN, owner: 0, informed: c.informed };
      this.stats.contraArrivals++;
      if (c.informed) this.stats.informedArrivals++;
      this.add(o, now);
      if (o.leaves > 0) this.sched.at(now + c.lifetimeNs, this.expire, o);
    }
    this.sched.at(now + this.cfg.contra.nextArrivalNs(this.contraRng, now), this.arrive, null);
  }

  private add(o: DarkOrder, now: number): void {
    this.stats.orders++;
    this.log.record(EV_DARK_ADD, now, this.index, o.id, o.side, o.leaves, o.minQty, o.owner);
    this.orders.push(o);
    this.dirty.add(o);
    this.match();
  }

  private remove(o: DarkOrder): boolean {
    const i = this.orders.indexOf(o);
    if (i < 0) return false;
    this.orders.splice(i, 1);
    this.dirty.delete(o);
    return true;
  }

  private process(client: VenueClient, owner: number, msg: OrderMessage): void {
    const now = this.sched.now();
    if (msg.type === 'new') {
      if (msg.ordType !== 'midpeg') return this.reject(client, msg.clOrdId, msg.side, `${this.name} takes midpeg orders only`);
      if (this.gateway.find(client, msg.clOrdId)) return this.reject(client, msg.clOrdId, msg.side, 'duplicate clOrdId');
      if (!(msg.qty > 0) || !Number.isInteger(msg.qty)) return this.reject(client, msg.clOrdId, msg.side, 'bad quantity');
      const w: WorkingOrder = { client, owner, clOrdId: msg.clOrdId, venueId: this.nextId++, side: msg.side, price: msg.price, qty: msg.qty, cumQty: 0 };
      this.gateway.track(w);
      this.gateway.report(client, 'ack', w, 0, msg.qty);
      const minQty = Math.max(1, Math.min(msg.minQty ?? 1, msg.qty));
      this.add({ id: w.venueId, side: msg.side, leaves: msg.qty, minQty, limit: msg.price, owner, informed: false, participant: w }, now);
      return;
    }
    const w = this.gateway.find(client, msg.clOrdId);
    const o = w && this.orders.find((x) => x.participant === w);
    if (w === undefined || o === undefined) return this.reject(client, msg.clOrdId, BUY, `unknown or closed order ${msg.clOrdId}`);
    if (msg.type === 'cancel') {
      this.remove(o);
      this.stats.cancels++;
      this.log.record(EV_DARK_CANCEL, now, this.index, o.id, o.leaves, owner, 0, 0);
      this.gateway.report(client, 'cancelled', w, 0, 0);
      this.gateway.forget(w);
    } else {
      const newLeaves = msg.qty - w.cumQty;
      if (!(newLeaves > 0)) return this.reject(client, msg.clOrdId, w.side, 'replace: quantity not above the filled quantity');
      // a pegged order has no price priority to lose; a size increase goes to the back of the queue
      if (newLeaves > o.leaves) {
        this.remove(o);
        this.orders.push(o);
      }
      o.leaves = newLeaves;
      o.limit = msg.price;
      w.qty = msg.qty;
      w.price = msg.price;
      this.gateway.report(client, 'replaced', w, 0, newLeaves);
      this.dirty.add(o);
      this.match();
    }
  }

  private reject(client: VenueClient, clOrdId: number, side: Side, reason: string): void {
    this.gateway.report(client, 'rejected', { clOrdId, side, price: NaN, cumQty: 0 }, 0, 0, 0, { reason });
  }

  /**
   * Crosses every pair that can trade at the current midpoint, oldest orders first: each time the pair (i, j), i < j in
   * time priority, with the smallest i and then the smallest j. Only pairs with a dirty order can trade (see `dirty`).
   */
  private match(): void {
    if (this.dirty.size === 0) return;
    const { bid, ask } = this.nbbo.nbbo();
    if (!(bid < ask)) return; // one-sided (NaN), locked or crossed: no reference price (the dirty ones wait)
    const mid = Math.floor((bid + ask) / 2);
    const orders = this.orders;
    const dirtyAt: number[] = [];
    for (;;) {
      dirtyAt.length = 0;
      for (let k = 0; k < orders.length; k++) if (this.dirty.has(orders[k]!)) dirtyAt.push(k);
      let pair: [DarkOrder, DarkOrder] | null = null;
      for (let i = 0; i < orders.length && !pair; i++) {
        const a = orders[i]!;
        if (!priceOk(a, mid)) continue;
        if (this.dirty.has(a)) {
          for (let j = i + 1; j < orders.length; j++)
            if (canTrade(a, orders[j]!, mid)) {
              pair = [a, orders[j]!];
              break;
            }
        } else
          for (const j of dirtyAt)
            if (j > i && canTrade(a, orders[j]!, mid)) {
              pair = [a, orders[j]!];
              break;
            }
      }
      if (!pair) break;
      const [a, b] = pair;
      this.dirty.add(a);
      this.dirty.add(b);
      this.execute(a.side === BUY ? a : b, a.side === BUY ? b : a, mid, Math.min(a.leaves, b.leaves));
    }
    this.dirty.clear();
  }

  private execute(buy: DarkOrder, sell: DarkOrder, price: number, qty: number): void {
    const now = this.sched.now();
    buy.leaves -= qty;
    sell.leaves -= qty;
    this.stats.trades++;
    this.stats.volume += qty;
    this.log.record(EV_DARK_TRADE, now, this.index, buy.id, sell.id, price, qty, 0);
    // a participant filled against the contra flow: a model that learns from it hears of it
    if (this.cfg.contra.onParticipantFill && (buy.owner === 0) !== (sell.owner === 0))
      this.cfg.contra.onParticipantFill(buy.owner !== 0 ? BUY : SELL, qty, now, this.contraRng);
    for (const o of [buy, sell]) {
      if (o.leaves === 0) this.remove(o);
      const w = o.participant;
      if (w === undefined) continue;
      w.cumQty += qty;
      if (w.cumQty > w.qty) throw new Error(`${this.name}: overfill of clOrdId ${w.clOrdId}`);
      // in a pool every execution is at the midpoint and neither side "takes"; pools charge both alike
      this.gateway.report(w.client, 'fill', { ...w, price }, qty, o.leaves, this.cfg.fees.fee('take', price, qty), {
        liquidity: 'take',
      });
      if (o.leaves === 0) this.gateway.forget(w);
    }
  }
}

/** Whether b (after a in time priority, a priced well) can trade with a at the midpoint now. */
function canTrade(a: DarkOrder, b: DarkOrder, mid: number): boolean {
  if (b.side === a.side || !priceOk(b, mid)) return false;
  if (a.owner !== 0 && a.owner === b.owner) return false; // self-trade prevention: never cross a participant with itself
  const qty = Math.min(a.leaves, b.leaves);
  return !(qty < Math.min(a.minQty, a.leaves) || qty < Math.min(b.minQty, b.leaves));
}

function priceOk(o: DarkOrder, mid: number): boolean {
  if (o.limit !== o.limit) return true;
  return o.side === BUY ? mid <= o.limit : mid >= o.limit;
}
