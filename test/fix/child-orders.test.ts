import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY, FOK, GTC, IOC, SELL } from '../../src/core/types.js';
import {
  decodeExecutionReport,
  decodeNewOrderSingle,
  decodeOrderCancelReject,
  decodeOrderCancelReplaceRequest,
  decodeOrderCancelRequest,
  decodeOrderStatusRequest,
  encodeExecutionReport,
  encodeNewOrderSingle,
  encodeOrderCancelReject,
  encodeOrderCancelReplaceRequest,
  encodeOrderCancelRequest,
  encodeOrderStatusRequest,
  type ExecutionReport,
  type NewOrderSingle,
} from '../../src/fix/child-orders.js';
import { CXL_REJ_REASON, CXL_REJ_RESPONSE_TO, EXEC_TYPE, ORD_REJ_REASON, ORD_STATUS, ORD_TYPE } from '../../src/fix/tags.js';
import { encodeParentOrder } from '../../src/fix/parent-orders.js';

/**
 * The child-order codec: what the router writes is what a venue reads, and the reverse (decode ∘ encode is the
 * identity on every typed message), and each message's fields come in the order the journal has recorded them (a
 * replay compares bodies as they are, so a change of order breaks every journal written before it).
 */

const side = fc.constantFrom(BUY, SELL);
const text = fc.string({ maxLength: 16 });
const shares = fc.integer({ min: 1, max: 1_000_000_000 });
/** A positive price in price units, up to a million of the currency. */
const price = fc.integer({ min: 1, max: 10_000_000_000 });
const signedPrice = fc.integer({ min: -10_000_000_000, max: 10_000_000_000 });

const head = { clOrdId: text, symbol: text, side, transactTime: text, qty: shares };
const newOrder: fc.Arbitrary<NewOrderSingle> = fc.oneof(
  fc.record({ ...head, ordType: fc.constant('limit' as const), price, tif: fc.constantFrom(GTC, IOC, FOK), postOnly: fc.boolean() }),
  fc.record(
    { ...head, ordType: fc.constant('market' as const), tif: fc.constantFrom(GTC, IOC, FOK) },
    { requiredKeys: ['clOrdId', 'symbol', 'side', 'transactTime', 'qty', 'ordType'] },
  ),
  fc.record(
    { ...head, ordType: fc.constant('midpeg' as const), price, minQty: fc.nat({ max: 1_000_000 }) },
    { requiredKeys: ['clOrdId', 'symbol', 'side', 'transactTime', 'qty', 'ordType', 'minQty'] },
  ),
);

const cancel = { origClOrdId: text, clOrdId: text, symbol: text, side, transactTime: text, qty: fc.nat({ max: 1_000_000_000 }) };

const executionReport: fc.Arbitrary<ExecutionReport> = fc.record(
  {
    orderId: text,
    clOrdId: text,
    origClOrdId: text,
    execId: text,
    execType: text,
    ordStatus: text,
    symbol: text,
    side,
    qty: fc.nat(),
    ordType: text,
    price: signedPrice,
    leaves: fc.nat(),
    cumQty: fc.nat(),
    avgPx: signedPrice,
    lastPx: signedPrice,
    lastQty: fc.nat(),
    lastMkt: text,
    liquidity: fc.constantFrom('make' as const, 'take' as const),
    fee: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
    ordRejReason: text,
    text,
    transactTime: text,
    statusReqId: text,
  },
  { requiredKeys: ['orderId', 'clOrdId', 'execId', 'execType', 'ordStatus', 'symbol', 'side', 'leaves', 'cumQty', 'avgPx'] },
);

/** The same fields with the same values (fast-check's records have no prototype; the decoders' are plain objects). */
function same(actual: object, expected: object): void {
  expect({ ...actual }).toStrictEqual({ ...expected });
}

