import type { ReportRow } from "./types.js";

/** `1234567` -> `"1,234,567"`; non-integers keep one decimal. */
export function formatNumber(n: number): string {
  const fixed = Number.isInteger(n) ? String(Math.abs(n)) : Math.abs(n).toFixed(1);
  const [whole = "", fraction] = fixed.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** Percent change `(now - before) / |before|`: "▲ 12.5%", "▼ 3.0%", "0.0%", "new" (before 0), "–" (both 0). */
export function formatChange(now: number, before: number): string {
  if (before === 0) return now === 0 ? "–" : "new";
  const pct = ((now - before) / Math.abs(before)) * 100;
  const [whole = "", fraction = "0"] = Math.abs(pct).toFixed(1).split(".");
  const text = `${formatNumber(Number(whole))}.${fraction}%`;
  if (text === "0.0%") return text;
  return pct > 0 ? `▲ ${text}` : `▼ ${text}`;
}

/** Direction of a change: 1 up, -1 down, 0 flat or not comparable. */
export function changeSign(now: number, before: number): number {
  if (before === 0 || now === before) return 0;
  return now > before ? 1 : -1;
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** One line, no control characters (for headers and table cells). */
export function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

/** Name with unit, e.g. "Signups (users)". */
export function rowTitle(row: ReportRow): string {
  return oneLine(row.unit ? `${row.name} (${row.unit})` : row.name);
}

/** The comparisons every row shows, in table order. */
export const COMPARISONS: { label: string; now: keyof ReportRow; before: keyof ReportRow }[] = [
  { label: "Day", now: "today", before: "yesterday" },
  { label: "Week", now: "thisWeek", before: "lastWeek" },
  { label: "Month", now: "thisMonth", before: "lastMonth" },
  { label: "Year", now: "thisYear", before: "lastYear" },
];
