import type { Rng } from '../core/rng.js';
import type { Handler, Scheduler } from '../core/scheduler.js';
import type { Side } from '../core/types.js';
import { Channel, type LatencyModel } from './latency.js';
import type { ExecReport, OrderMessage, VenueClient } from './types.js';

/** A participant's working order at a venue. */
export interface WorkingOrder {
  client: VenueClient;
  owner: number;
  clOrdId: number;
  venueId: number;
  side: Side;
  price: number;
  qty: number;
  cumQty: number;
}

interface Inbound {
  client: VenueClient;
  msg: OrderMessage;
}

const deliver: Handler<ExecReport & { to: VenueClient }> = {
  handle(_t, r) {
    r.to.onExecReport(r);
  },
};

/**
 * The participant side of a venue, shared by lit venues and dark pools: one entry and one response connection
 * per participant (each with its latency, in order), client order ids mapped to the venue's own ids, and
 * reports sent back after the response latency.
 */
export class ParticipantGateway {
  private readonly sessions = new Map<VenueClient, { owner: number; entry: Channel; response: Channel; orders: Map<number, WorkingOrder> }>();
  /** Working orders by venue order id. */
  readonly byVenueId = new Map<number, WorkingOrder>();
  private readonly inbound: Handler<Inbound>;
  private execSeq = 0;

  constructor(
    private readonly venueName: string,
    private readonly sched: Scheduler,
    private readonly entry: LatencyModel,
    private readonly response: LatencyModel,
    private readonly rng: Rng,
    private readonly entryExtraNs: number,
    process: (client: VenueClient, owner: number, msg: OrderMessage) => void,
  ) {
    this.inbound = {
      handle: (_t, m) => process(m.client, this.session(m.client).owner, m.msg),
    };
  }

  private session(client: VenueClient) {
    let s = this.sessions.get(client);
    if (s === undefined) {
      s = {
        owner: this.sessions.size + 1, // 0 is the anonymous background flow
        entry: new Channel(this.entry, this.rng, this.entryExtraNs),
        response: new Channel(this.response, this.rng),
        orders: new Map(),
      };
      this.sessions.set(client, s);
    }
    return s;
  }

  send(client: VenueClient, msg: OrderMessage): void {
    const s = this.session(client);
    this.sched.at(s.entry.arrival(this.sched.now()), this.inbound, { client, msg });
  }

  /** The working order a client refers to by clOrdId, if any. */
  find(client: VenueClient, clOrdId: number): WorkingOrder | undefined {
    return this.session(client).orders.get(clOrdId);
  }

  track(o: WorkingOrder): void {
    this.session(o.client).orders.set(o.clOrdId, o);
    this.byVenueId.set(o.venueId, o);
  }

  forget(o: WorkingOrder): void {
    this.session(o.client).orders.delete(o.clOrdId);
    this.byVenueId.delete(o.venueId);
  }

  report(
    client: VenueClient,
    kind: ExecReport['kind'],
    o: { clOrdId: number; side: Side; price: number; cumQty: number },
    qty: number,
    leaves: number,
    fee = 0,
    extra: Partial<ExecReport> = {},
  ): void {
    const s = this.session(client);
    const now = this.sched.now();
    const r = {
      kind,
      venue: this.venueName,
      execId: ++this.execSeq,
      clOrdId: o.clOrdId,
      side: o.side,
      price: o.price,
      qty,
      leaves,
      cumQty: o.cumQty,
      fee,
      venueTime: now,
      ...extra,
      to: client,
    };
    this.sched.at(s.response.arrival(now), deliver, r);
  }
}
