/**
 * The project's FIX 4.4 vocabulary: the tags it reads and writes, its message types, and the values of the enumerated
 * fields it uses, each named as the specification names it. Values are the strings that travel (tags as text, since a
 * body is `[tag, value][]`), so a body built with these names is the body built with the literals: what the wire
 * carries and the journal records does not depend on which was written.
 */

/** Field tags, by the specification's field name. */
export const TAG = {
  Account: '1',
  AvgPx: '6',
  BeginSeqNo: '7',
  BeginString: '8',
  BodyLength: '9',
  CheckSum: '10',
  ClOrdID: '11',
  Commission: '12',
  CommType: '13',
  CumQty: '14',
  EndSeqNo: '16',
  ExecID: '17',
  ExecInst: '18',
  HandlInst: '21',
  LastMkt: '30',
  LastPx: '31',
  LastQty: '32',
  MsgSeqNum: '34',
  MsgType: '35',
  NewSeqNo: '36',
  OrderID: '37',
  OrderQty: '38',
  OrdStatus: '39',
  OrdType: '40',
  OrigClOrdID: '41',
  PossDupFlag: '43',
  Price: '44',
  RefSeqNum: '45',
  SenderCompID: '49',
  SendingTime: '52',
  Side: '54',
  Symbol: '55',
  TargetCompID: '56',
  Text: '58',
  TimeInForce: '59',
  TransactTime: '60',
  Signature: '89',
  SignatureLength: '93',
  PossResend: '97',
  EncryptMethod: '98',
  CxlRejReason: '102',
  OrdRejReason: '103',
  HeartBtInt: '108',
  MinQty: '110',
  TestReqID: '112',
  OnBehalfOfCompID: '115',
  OnBehalfOfSubID: '116',
  OrigSendingTime: '122',
  GapFillFlag: '123',
  ExpireTime: '126',
  DeliverToCompID: '128',
  DeliverToSubID: '129',
  ResetSeqNumFlag: '141',
  OnBehalfOfLocationID: '144',
  DeliverToLocationID: '145',
  NoRelatedSym: '146',
  ExecType: '150',
  LeavesQty: '151',
  EffectiveTime: '168',
  MDReqID: '262',
  SubscriptionRequestType: '263',
  MarketDepth: '264',
  MDUpdateType: '265',
  NoMDEntryTypes: '267',
  NoMDEntries: '268',
  MDEntryType: '269',
  MDEntryPx: '270',
  MDEntrySize: '271',
  MDEntryTime: '273',
  MDUpdateAction: '279',
  MDReqRejReason: '281',
  MDEntryPositionNo: '290',
  LastMsgSeqNumProcessed: '369',
  RefTagID: '371',
  RefMsgType: '372',
  SessionRejectReason: '373',
  BusinessRejectReason: '380',
  CxlRejResponseTo: '434',
  MassCancelRequestType: '530',
  MassCancelResponse: '531',
  MassCancelRejectReason: '532',
  TotalAffectedOrders: '533',
  Username: '553',
  Password: '554',
  NextExpectedMsgSeqNum: '789',
  OrdStatusReqID: '790',
  TargetStrategy: '847',
  LastLiquidityInd: '851',
  NoStrategyParameters: '957',
  StrategyParameterName: '958',
  StrategyParameterType: '959',
  StrategyParameterValue: '960',
  /** FIX 5.0's, added to the router's market-data dictionary (live/market.ts). */
  AggressorSide: '2446',
} as const;

/** MsgType (35). */
export const MSG = {
  Heartbeat: '0',
  TestRequest: '1',
  ResendRequest: '2',
  Reject: '3',
  SequenceReset: '4',
  Logout: '5',
  ExecutionReport: '8',
  OrderCancelReject: '9',
  Logon: 'A',
  NewOrderSingle: 'D',
  OrderCancelRequest: 'F',
  OrderCancelReplaceRequest: 'G',
  OrderStatusRequest: 'H',
  MarketDataRequest: 'V',
  MarketDataSnapshotFullRefresh: 'W',
  MarketDataIncrementalRefresh: 'X',
  MarketDataRequestReject: 'Y',
  QuoteCancel: 'Z',
  SecurityDefinition: 'd',
  BusinessMessageReject: 'j',
  OrderMassCancelRequest: 'q',
  OrderMassCancelReport: 'r',
  TradeCaptureReport: 'AE',
} as const;

