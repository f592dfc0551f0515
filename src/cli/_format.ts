/** ANSI styling that turns into plain text when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const wrap =
  (open: number, close: number, enabled: boolean) =>
  (text: string): string =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** A {@link Style} that colours only when `enabled`. */
export function createStyle(enabled: boolean): Style {
  return {
    bold: wrap(1, 22, enabled),
    dim: wrap(2, 22, enabled),
    red: wrap(31, 39, enabled),
    green: wrap(32, 39, enabled),
    cyan: wrap(36, 39, enabled),
  };
}

/**
 * Control characters (escape sequences, newlines, NUL, bidi overrides) shown
 * as `\u001b`-style escapes, so a name read from a store cannot rewrite the
 * terminal or forge extra lines.
 */
export function escapeControl(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Column alignment for {@link formatTable}. */
export type Align = "left" | "right";

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Per-column alignment. @default "left" for every column */
  align?: readonly Align[];
  /** Styling for the header row. @default no styling */
  style?: Style;
}

/**
 * An aligned plain-text table: a header row then one line per row, columns
 * separated by two spaces, no trailing spaces. Widths count UTF-16 code units
 * (fine for slugs, dates and numbers). Control characters in cells are escaped.
 */
export function formatTable(
  header: readonly string[],
  rawRows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const rows = rawRows.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[], decorate: (s: string) => string = (s) => s) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const last = i === cells.length - 1;
        const padded =
          options.align?.[i] === "right" ? cell.padStart(width) : last ? cell : cell.padEnd(width);
        return decorate(padded);
      })
      .join("  ");
  const head = line(header, options.style ? options.style.bold : undefined);
  return `${[head, ...rows.map((r) => line(r))].join("\n")}\n`;
}

/** Quote a CSV field when needed (RFC 4180). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text with a header line, CRLF-free (`\n` line ends). */
export function formatCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(",")).join("\n")}\n`;
}

/** Pretty JSON with a trailing newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Group digits with commas for humans: 1234567 → "1,234,567". */
export function formatNumber(n: number, fractionDigits = 0): string {
  return n.toLocaleString("en-US", {
    maximumFractionDigits: fractionDigits,
    minimumFractionDigits: fractionDigits,
  });
}
