import 'reflect-metadata';
import { UsageError } from '../core/errors.js';
import { DefinitionFactory, type ContainedFieldSet, type FixDefinitions, type GroupFieldDefinition } from 'jspurefix';

export interface FieldType {
  tag: number;
  name: string;
  type: string;
  enums: ReadonlySet<string> | null;
}

export interface FieldSetSpec {
  /** The tags at this level (a group's count tag among them), with the group when it is one. */
  readonly members: Map<number, GroupSpec | null>;
  /** The tags required at this level (a required component's required fields included). */
  readonly required: number[];
  /** Each member's place in the definition (a group's members must come in this order). */
  readonly position: Map<number, number>;
}

export interface GroupSpec {
  count: number;
  delimiter: number;
  set: FieldSetSpec;
}

/** SessionRejectReason (373) values the dictionary checks give. */
export const REJECT_REASON = {
  invalidTag: 0,
  requiredMissing: 1,
  notForMessage: 2,
  valueIncorrect: 5,
  dataFormat: 6,
  repeated: 13,
  groupOrder: 15,
  groupCount: 16,
} as const;

/** A field that breaks the dictionary: the reject's reason, text and RefTagID. */
export interface Problem {
  reason: number;
  text: string;
  tag: string;
}

/** Extra fields and groups on top of a standard dictionary. */
export interface DictionaryExtension {
  fields?: { tag: number; name: string; type: string; enums?: string[] }[];
  /** Fields a component requires beyond what the dictionary says, wherever the component itself is required. */
  required?: Record<string, number[]>;
  /** Members added at the end of a group of these message types (found by its count tag). */
  members?: { messages: string[]; count: number; tags: number[] }[];
  /** A group added to the bodies of these message types. */
  groups?: { messages: string[]; count: number; members: number[]; required?: number[] }[];
}

const INT = /^-?\d+$/;
const UINT = /^\d+$/;
const FLOAT = /^-?(\d+(\.\d*)?|\.\d+)$/;
const TIMESTAMP = /^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{3}(\d{3}(\d{3})?)?)?$/;
const TIME_ONLY = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{3}(\d{3}(\d{3})?)?)?$/;
const DATE = /^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const MONTH_YEAR = /^\d{4}(0[1-9]|1[0-2])((0[1-9]|[12]\d|3[01])|w[1-5])?$/;

/** What a value of each FIX type must look like (types not named here take any text). */
const FORMATS: Record<string, RegExp> = {
  INT,
  DAYOFMONTH: UINT,
  LENGTH: UINT,
  SEQNUM: UINT,
  NUMINGROUP: UINT,
  FLOAT,
  QTY: FLOAT,
  PRICE: FLOAT,
  PRICEOFFSET: FLOAT,
  AMT: FLOAT,
  PERCENTAGE: FLOAT,
  CHAR: /^[\s\S]$/,
  BOOLEAN: /^[YN]$/,
  UTCTIMESTAMP: TIMESTAMP,
  UTCTIMEONLY: TIME_ONLY,
  UTCDATEONLY: DATE,
  UTCDATE: DATE,
  LOCALMKTDATE: DATE,
  MONTHYEAR: MONTH_YEAR,
};
const MULTIPLE = new Set(['MULTIPLEVALUESTRING', 'MULTIPLECHARVALUE', 'MULTIPLESTRINGVALUE']);

function emptySet(): FieldSetSpec {
  return { members: new Map(), required: [], position: new Map() };
}

/**
 * A FIX dictionary compiled for checking received messages: for each message type the tags it may carry, which are
 * required, and its repeating groups (count tag, delimiter, members in their order), with every field's type and
 * enumerated values. It is built from jspurefix's dictionaries (its FIX44.xml, parsed by its DefinitionFactory),
 * optionally extended with fields and groups a counterparty adds (the router's StrategyParameters group, FIX 5.0's,
 * on its FIX 4.4 OMS session). The checks follow QuickFIX/J's DataDictionary, whose acceptance scripts the suite plays.
 */
export class FixDictionary {
  /** The body of each message type (header and trailer left out). */
  readonly messages = new Map<string, FieldSetSpec>();
  readonly header: FieldSetSpec = emptySet();
  readonly trailer: FieldSetSpec = emptySet();
  readonly fields = new Map<number, FieldType>();
  private requiredIn: Record<string, number[]> = {};

