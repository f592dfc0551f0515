/**
 * Print the results of the last `npm run bench` (bench/results/latest.json,
 * or the file given as argument) as Markdown tables, for docs/benchmarks.md:
 * `npx tsx bench/_markdown.ts [file.json]`.
 */
import { readFile } from "node:fs/promises";
import type { BenchRow, BenchSection } from "./_types.js";

interface Report {
  startedAt: string;
  machine: Record<string, unknown>;
  sections: BenchSection[];
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function value(row: BenchRow): string {
  const digits = Number.isInteger(row.value) ? 0 : row.unit === "ms" ? 3 : 2;
  return `${row.value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${row.unit}`;
}

function section(s: BenchSection): string {
  const lines = [`### ${s.name}`, "", "| measurement | subject | value | ratio |", "|---|---|--:|---|"];
  for (const row of s.rows) {
    const ratio = row.ratio ? `${row.ratio.value.toFixed(3)}× ${row.ratio.to}` : "";
    lines.push(`| ${cell(row.name)} | ${cell(row.subject)} | ${value(row)} | ${cell(ratio)} |`);
  }
  if (s.targets?.length) {
    lines.push("", "| target | met | measured |", "|---|---|---|");
    for (const t of s.targets)
      lines.push(`| ${cell(t.name)} | ${t.met ? "yes" : "**no**"} | ${cell(t.detail)} |`);
  }
  return lines.join("\n");
}

const file = process.argv[2] ?? new URL("./results/latest.json", import.meta.url);
const report = JSON.parse(await readFile(file, "utf8")) as Report;
process.stdout.write(`Run of ${report.startedAt}: ${JSON.stringify(report.machine)}\n\n`);
process.stdout.write(`${report.sections.map(section).join("\n\n")}\n`);
