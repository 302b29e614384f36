/**
 * FIX tag=value text at the byte level: what a test client needs to write deliberately odd messages and to read
 * the other side's exactly. Strings here are ISO-8859-1 ("latin1"): one character per byte, SOH (0x01) between
 * fields. The session and the application use jspurefix's parser and encoder; this is the acceptance runner's.
 */
export const SOH = '\x01';

/** CheckSum (10): the sum of every byte before `10=`, modulo 256, as three digits. */
export function checksum(text: string): string {
  let s = 0;
  for (let i = 0; i < text.length; i++) s = (s + text.charCodeAt(i)) & 0xff;
  return String(s).padStart(3, '0');
}

/** A message from its fields (MsgType first): BeginString, then BodyLength, the fields, and CheckSum. */
export function encodeMessage(beginString: string, fields: readonly [string, string][]): string {
  const inner = fields.map(([t, v]) => `${t}=${v}${SOH}`).join('');
  const text = `8=${beginString}${SOH}9=${inner.length}${SOH}${inner}`;
  return `${text}10=${checksum(text)}${SOH}`;
}

/**
 * A FIX UTC timestamp (SendingTime and the like) from a time in ms, fractions allowed: 20261201-17:20:28.123 with
 * 3 digits of the second (ms, the default), 6 (µs) or 9 (ns, as far as a double's ms carry them: about 0.2 µs).
 */
export function fixTime(ms: number, digits: 3 | 6 | 9 = 3): string {
  const whole = Math.floor(ms);
  const d = new Date(whole);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  let frac = p(d.getUTCMilliseconds(), 3);
  if (digits > 3) frac += p(Math.min(10 ** (digits - 3) - 1, Math.floor((ms - whole) * 10 ** (digits - 3))), digits - 3);
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${frac}`;
}

/** A FIX UTC timestamp (YYYYMMDD-HH:MM:SS[.sss…], up to ns) in ms (with the fraction), or NaN. */
export function parseFixTime(v: string | undefined): number {
  const m = v ? /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(v) : null;
  if (!m) return NaN;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + frac;
}

/** A message's fields in order, as [tag, value] pairs (a field without `=` has the tag '' and the whole text). */
export function fieldsOf(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const f of text.split(SOH)) {
    if (f === '') continue;
    const eq = f.indexOf('=');
    out.push(eq < 0 ? ['', f] : [f.slice(0, eq), f.slice(eq + 1)]);
  }
  return out;
}

/** Tag → value, the last duplicate winning (how the acceptance scripts compare). */
export function fieldMap(text: string): Map<string, string> {
  return new Map(fieldsOf(text));
}

/**
 * Completes a message for sending: BodyLength (9) inserted after BeginString unless the text already carries a 9=
 * right after it, and CheckSum (10) appended unless the text already ends with a 10= field (then written with three
 * digits, as given otherwise). Text that is not a `8=...` message is returned as it is.
 */
export function completeMessage(text: string): string {
  if (!text.startsWith('8=')) return text;
  const first = text.indexOf(SOH);
  if (first < 0) return text;
  let body = text;
  if (!text.startsWith('9=', first + 1)) {
    const rest = text.slice(first + 1);
    const cut = /(^|\x01)10=[^\x01]*\x01?$/.exec(rest);
    const bodyPart = cut ? rest.slice(0, cut.index + cut[1]!.length) : rest;
    body = `${text.slice(0, first + 1)}9=${bodyPart.length}${SOH}${rest}`;
  }
  const end = /(^|\x01)10=([^\x01]*)\x01?$/.exec(body);
  if (end) {
    const at = end.index + end[1]!.length;
    const v = end[2]!;
    return `${body.slice(0, at)}10=${/^\d{1,3}$/.test(v) ? v.padStart(3, '0') : v}${SOH}`;
  }
  const withSoh = body.endsWith(SOH) ? body : body + SOH;
  return `${withSoh}10=${checksum(withSoh)}${SOH}`;
}

/**
 * Splits a byte stream into FIX messages as QuickFIX/J's decoder does: from `8=`, past the BodyLength it states, to the
 * first CheckSum field at or after that point. A message whose stated length is wrong therefore comes out whole
 * (short) or swallowing what follows (long), and its length check fails where it is validated; bytes before a `8=`
 * are skipped; an incomplete message waits for more bytes.
 */
export class FixFramer {
  private buf = '';

  /** Adds bytes; returns the complete messages now available, in order. */
  push(chunk: Buffer | string): string[] {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const out: string[] = [];
    for (;;) {
      const start = this.buf.indexOf('8=');
      if (start < 0) {
        this.buf = this.buf.slice(Math.max(0, this.buf.length - 1));
        return out;
      }
      if (start > 0) this.buf = this.buf.slice(start);
      const m = /^8=[^\x01]*\x019=(\d+)\x01/.exec(this.buf);
      if (!m) {
        // a start without a length field after it (or not yet): skip it once the second field is there and is not 9=
        if (/^8=[^\x01]*\x01(?:[^9]|9[^=]|9=\d*[^\d\x01])/.test(this.buf)) {
          this.buf = this.buf.slice(2);
          continue;
        }
        return out;
      }
      const bodyEnd = m[0].length + Number(m[1]);
      const at = this.buf.indexOf('\x0110=', Math.max(m[0].length - 1, bodyEnd - 1));
      if (at < 0) return out;
      const end = this.buf.indexOf(SOH, at + 4);
      if (end < 0) return out;
      out.push(this.buf.slice(0, end + 1));
      this.buf = this.buf.slice(end + 1);
    }
  }
}

/** Whether a framed message's BodyLength and CheckSum are the ones its bytes have. */
export function wellFormed(text: string): boolean {
  const m = /^8=[^\x01]*\x019=(\d+)\x01/.exec(text);
  const c = /\x0110=(\d{3})\x01$/.exec(text);
  if (!m || !c) return false;
  return c.index + 1 - m[0].length === Number(m[1]) && checksum(text.slice(0, c.index + 1)) === c[1];
}

/**
 * A socket's writer for a session: the messages written in one turn of the event loop (an input's reports, a
 * decision's children to one venue) go out together in one write, at the end of that turn.
 */
export function turnWriter(sock: { cork(): void; uncork(): void; write(b: Buffer): boolean; writableCorked: number }): (text: string) => void {
  return (text) => {
    if (sock.writableCorked === 0) {
      sock.cork();
      process.nextTick(() => sock.uncork());
    }
    sock.write(Buffer.from(text, 'latin1'));
  };
}