  /** Compiles jspurefix's definitions. */
  static fromDefinitions(defs: FixDefinitions, ext: DictionaryExtension = {}): FixDictionary {
    const d = new FixDictionary();
    d.requiredIn = ext.required ?? {};
    for (const s of Object.values(defs.tagToSimple)) {
      if (!s || d.fields.has(s.tag)) continue;
      const enums = s.enums && s.enums.size > 0 ? new Set(s.enums.keys()) : null;
      d.fields.set(s.tag, { tag: s.tag, name: s.name, type: (s.type ?? 'STRING').toUpperCase(), enums });
    }
    const groups = new Map<GroupFieldDefinition, GroupSpec>();
    const header = defs.component.get('StandardHeader');
    const trailer = defs.component.get('StandardTrailer');
    if (header) d.collect(header, d.header, true, groups);
    if (trailer) d.collect(trailer, d.trailer, true, groups);
    for (const m of defs.message.values()) {
      const body = emptySet();
      d.collect(m, body, true, groups, new Set(['StandardHeader', 'StandardTrailer']));
      d.messages.set(m.msgType, body);
    }
    for (const f of ext.fields ?? []) d.fields.set(f.tag, { tag: f.tag, name: f.name, type: f.type.toUpperCase(), enums: f.enums ? new Set(f.enums) : null });
    for (const m of ext.members ?? [])
      for (const type of m.messages) {
        const g = d.messages.get(type)?.members.get(m.count);
        if (!g) throw new Error(`dictionary extension: no group ${m.count} in message type ${type}`);
        for (const t of m.tags) {
          if (g.set.members.has(t)) continue;
          g.set.members.set(t, null);
          g.set.position.set(t, g.set.position.size);
        }
      }
    for (const g of ext.groups ?? []) {
      const set = emptySet();
      g.members.forEach((t, i) => {
        set.members.set(t, null);
        set.position.set(t, i);
      });
      set.required.push(...(g.required ?? []));
      const spec: GroupSpec = { count: g.count, delimiter: g.members[0]!, set };
      for (const type of g.messages) {
        const body = d.messages.get(type);
        if (!body) throw new Error(`dictionary extension: no message type ${type}`);
        body.members.set(g.count, spec);
        body.position.set(g.count, body.position.size);
      }
    }
    return d;
  }

  /** Adds a field set's members to `into`, components flattened, groups compiled once each. */
  private collect(src: ContainedFieldSet, into: FieldSetSpec, required: boolean, groups: Map<GroupFieldDefinition, GroupSpec>, skip?: Set<string>): void {
    for (const f of src.fields as unknown as { type: number; name: string; required: boolean; definition: unknown }[]) {
      const need = required && f.required;
      // ContainedFieldType: 0 component, 1 group, 2 simple
      if (f.type === 0) {
        if (skip?.has(f.name)) continue;
        this.collect(f.definition as ContainedFieldSet, into, need, groups);
        if (need) for (const t of this.requiredIn[f.name] ?? []) if (!into.required.includes(t)) into.required.push(t);
      } else if (f.type === 1) {
        const g = this.group(f.definition as GroupFieldDefinition, groups);
        if (!g) continue;
        into.members.set(g.count, g);
        into.position.set(g.count, into.position.size);
        if (need) into.required.push(g.count);
      } else {
        const tag = (f.definition as { tag: number }).tag;
        into.members.set(tag, null);
        into.position.set(tag, into.position.size);
        if (need) into.required.push(tag);
      }
    }
  }

  private group(def: GroupFieldDefinition, groups: Map<GroupFieldDefinition, GroupSpec>): GroupSpec | null {
    const known = groups.get(def);
    if (known) return known;
    if (!def.noOfField) return null;
    const set = emptySet();
    const spec: GroupSpec = { count: def.noOfField.tag, delimiter: 0, set };
    groups.set(def, spec);
    this.collect(def, set, true, groups);
    for (const [tag, pos] of set.position) if (pos === 0) spec.delimiter = tag;
    return spec;
  }

  /** Whether a tag is a field of this dictionary. */
  knows(tag: number): boolean {
    return this.fields.has(tag);
  }

  /** The first problem of a value for its field's type and enumeration, or null. */
  valueProblem(tag: number, value: string): Problem | null {
    const f = this.fields.get(tag);
    if (!f) return null;
    const fmt = FORMATS[f.type];
    if (fmt && !fmt.test(value)) return { reason: REJECT_REASON.dataFormat, text: `Incorrect data format for value, field=${tag}`, tag: String(tag) };
    if (f.enums) {
      const ok = MULTIPLE.has(f.type) ? value.split(' ').every((v) => f.enums!.has(v)) : f.enums.has(value);
      if (!ok) return { reason: REJECT_REASON.valueIncorrect, text: 'Value is incorrect (out of range) for this tag', tag: String(tag) };
    }
    return null;
  }
}

