import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError, fsDo, IoError } from '../core/errors.js';

/** A data file that is not what it should be: names the file and the line (exit 3 at the command line). */
export class LobsterFormatError extends DataError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${message}` : `${file}: ${message}`);
  }
}

/**
 * Streams a CSV file of numbers row by row, parsing bytes directly (no string per line or field), with a
 * fixed-size read buffer: memory does not grow with the file. The first field may be a decimal; its exact value
 * in nanoseconds (for times written as seconds with up to nine decimals) is kept in `firstNs`.
 */
export class CsvNumberReader {
  private readonly fd: number;
  private buf: Buffer;
  private start = 0; // next unread byte in buf
  private end = 0; // bytes valid in buf
  private eof = false;
  /** Bytes read so far, and the file's size (0 for a pipe). */
  bytesRead = 0;
  readonly size: number;
  /** Line number of the row last returned (1-based). */
  line = 0;
  /** The first field of the last row in nanoseconds, exact when it has at most nine decimals. */
  firstNs = 0;

  constructor(
    readonly path: string,
    chunkBytes = 1 << 20,
  ) {
    this.fd = fsDo(path, 'open the file', () => openSync(path, 'r'));
    // a folder opens on Linux and fails only when read; a device (/dev/zero) never ends: only files and pipes are read
    const st = fstatSync(this.fd);
    if (!st.isFile() && !st.isFIFO()) {
      closeSync(this.fd);
      throw new IoError(`${path}: cannot read (${st.isDirectory() ? 'a folder, not a file' : 'not a regular file'})`);
    }
    this.size = st.size;
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Fills the buffer so that it holds at least one complete line (or the rest of the file). */
  private refill(): void {
    const rest = this.end - this.start;
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.start = 0;
      this.end = rest;
    }
    for (;;) {
      if (this.end === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2); // a line longer than the buffer
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      const n = fsDo(this.path, 'read', () => readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null));
      if (n === 0) {
        this.eof = true;
        return;
      }
      const from = this.end;
      this.end += n;
      this.bytesRead += n;
      const nl = this.buf.indexOf(10, from);
      if (nl !== -1 && nl < this.end) return;
    }
  }

  /**
   * Parses the next non-empty row into `out`; returns the number of fields, or -1 at the end of the file.
   * Throws a LobsterFormatError naming the file and line for anything that is not a number.
   */
  next(out: Float64Array): number {
    for (;;) {
      let nl = this.buf.indexOf(10, this.start);
      if (nl === -1 || nl >= this.end) {
        if (!this.eof) this.refill();
        nl = this.buf.indexOf(10, this.start);
        if (nl === -1 || nl >= this.end) {
          if (this.start >= this.end) return -1;
          nl = this.end; // last line without a newline
        }
      }
      this.line++;
      const lineStart = this.start;
      this.start = nl + 1;
      let stop = nl;
      if (stop > lineStart && this.buf[stop - 1] === 13) stop--; // CRLF
      if (stop === lineStart) continue; // empty line
      return this.parse(lineStart, stop, out);
    }
  }

  private parse(from: number, to: number, out: Float64Array): number {
    const b = this.buf;
    let field = 0;
    let i = from;
    while (i <= to) {
      let neg = false;
      let int = 0;
      let frac = 0;
      let fracDigits = 0;
      let digits = 0;
      let c = b[i]!;
      if (i < to && (c === 45 || c === 43)) {
        neg = c === 45;
        i++;
      }
      while (i < to && (c = b[i]!) >= 48 && c <= 57) {
        int = int * 10 + (c - 48);
        digits++;
        i++;
      }
      if (i < to && b[i] === 46) {
        i++;
        while (i < to && (c = b[i]!) >= 48 && c <= 57) {
          if (fracDigits < 15) {
            frac = frac * 10 + (c - 48);
            fracDigits++;
          }
          digits++;
          i++;
        }
      }
      if (digits === 0 || (i < to && b[i] !== 44)) {
        let j = i;
        while (j < to && b[j] !== 44) j++;
        let k = i;
        while (k > from && b[k - 1] !== 44) k--;
        const text = b.toString('latin1', k, j);
        throw new LobsterFormatError(this.path, this.line, `field ${field + 1} is not a number: "${text}"`);
      }
      if (field < out.length) {
        const v = fracDigits > 0 ? int + frac / 10 ** fracDigits : int;
        out[field] = neg ? -v : v;
      }
      if (field === 0) {
        const ns = int * 1e9 + (fracDigits <= 9 ? frac * 10 ** (9 - fracDigits) : Math.round(frac / 10 ** (fracDigits - 9)));
        this.firstNs = neg ? -ns : ns;
      }
      field++;
      i++; // skip the comma (or step past the end)
    }
    return field;
  }
}