describe('the child-order codec: decode(encode(x)) is x', () => {
  it('NewOrderSingle', () => {
    fc.assert(
      fc.property(newOrder, (o) => {
        const d = decodeNewOrderSingle(encodeNewOrderSingle(o));
        expect(d.ok).toBe(true);
        if (d.ok) same(d.order, o);
      }),
    );
  });

  it('OrderCancelRequest and OrderCancelReplaceRequest', () => {
    fc.assert(fc.property(fc.record(cancel), (o) => same(decodeOrderCancelRequest(encodeOrderCancelRequest(o)), o)));
    fc.assert(
      fc.property(fc.record({ ...cancel, price: signedPrice }, { requiredKeys: Object.keys(cancel) as (keyof typeof cancel)[] }), (o) =>
        same(decodeOrderCancelReplaceRequest(encodeOrderCancelReplaceRequest(o)), o),
      ),
    );
  });

  it('OrderStatusRequest', () => {
    fc.assert(
      fc.property(fc.record({ clOrdId: text, symbol: text, side, statusReqId: text }, { requiredKeys: ['clOrdId', 'symbol', 'side'] }), (o) =>
        same(decodeOrderStatusRequest(encodeOrderStatusRequest(o)), o),
      ),
    );
  });

  it('ExecutionReport', () => {
    fc.assert(fc.property(executionReport, (r) => same(decodeExecutionReport(encodeExecutionReport(r)), r)));
  });

  it('OrderCancelReject', () => {
    fc.assert(
      fc.property(
        fc.record(
          { orderId: text, clOrdId: text, origClOrdId: text, ordStatus: text, responseTo: text, reason: text, text },
          { requiredKeys: ['orderId', 'clOrdId', 'origClOrdId', 'ordStatus', 'responseTo', 'reason'] },
        ),
        (r) => same(decodeOrderCancelReject(encodeOrderCancelReject(r)), r),
      ),
    );
  });

  it('a NewOrderSingle of any fields is read without throwing, and what it reads as an order encodes back to the same order', () => {
    const tags = fc.constantFrom('11', '21', '55', '54', '60', '38', '40', '44', '59', '18', '110');
    const value = fc.oneof(fc.constantFrom('1', '2', '3', '4', '0', 'P', 'M', '6', 'M 6', '585.33', '-1', '1.23456', 'GOOG', ''), text);
    fc.assert(
      fc.property(fc.array(fc.tuple(tags, value), { maxLength: 14 }), (body) => {
        const d = decodeNewOrderSingle(body);
        if (!d.ok) return;
        const again = decodeNewOrderSingle(encodeNewOrderSingle(d.order));
        expect(again.ok).toBe(true);
        if (again.ok) same(again.order, d.order);
      }),
    );
  });
});

