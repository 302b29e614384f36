import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { loadDictionary, type FixDictionary } from '../../src/fix/dictionary.js';
import { FixInitiator } from '../../src/fix/initiator.js';
import type { Received } from '../../src/fix/session.js';
import { fixPrice, priceUnits } from '../../src/fix/values.js';
import { LiveMarket, MARKET_DATA_EXTENSION } from '../../src/live/market.js';
import { VenueSimulator, type VenueEndpoint } from '../../src/live/venues.js';

let sim: VenueSimulator;
let ends: VenueEndpoint[];
let dict: FixDictionary;
let mdDict: FixDictionary;
const clients: FixInitiator[] = [];
/** Every Reject a client session sent: a venue message that breaks the FIX 4.4 dictionary would show here. */
const rejectsSent: string[] = [];

const until = async (cond: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function client(venue: string, compId: string, got: Received[]): Promise<FixInitiator> {
  const port = ends.find((e) => e.name === venue)!.port;
  const trace = (dir: 'in' | 'out', raw: string) => void (dir === 'out' && raw.includes('\x0135=3\x01') && rejectsSent.push(raw));
  const dictionary = compId.endsWith('-MD') ? mdDict : dict;
  const c = new FixInitiator({ beginString: 'FIX.4.4', senderCompID: compId, targetCompID: venue, dictionary, trace }, (m) => void got.push(m), { port });
  await c.start();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dict = await loadDictionary('FIX44');
  mdDict = await loadDictionary('FIX44', MARKET_DATA_EXTENSION);
  sim = new VenueSimulator({ market: resolveScenario('default'), seed: 7, speed: 20 });
  ends = await sim.start();
});
afterAll(async () => {
  for (const c of clients) await c.stop();
  await sim.stop();
});

const now = () => '20261201-10:00:00.000';