/** One level of a parsed message: its fields, and its groups' instances. */
interface Level {
  /** Indexes into the message's fields. */
  fields: number[];
  groups: Map<number, { declared: string; instances: Level[] }>;
}

export interface ValidateOptions {
  /** Tags of 5000 and above that the dictionary does not define are refused too (QuickFIX/J's ValidateUserDefinedFields). */
  validateUserDefinedFields?: boolean;
}

/**
 * Checks a received message (its fields in order, header first) against the dictionary, as QuickFIX/J does: first
 * while reading the body (a tag twice at one level, a group whose first member is not its delimiter, members out of
 * order), then each field in tag order (its format and value, a tag the dictionary lacks, a tag not of this message
 * type, a group's count against its instances), then the required fields. Returns the first problem, or null.
 */
export function validateMessage(dict: FixDictionary, fields: readonly [string, string][], opts: ValidateOptions = {}): Problem | null {
  const type = fields[2]?.[1] ?? '';
  const body = dict.messages.get(type);
  if (!body) return null; // an unknown MsgType is the session's (373=11)
  const tags: number[] = new Array<number>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const t = fields[i]![0];
    tags[i] = /^[1-9]\d{0,8}$/.test(t) ? Number(t) : -1;
  }
  // header, body, trailer
  let b = 0;
  while (b < fields.length && dict.header.members.has(tags[b]!)) b++;
  let e = fields.length;
  while (e > b && dict.trailer.members.has(tags[e - 1]!)) e--;
  const header: Level = { fields: [], groups: new Map() };
  const trailer: Level = { fields: [], groups: new Map() };
  const main: Level = { fields: [], groups: new Map() };
  const parse = (from: number, to: number, spec: FieldSetSpec, into: Level): Problem | number => {
    const seen = new Set<number>();
    let i = from;
    while (i < to) {
      const tag = tags[i]!;
      if (seen.has(tag) && tag >= 0) return { reason: REJECT_REASON.repeated, text: 'Tag appears more than once', tag: String(tag) };
      seen.add(tag);
      const g = spec.members.get(tag);
      if (g) {
        const r = parseGroup(i, to, g, into);
        if (typeof r !== 'number') return r;
        i = r;
        continue;
      }
      into.fields.push(i);
      i++;
    }
    return i;
  };
  /** A group from its count field (at `at`): its instances, to the first field that is not a member. */
  const parseGroup = (at: number, to: number, g: GroupSpec, into: Level): Problem | number => {
    const instances: Level[] = [];
    into.groups.set(g.count, { declared: fields[at]![1], instances });
    into.fields.push(at);
    let cur: Level | null = null;
    let seen = new Set<number>();
    let last = -1;
    let i = at + 1;
    while (i < to) {
      const tag = tags[i]!;
      if (!g.set.members.has(tag)) break;
      if (tag === g.delimiter) {
        cur = { fields: [], groups: new Map() };
        instances.push(cur);
        seen = new Set();
        last = -1;
      } else if (!cur) return { reason: REJECT_REASON.groupOrder, text: `The group ${g.count} must set the delimiter field ${g.delimiter}`, tag: String(tag) };
      if (seen.has(tag)) return { reason: REJECT_REASON.repeated, text: 'Tag appears more than once', tag: String(tag) };
      seen.add(tag);
      const pos = g.set.position.get(tag)!;
      if (pos <= last) return { reason: REJECT_REASON.groupOrder, text: 'Out of order repeating group members', tag: String(tag) };
      last = pos;
      const nested = g.set.members.get(tag);
      if (nested) {
        const r = parseGroup(i, to, nested, cur);
        if (typeof r !== 'number') return r;
        i = r;
      } else {
        cur.fields.push(i);
        i++;
      }
    }
    return i;
  };
  for (const [from, to, spec, into] of [
    [0, b, dict.header, header],
    [b, e, body, main],
    [e, fields.length, dict.trailer, trailer],
  ] as const) {
    const r = parse(from, to, spec, into);
    if (typeof r !== 'number') return r;
  }
  const userOk = opts.validateUserDefinedFields === false;
  const check = (level: Level, spec: FieldSetSpec): Problem | null => {
    const sorted = [...level.fields].sort((x, y) => tags[x]! - tags[y]!);
    for (const i of sorted) {
      const tag = tags[i]!;
      const known = dict.knows(tag);
      if (known) {
        const p = dict.valueProblem(tag, fields[i]![1]);
        if (p) return p;
      } else if (!(userOk && tag >= 5000)) return { reason: REJECT_REASON.invalidTag, text: 'Invalid tag number', tag: fields[i]![0] };
      if (known && !spec.members.has(tag)) return { reason: REJECT_REASON.notForMessage, text: 'Tag not defined for this message type', tag: String(tag) };
      const grp = level.groups.get(tag);
      if (grp) {
        if (Number(grp.declared) !== grp.instances.length)
          return { reason: REJECT_REASON.groupCount, text: 'Incorrect NumInGroup count for repeating group', tag: String(tag) };
        const gs = spec.members.get(tag)!;
        for (const inst of grp.instances) {
          const p = check(inst, gs.set);
          if (p) return p;
        }
      }
    }
    return null;
  };
  const required = (level: Level, spec: FieldSetSpec): Problem | null => {
    const have = new Set(level.fields.map((i) => tags[i]));
    for (const t of spec.required) if (!have.has(t)) return { reason: REJECT_REASON.requiredMissing, text: 'Required tag missing', tag: String(t) };
    for (const [tag, grp] of level.groups) {
      const gs = spec.members.get(tag);
      if (!gs) continue;
      for (const inst of grp.instances) {
        const p = required(inst, gs.set);
        if (p) return p;
      }
    }
    return null;
  };
  return (
    check(header, dict.header) ??
    check(trailer, dict.trailer) ??
    check(main, body) ??
    required(header, dict.header) ??
    required(main, body) ??
    required(trailer, dict.trailer)
  );
}