describe('the child-order codec: each message’s fields in the order the journals have them', () => {
  const t = '20261207-09:30:19.484565';

  it('NewOrderSingle: limit (post-only), market, midpoint peg', () => {
    expect(
      encodeNewOrderSingle({
        clOrdId: 'C8',
        symbol: 'GOOG',
        side: SELL,
        transactTime: t,
        qty: 200,
        ordType: 'limit',
        price: 5_799_800,
        tif: GTC,
        postOnly: true,
      }),
    ).toEqual([
      ['11', 'C8'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '2'],
      ['60', t],
      ['38', '200'],
      ['40', '2'],
      ['44', '579.98'],
      ['59', '1'],
      ['18', '6'],
    ]);
    expect(
      encodeNewOrderSingle({
        clOrdId: 'C9',
        symbol: 'GOOG',
        side: BUY,
        transactTime: t,
        qty: 100,
        ordType: 'limit',
        price: 5_799_800,
        tif: IOC,
        postOnly: false,
      }),
    ).toEqual([
      ['11', 'C9'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', t],
      ['38', '100'],
      ['40', '2'],
      ['44', '579.98'],
      ['59', '3'],
    ]);
    expect(encodeNewOrderSingle({ clOrdId: 'C1', symbol: 'GOOG', side: BUY, transactTime: t, qty: 300, ordType: 'market' })).toEqual([
      ['11', 'C1'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', t],
      ['38', '300'],
      ['40', '1'],
    ]);
    expect(
      encodeNewOrderSingle({ clOrdId: 'C2', symbol: 'GOOG', side: BUY, transactTime: t, qty: 300, ordType: 'midpeg', price: 5_800_000, minQty: 100 }),
    ).toEqual([
      ['11', 'C2'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', t],
      ['38', '300'],
      ['40', 'P'],
      ['18', 'M'],
      ['44', '580'],
      ['110', '100'],
    ]);
    // no cap and no minimum: neither field
    expect(
      encodeNewOrderSingle({ clOrdId: 'C3', symbol: 'GOOG', side: SELL, transactTime: t, qty: 300, ordType: 'midpeg', minQty: 0 }).map(([tag]) => tag),
    ).toEqual(['11', '21', '55', '54', '60', '38', '40', '18']);
  });

  it('OrderCancelRequest, OrderCancelReplaceRequest, OrderStatusRequest', () => {
    const req = { origClOrdId: 'C5', clOrdId: 'C5.1', symbol: 'GOOG', side: BUY, transactTime: t, qty: 200 };
    expect(encodeOrderCancelRequest(req)).toEqual([
      ['41', 'C5'],
      ['11', 'C5.1'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', t],
      ['38', '200'],
    ]);
    expect(encodeOrderCancelReplaceRequest({ ...req, qty: 100, price: 5_799_900 })).toEqual([
      ['41', 'C5'],
      ['11', 'C5.1'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', t],
      ['38', '100'],
      ['40', '2'],
      ['44', '579.99'],
    ]);
    expect(encodeOrderStatusRequest({ clOrdId: 'C5', symbol: 'GOOG', side: SELL, statusReqId: 'R123-5' })).toEqual([
      ['11', 'C5'],
      ['55', 'GOOG'],
      ['54', '2'],
      ['790', 'R123-5'],
    ]);
  });

  it('ExecutionReport: a venue’s fill, as a journal recorded it', () => {
    const body: [string, string][] = [
      ['37', 'LIT_SB-1'],
      ['11', 'C1'],
      ['17', 'LIT_SB-1'],
      ['150', 'F'],
      ['39', '2'],
      ['55', 'GOOG'],
      ['54', '2'],
      ['38', '3'],
      ['40', '2'],
      ['44', '579.7'],
      ['151', '0'],
      ['14', '3'],
      ['6', '579.7'],
      ['31', '579.7'],
      ['32', '3'],
      ['30', 'LIT_SB'],
      ['851', '2'],
      ['12', '0.002700'],
      ['13', '3'],
      ['60', '20261207-09:30:13.899921'],
    ];
    const r = decodeExecutionReport(body);
    expect(r).toStrictEqual({
      orderId: 'LIT_SB-1',
      clOrdId: 'C1',
      execId: 'LIT_SB-1',
      execType: EXEC_TYPE.Trade,
      ordStatus: ORD_STATUS.Filled,
      symbol: 'GOOG',
      side: SELL,
      qty: 3,
      ordType: ORD_TYPE.Limit,
      price: 5_797_000,
      leaves: 0,
      cumQty: 3,
      avgPx: 5_797_000,
      lastPx: 5_797_000,
      lastQty: 3,
      lastMkt: 'LIT_SB',
      liquidity: 'take',
      fee: 27,
      transactTime: '20261207-09:30:13.899921',
    });
    expect(encodeExecutionReport(r)).toEqual(body);
    // a fee of a fraction of a unit travels to 6 places of the currency, and is read back in whole units
    expect(encodeExecutionReport({ ...r, fee: 2.7 }).find(([tag]) => tag === '12')).toEqual(['12', '0.000270']);
  });

  it('ExecutionReport: a cancel’s, a replace’s, a refusal’s and a status answer’s fields', () => {
    const base: ExecutionReport = {
      orderId: 'LIT_MT-4',
      clOrdId: 'C4.1',
      origClOrdId: 'C4',
      execId: 'LIT_MT-9',
      execType: EXEC_TYPE.Canceled,
      ordStatus: ORD_STATUS.Canceled,
      symbol: 'GOOG',
      side: BUY,
      qty: 100,
      ordType: ORD_TYPE.Limit,
      price: 5_797_000,
      leaves: 0,
      cumQty: 0,
      avgPx: 0,
      transactTime: t,
    };
    expect(encodeExecutionReport(base)).toEqual([
      ['37', 'LIT_MT-4'],
      ['11', 'C4.1'],
      ['41', 'C4'],
      ['17', 'LIT_MT-9'],
      ['150', '4'],
      ['39', '4'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['38', '100'],
      ['40', '2'],
      ['44', '579.7'],
      ['151', '0'],
      ['14', '0'],
      ['6', '0'],
      ['60', t],
    ]);
    expect(
      encodeExecutionReport({
        orderId: 'NONE',
        clOrdId: 'C7',
        execId: 'DARK_CALM-R3',
        execType: EXEC_TYPE.Rejected,
        ordStatus: ORD_STATUS.Rejected,
        symbol: 'GOOG',
        side: BUY,
        leaves: 0,
        cumQty: 0,
        avgPx: 0,
        ordRejReason: ORD_REJ_REASON.UnknownOrder,
        text: 'unknown order',
      }),
    ).toEqual([
      ['37', 'NONE'],
      ['11', 'C7'],
      ['17', 'DARK_CALM-R3'],
      ['150', '8'],
      ['39', '8'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['151', '0'],
      ['14', '0'],
      ['6', '0'],
      ['103', '5'],
      ['58', 'unknown order'],
    ]);
    const { origClOrdId: _orig, transactTime: _t, ...status } = base;
    expect(
      encodeExecutionReport({ ...status, execType: EXEC_TYPE.OrderStatus, ordStatus: ORD_STATUS.New, leaves: 100, statusReqId: 'R9-4' }).map(([tag]) => tag),
    ).toEqual(['37', '11', '17', '150', '39', '55', '54', '38', '40', '44', '151', '14', '6', '790']);
  });

  it('OrderCancelReject', () => {
    expect(
      encodeOrderCancelReject({
        orderId: 'NONE',
        clOrdId: 'C5.1',
        origClOrdId: 'C5',
        ordStatus: ORD_STATUS.Rejected,
        responseTo: CXL_REJ_RESPONSE_TO.OrderCancelRequest,
        reason: CXL_REJ_REASON.UnknownOrder,
        text: 'unknown or closed order',
      }),
    ).toEqual([
      ['37', 'NONE'],
      ['11', 'C5.1'],
      ['41', 'C5'],
      ['39', '8'],
      ['434', '1'],
      ['102', '1'],
      ['58', 'unknown or closed order'],
    ]);
  });
});

describe('a venue’s reading of a NewOrderSingle it cannot take', () => {
  const good: [string, string][] = [
    ['11', 'C1'],
    ['21', '1'],
    ['55', 'GOOG'],
    ['54', '1'],
    ['60', '20261207-09:30:19.484565'],
    ['38', '100'],
    ['40', '2'],
    ['44', '579.98'],
    ['59', '1'],
  ];
  const set = (tag: string, v: string | undefined): [string, string][] =>
    v === undefined ? good.filter(([t]) => t !== tag) : good.map(([t, x]) => [t, t === tag ? v : x]);

  it('says why, with what a refusal echoes read all the same', () => {
    const cases: [[string, string][], string][] = [
      [set('54', '3'), 'Side (54) must be 1 or 2'],
      [set('38', '0'), 'OrderQty (38) must be a whole number of shares above 0'],
      [set('38', '1.5'), 'OrderQty (38) must be a whole number of shares above 0'],
      [set('59', '6'), 'TimeInForce (59) must be 0, 1, 3 or 4'],
      [set('44', '1.23456'), 'a limit order needs a Price (44) above 0, to 4 decimal places'],
      [set('44', undefined), 'a limit order needs a Price (44) above 0, to 4 decimal places'],
      [set('40', '3'), 'OrdType (40) must be 1 (market), 2 (limit) or P with ExecInst (18) M (midpoint peg)'],
      [[...set('40', 'P'), ['18', '6']], 'OrdType (40) must be 1 (market), 2 (limit) or P with ExecInst (18) M (midpoint peg)'],
      [[...set('40', 'P'), ['18', 'M'], ['110', 'x']], 'MinQty (110) must be a whole number of shares'],
      [
        [...set('40', 'P').map(([t, v]): [string, string] => [t, t === '44' ? '0' : v]), ['18', 'M']],
        'a pegged order’s Price (44), its limit, must be above 0',
      ],
    ];
    for (const [body, why] of cases) {
      const d = decodeNewOrderSingle(body);
      expect(d.ok ? null : d.refusal).toEqual({ reason: ORD_REJ_REASON.Other, text: why });
      expect(d.clOrdId).toBe('C1');
      expect(d.symbol).toBe('GOOG');
    }
    const d = decodeNewOrderSingle(set('54', '3'));
    expect(d.side).toBeNull();
  });

  it('takes a Day order as GTC, and a market order’s time in force only where it has one', () => {
    const d = decodeNewOrderSingle(set('59', '0'));
    expect(d.ok && d.order.ordType === 'limit' && d.order.tif).toBe(GTC);
    const m = decodeNewOrderSingle(set('40', '1').filter(([t]) => t !== '59'));
    expect(m.ok && m.order).toStrictEqual({ clOrdId: 'C1', symbol: 'GOOG', side: BUY, transactTime: '20261207-09:30:19.484565', qty: 100, ordType: 'market' });
  });
});

describe('the parent order an OMS client sends', () => {
  it('is a market NewOrderSingle with its ExpireTime, and its TargetStrategy where it names one', () => {
    const base = { clOrdId: 'OMS1-1', symbol: 'GOOG', side: SELL, transactTime: '20261207-09:30:12.318554', qty: 2000, expireTime: '20261207-09:31:12.318554' };
    expect(encodeParentOrder(base)).toEqual([
      ['11', 'OMS1-1'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '2'],
      ['60', '20261207-09:30:12.318554'],
      ['38', '2000'],
      ['40', '1'],
      ['126', '20261207-09:31:12.318554'],
    ]);
    expect(encodeParentOrder({ ...base, strategy: '1003' }).at(-1)).toEqual(['847', '1003']);
  });
});
