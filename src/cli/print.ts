import { clearProgress } from '../core/progress.js';
/**
 * Prints a command's result: JSON with --json; for a person, the result as indented `key: value` lines (nested
 * objects indented under their key, arrays of numbers on one line, arrays of records as tables).
 */
export function print(out: unknown, json: boolean): void {
  clearProgress();
  if (json) console.log(JSON.stringify(out, null, 2));
  else for (const line of humanLines(out, '')) console.log(line);
}

function scalar(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : String(v);
  if (v === null || v === undefined) return '–';
  return String(v);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function humanLines(v: unknown, indent: string): string[] {
  if (!isRecord(v) && !Array.isArray(v)) return [indent + scalar(v)];
  if (Array.isArray(v)) return arrayLines(v, indent);
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (Array.isArray(x) && x.length > 0 && x.every(Array.isArray)) {
      out.push(`${indent}${k}:`);
      for (const row of x as unknown[][]) out.push(`${indent}  ${row.map(scalar).join(', ')}`);
    } else if (isRecord(x) || (Array.isArray(x) && x.some((y) => typeof y === 'object' && y !== null))) {
      out.push(`${indent}${k}:`);
      out.push(...humanLines(x, indent + '  '));
    } else if (Array.isArray(x)) out.push(`${indent}${k}: ${x.map(scalar).join(', ')}`);
    else out.push(`${indent}${k}: ${scalar(x)}`);
  }
  return out;
}

function arrayLines(xs: unknown[], indent: string): string[] {
  if (xs.every(isRecord) && xs.length > 0) {
    const flat = xs.every((x) => Object.values(x).every((y) => !isRecord(y) && !Array.isArray(y)));
    if (flat) {
      const cols = [...new Set(xs.flatMap((x) => Object.keys(x)))];
      return tableLines(
        cols,
        xs.map((x) => cols.map((c) => scalar(x[c]))),
      ).map((l) => indent + l);
    }
    return xs.flatMap((x, i) => [`${indent}[${i + 1}]`, ...humanLines(x, indent + '  ')]);
  }
  return [indent + xs.map(scalar).join(', ')];
}

/** Rows under a header, each column as wide as its widest cell; numbers right-aligned. */
export function tableLines(header: string[], rows: string[][]): string[] {
  const width = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const num = header.map((_, j) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+( ?[a-z%]+)?$|^–$|^$/.test(r[j] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (num[j] ? c.padStart(width[j]!) : c.padEnd(width[j]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function table(header: string[], rows: string[][]): void {
  clearProgress();
  for (const l of tableLines(header, rows)) console.log(l);
}