/** jspurefix's dictionary for a BeginString: FIX.4.4 → FIX44; FIXT.1.1 → FIX50SP2. */
export function dictionaryFor(beginString: string): string {
  if (beginString === 'FIXT.1.1') return 'FIX50SP2';
  const m = /^FIX\.(\d)\.(\d)$/.exec(beginString);
  if (!m) throw new UsageError(`no dictionary for BeginString ${beginString}: name one (a FIX version such as FIX44, or a QuickFIX XML file)`);
  return `FIX${m[1]}${m[2]}`;
}

const loaded = new Map<string, Promise<FixDefinitions>>();

/**
 * jspurefix's definitions of a FIX version ('FIX44', read from its data/FIX44.xml), parsed once per process; or
 * the path of a QuickFIX-format XML dictionary.
 */
export function definitions(name = 'FIX44'): Promise<FixDefinitions> {
  const path = /^FIX\d+(SP\d+)?$/i.test(name) ? `data/${name.toUpperCase()}.xml` : name;
  let p = loaded.get(path);
  if (!p) {
    p = new DefinitionFactory().getDefinitions(path);
    loaded.set(path, p);
  }
  return p;
}

/**
 * Where jspurefix's FIX44.xml and QuickFIX's differ and the acceptance scripts (QuickFIX/J's) follow QuickFIX's:
 * QuickFIX requires Symbol (55) in the Instrument component, jspurefix marks it optional.
 */
export const QUICKFIX_FIX44: DictionaryExtension = { required: { Instrument: [55] } };

/** Two extensions as one (the second's fields and groups after the first's). */
export function mergeExtensions(a: DictionaryExtension, b: DictionaryExtension): DictionaryExtension {
  const required: Record<string, number[]> = { ...a.required };
  for (const [k, v] of Object.entries(b.required ?? {})) required[k] = [...(required[k] ?? []), ...v];
  return {
    fields: [...(a.fields ?? []), ...(b.fields ?? [])],
    groups: [...(a.groups ?? []), ...(b.groups ?? [])],
    members: [...(a.members ?? []), ...(b.members ?? [])],
    required,
  };
}

/** The compiled FIX 4.4 dictionary (or another), with an extension if given (FIX 4.4 with QuickFIX's required Symbol). */
export async function loadDictionary(name = 'FIX44', ext: DictionaryExtension = {}): Promise<FixDictionary> {
  const base = name.toUpperCase() === 'FIX44' ? mergeExtensions(QUICKFIX_FIX44, ext) : ext;
  return FixDictionary.fromDefinitions(await definitions(name), base);
}