/** Boolean fields (PossDupFlag, GapFillFlag, ResetSeqNumFlag…). */
export const YES = 'Y';

/** Side (54). */
export const SIDE = { Buy: '1', Sell: '2' } as const;

/** HandlInst (21): the router's child orders are automated with no intervention. */
export const HANDL_INST = { AutomatedPrivate: '1' } as const;

/** OrdType (40). */
export const ORD_TYPE = { Market: '1', Limit: '2', Pegged: 'P' } as const;

/** ExecInst (18), a space-separated list: 6 post only (add liquidity or nothing), M a midpoint peg. */
export const EXEC_INST = { ParticipateDontInitiate: '6', MidPricePeg: 'M' } as const;

/** TimeInForce (59). */
export const TIME_IN_FORCE = { Day: '0', GoodTillCancel: '1', ImmediateOrCancel: '3', FillOrKill: '4' } as const;

/** ExecType (150). */
export const EXEC_TYPE = {
  New: '0',
  Canceled: '4',
  Replaced: '5',
  PendingCancel: '6',
  Rejected: '8',
  Expired: 'C',
  PendingReplace: 'E',
  Trade: 'F',
  OrderStatus: 'I',
} as const;

/** OrdStatus (39). */
export const ORD_STATUS = {
  New: '0',
  PartiallyFilled: '1',
  Filled: '2',
  Canceled: '4',
  PendingCancel: '6',
  Rejected: '8',
  PendingNew: 'A',
  Expired: 'C',
  PendingReplace: 'E',
} as const;

/** OrdRejReason (103). */
export const ORD_REJ_REASON = {
  BrokerOption: '0',
  UnknownSymbol: '1',
  OrderExceedsLimit: '3',
  TooLateToEnter: '4',
  UnknownOrder: '5',
  DuplicateOrder: '6',
  UnsupportedOrderCharacteristic: '11',
  IncorrectQuantity: '13',
  Other: '99',
} as const;

/** CxlRejReason (102). */
export const CXL_REJ_REASON = {
  TooLateToCancel: '0',
  UnknownOrder: '1',
  AlreadyPending: '3',
  DuplicateClOrdID: '6',
  Other: '99',
} as const;

/** CxlRejResponseTo (434): what the rejected request was. */
export const CXL_REJ_RESPONSE_TO = { OrderCancelRequest: '1', OrderCancelReplaceRequest: '2' } as const;

/** LastLiquidityInd (851). */
export const LAST_LIQUIDITY_IND = { AddedLiquidity: '1', RemovedLiquidity: '2' } as const;

/** CommType (13): Commission (12) is an amount in the currency. */
export const COMM_TYPE = { Absolute: '3' } as const;

/** BusinessRejectReason (380). */
export const BUSINESS_REJECT_REASON = { UnsupportedMessageType: '3' } as const;

/** MassCancelRequestType (530), and the MassCancelResponse (531) that echoes it; 0 is a refusal. */
export const MASS_CANCEL_REQUEST_TYPE = { Security: '1', AllOrders: '7' } as const;
export const MASS_CANCEL_RESPONSE = { Rejected: '0' } as const;

/** MassCancelRejectReason (532). */
export const MASS_CANCEL_REJECT_REASON = { UnknownSecurity: '1', Other: '99' } as const;

/** StrategyParameterType (959) of a Boolean parameter (Y or N). */
export const STRATEGY_PARAMETER_TYPE = { Boolean: '13' } as const;

/** SubscriptionRequestType (263). */
export const SUBSCRIPTION_REQUEST_TYPE = { Snapshot: '0', SnapshotPlusUpdates: '1', Unsubscribe: '2' } as const;

/** MDUpdateType (265). */
export const MD_UPDATE_TYPE = { IncrementalRefresh: '1' } as const;

/** MDEntryType (269). */
export const MD_ENTRY_TYPE = { Bid: '0', Offer: '1', Trade: '2' } as const;

/** MDUpdateAction (279). */
export const MD_UPDATE_ACTION = { New: '0', Change: '1', Delete: '2' } as const;

/** MDReqRejReason (281). */
export const MD_REQ_REJ_REASON = { UnknownSymbol: '0', DuplicateMDReqID: '1' } as const;

/** EncryptMethod (98): none. */
export const ENCRYPT_METHOD = { None: '0' } as const;
