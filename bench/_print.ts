/** Plain-text tables of bench sections (stdout). */
import type { BenchRow, BenchSection } from "./_types.js";

function formatValue(row: BenchRow): string {
  const digits = Number.isInteger(row.value) ? 0 : Math.abs(row.value) >= 100 ? 1 : row.unit === "ms" ? 3 : 2;
  return `${row.value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${row.unit}`;
}

function formatRatio(row: BenchRow): string {
  return row.ratio ? `${row.ratio.value.toFixed(3)}× ${row.ratio.to}` : "";
}

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
    .join("  ");
}

/** Render one section: rows grouped by measurement, then its targets. */
export function renderSection(section: BenchSection): string {
  const lines = [`== ${section.name} ==`];
  const groups = new Map<string, BenchRow[]>();
  for (const row of section.rows) groups.set(row.name, [...(groups.get(row.name) ?? []), row]);
  const cells = section.rows.map((row) => [row.subject, formatValue(row), formatRatio(row)]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => (c[i] ?? "").length), 0));
  for (const [name, rows] of groups) {
    lines.push("", name);
    for (const row of rows)
      lines.push(`  ${pad([row.subject, formatValue(row), formatRatio(row)], widths)}`.trimEnd());
  }
  if (section.targets?.length) {
    lines.push("", "targets");
    for (const t of section.targets) lines.push(`  ${t.met ? "MET    " : "UNMET  "} ${t.name}: ${t.detail}`);
  }
  return lines.join("\n");
}