describe('sor venues: the simulated market over FIX', () => {
  it('one acceptor per venue on loopback, lit and dark', () => {
    expect(ends.map((e) => [e.name, e.kind])).toEqual([
      ['LIT_MT', 'lit'],
      ['LIT_INV', 'lit'],
      ['LIT_SB', 'lit'],
      ['DARK_CALM', 'dark'],
      ['DARK_TOXIC', 'dark'],
    ]);
    expect(new Set(ends.map((e) => e.port)).size).toBe(5);
  });

  it('market data: a snapshot of the book to the depth asked, then incremental refreshes that keep a copy equal to it', async () => {
    const got: Received[] = [];
    const md = await client('LIT_MT', 'SOR-MD', got);
    md.session.send('V', [
      ['262', 'book1'],
      ['263', '1'],
      ['264', '5'],
      ['265', '1'],
      ['267', '3'],
      ['269', '0'],
      ['269', '1'],
      ['269', '2'],
      ['146', '1'],
      ['55', sim.symbol],
    ]);
    await until(() => got.some((m) => m.type === 'W'));
    const snap = got.find((m) => m.type === 'W')!;
    const book: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
    let side = 0;
    let price = 0;
    for (const [t, v] of snap.fields) {
      if (t === '269') side = Number(v);
      if (t === '270') price = priceUnits(v);
      if (t === '271') book[side]!.set(price, Number(v));
    }
    expect(book[0].size).toBeGreaterThan(0);
    expect(book[0].size).toBeLessThanOrEqual(5);
    expect(Math.max(...book[0].keys())).toBeLessThan(Math.min(...book[1].keys()));
    // refreshes, a trade among them (the market opens quiet: its first trades come seconds in)
    const traded = (m: Received) => m.type === 'X' && m.fields.some(([t, x]) => t === '269' && x === '2');
    await until(() => got.filter((m) => m.type === 'X').length >= 5 && got.some(traded));
    // apply every refresh; then the copy must equal the venue's own book at the same moment
    const apply = (m: Received) => {
      let action = '0';
      let sd = 0;
      let px = 0;
      for (const [t, v] of m.fields) {
        if (t === '279') action = v;
        if (t === '269') sd = Number(v);
        if (t === '270') {
          px = priceUnits(v);
          if (action === '2' && sd < 2) book[sd]!.delete(px);
        }
        if (t === '271' && sd < 2) book[sd]!.set(px, Number(v));
      }
    };
    // freeze the market, flush what changed, and the copies must equal the venue's own top 5 levels: the test's
    // own, and the router's LiveMarket fed with the same messages
    sim.pause();
    sim.publish();
    await new Promise((r) => setTimeout(r, 100));
    for (const m of got.filter((x) => x.type === 'X')) apply(m);
    const live = new LiveMarket(
      ends.map((e) => ({ name: e.name, kind: e.kind, takeFee: 0, makeFee: 0 })),
      { tick: sim.world.session.scenario.tick, features: { adv: 1e6, longRunVolBps: 100 } },
    );
    for (const m of got.filter((x) => x.type === 'W' || x.type === 'X')) live.onMarketData('LIT_MT', m.type, m.fields, 0);
    const v = sim.world.session.lit[0]!;
    const prices = new Float64Array(5);
    const qtys = new Float64Array(5);
    for (const sd of [0, 1] as const) {
      const k = v.book.displayedLevels(sd, 5, prices, qtys);
      const want = new Map<number, number>();
      for (let i = 0; i < k; i++) want.set(prices[i]!, qtys[i]!);
      expect(book[sd]).toEqual(want);
      expect(live.levels('LIT_MT', sd, 5)).toEqual([...want].map(([price, qty]) => ({ price, qty })));
    }
    expect(live.bid()).toBe(v.book.bestBid());
    expect(live.ask()).toBe(v.book.bestAsk());
    expect(live.tradedVolume()).toBeGreaterThan(0);
    sim.resume();
    // the venue's trades come on the same subscription
    await until(() => got.some((m) => m.type === 'X' && m.fields.some(([t, x]) => t === '269' && x === '2')));
    md.session.send('V', [
      ['262', 'book1'],
      ['263', '2'],
      ['264', '5'],
      ['267', '1'],
      ['269', '0'],
      ['146', '1'],
      ['55', sim.symbol],
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const n = got.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(n); // unsubscribed: nothing more
    // an unknown symbol is refused
    md.session.send('V', [
      ['262', 'bad'],
      ['263', '0'],
      ['264', '1'],
      ['267', '1'],
      ['269', '0'],
      ['146', '1'],
      ['55', 'NOPE'],
    ]);
    await until(() => got.some((m) => m.type === 'Y'));
    expect(got.find((m) => m.type === 'Y')!.map.get('58')).toContain('unknown symbol');
  });

  it('order entry: a marketable IOC fills (LastMkt, LastPx, AvgPx), a resting post-only order is replaced and cancelled', async () => {
    const got: Received[] = [];
    const oe = await client('LIT_MT', 'SOR', got);
    const s = sim.world.session;
    sim.advance();
    const ask = s.nbbo.ask;
    const bid = s.nbbo.bid;
    expect(ask).toBeGreaterThan(bid);
    const order = (id: string, side: string, px: number, qty: number, extra: [string, string][] = []): [string, string][] => [
      ['11', id],
      ['21', '1'],
      ['55', sim.symbol],
      ['54', side],
      ['60', now()],
      ['38', String(qty)],
      ['40', '2'],
      ['44', fixPrice(px)],
      ...extra,
    ];
    // the venue's own best ask, so that the order crosses there
    sim.advance();
    const venueAsk = s.lit[0]!.book.bestAsk();
    oe.session.send('D', order('T1', '1', venueAsk + 10 * s.scenario.tick, 100, [['59', '3']]));
    await until(() => got.some((m) => m.map.get('11') === 'T1' && ['2', '4'].includes(m.map.get('39')!)));
    const t1 = got.filter((m) => m.map.get('11') === 'T1');
    const fills = t1.filter((m) => m.map.get('150') === 'F');
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) {
      expect(f.map.get('30')).toBe('LIT_MT');
      expect(f.map.get('851')).toBe('2');
      expect(priceUnits(f.map.get('31'))).toBeLessThanOrEqual(venueAsk + 10 * s.scenario.tick);
    }
    const last = t1[t1.length - 1]!;
    const filled = fills.reduce((a, f) => a + Number(f.map.get('32')), 0);
    expect(Number(last.map.get('14'))).toBe(filled);
    expect(new Set(t1.map((m) => m.map.get('17'))).size).toBe(t1.length); // unique ExecIDs
    // a passive post-only buy far below the market rests: ack, replace, status, cancel
    const low = bid - 50 * s.scenario.tick;
    oe.session.send('D', order('P1', '1', low, 200, [['18', '6']]));
    await until(() => got.some((m) => m.map.get('11') === 'P1' && m.map.get('150') === '0'));
    oe.session.send('G', [
      ['41', 'P1'],
      ['11', 'P2'],
      ['55', sim.symbol],
      ['54', '1'],
      ['60', now()],
      ['38', '300'],
      ['40', '2'],
      ['44', fixPrice(low - s.scenario.tick)],
    ]);
    await until(() => got.some((m) => m.map.get('11') === 'P2' && m.map.get('150') === '5'));
    const rep = got.find((m) => m.map.get('11') === 'P2')!;
    expect(rep.map.get('41')).toBe('P1');
    expect(rep.map.get('38')).toBe('300');
    oe.session.send('H', [
      ['11', 'P2'],
      ['55', sim.symbol],
      ['54', '1'],
    ]);
    await until(() => got.some((m) => m.map.get('150') === 'I'));
    expect(got.find((m) => m.map.get('150') === 'I')!.map.get('151')).toBe('300');
    oe.session.send('F', [
      ['41', 'P2'],
      ['11', 'P3'],
      ['55', sim.symbol],
      ['54', '1'],
      ['60', now()],
      ['38', '300'],
    ]);
    await until(() => got.some((m) => m.map.get('11') === 'P3' && m.map.get('150') === '4'));
    expect(got.find((m) => m.map.get('11') === 'P3')!.map.get('41')).toBe('P2');
    // a cancel of what is closed gets an OrderCancelReject; a bad symbol an ExecutionReport Rejected
    oe.session.send('F', [
      ['41', 'P3'],
      ['11', 'P4'],
      ['55', sim.symbol],
      ['54', '1'],
      ['60', now()],
    ]);
    oe.session.send(
      'D',
      order('X1', '1', bid, 100).map(([t, v]) => (t === '55' ? [t, 'ZZZZ'] : [t, v])),
    );
    await until(() => got.some((m) => m.type === '9') && got.some((m) => m.map.get('11') === 'X1'));
    expect(got.find((m) => m.type === '9')!.map.get('434')).toBe('1');
    expect(got.find((m) => m.map.get('11') === 'X1')!.map.get('103')).toBe('1');
  });

  it('a dark pool takes a midpoint peg with a minimum quantity', async () => {
    const got: Received[] = [];
    const dark = await client('DARK_CALM', 'SOR', got);
    dark.session.send('D', [
      ['11', 'D1'],
      ['21', '1'],
      ['55', sim.symbol],
      ['54', '2'],
      ['60', now()],
      ['38', '500'],
      ['40', 'P'],
      ['18', 'M'],
      ['110', '100'],
    ]);
    await until(() => got.some((m) => m.map.get('11') === 'D1'));
    expect(['0', 'F']).toContain(got.find((m) => m.map.get('11') === 'D1')!.map.get('150'));
  });

  it('every message the venues sent conforms to the FIX 4.4 dictionary (no client sent a Reject)', () => {
    expect(rejectsSent).toEqual([]);
  });
});

describe('sor venues (the command)', () => {
  it('prints its endpoints and clock as JSON, takes a logon, and stops cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/sor.js', 'venues', '--speed', '10', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await until(() => out.includes('\n'), 20_000);
    const info = JSON.parse(out.split('\n')[0]!) as { symbol: string; clock: { speed: number }; venues: { name: string; port: number }[] };
    expect(info.symbol).toBe('GOOG');
    expect(info.clock.speed).toBe(10);
    const c = new FixInitiator({ beginString: 'FIX.4.4', senderCompID: 'SOR', targetCompID: 'LIT_SB' }, () => {}, {
      port: info.venues.find((v) => v.name === 'LIT_SB')!.port,
    });
    await c.start();
    await c.stop();
    const code = new Promise<number | null>((r) => child.on('exit', (x) => r(x)));
    child.kill('SIGTERM');
    expect(await code).toBe(0);
  }, 30_000);
});
