import {
  COMPARISONS,
  changeSign,
  escapeHtml as esc,
  formatChange,
  formatNumber,
  rowTitle,
} from "./_format.js";
import type { ReportData, ReportRow } from "./types.js";

const FONT = "font-family:Arial,Helvetica,sans-serif;";
const CHART_HEIGHT = 60;
const COLOR = { up: "#1a7f37", down: "#c62828", flat: "#57606a", bar: "#4a6ee0", alert: "#c62828" };

/** Local `YYYY-MM-DD` of `t` in `timezone` (pure: depends only on its arguments). */
function localDate(t: number, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(t);
}

function change(now: number, before: number): string {
  const sign = changeSign(now, before);
  const color = sign > 0 ? COLOR.up : sign < 0 ? COLOR.down : COLOR.flat;
  return `<span style="color:${color};">${esc(formatChange(now, before))}</span>`;
}

/** 30 daily bars as table cells whose inner div has a CSS height. */
function chart(row: ReportRow, timezone: string): string {
  if (row.daily.length === 0) return "";
  const max = Math.max(1, ...row.daily.map((d) => d.count));
  const bars = row.daily
    .map((d) => {
      const h = d.count > 0 ? Math.max(2, Math.round((d.count / max) * CHART_HEIGHT)) : 1;
      const color = d.count > 0 ? COLOR.bar : "#d0d7de";
      const tip = esc(`${localDate(d.start, timezone)}: ${formatNumber(d.count)}`);
      return `<td valign="bottom" title="${tip}" style="height:${CHART_HEIGHT}px;padding:0 1px;vertical-align:bottom;"><div style="height:${h}px;line-height:${h}px;font-size:1px;background:${color};">&nbsp;</div></td>`;
    })
    .join("");
  const first = row.daily[0] as { start: number };
  const last = row.daily[row.daily.length - 1] as { start: number };
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;table-layout:fixed;margin-top:8px;"><tr>${bars}</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="${FONT}font-size:11px;color:#57606a;"><tr><td>${localDate(first.start, timezone)}</td><td align="right" style="text-align:right;">${localDate(last.start, timezone)} (daily)</td></tr></table>`;
}

function metric(row: ReportRow, timezone: string): string {
  const border = row.alert
    ? `border:2px solid ${COLOR.alert};background:#fff5f5;`
    : "border:1px solid #d0d7de;";
  const badge = row.alert
    ? ` <span style="background:${COLOR.alert};color:#ffffff;font-size:11px;padding:2px 6px;border-radius:3px;">ALERT: ${esc(row.alertReason ?? "")}</span>`
    : "";
  const th = `style="${FONT}font-size:12px;color:#57606a;text-align:right;padding:2px 6px;font-weight:normal;"`;
  const td = `style="${FONT}font-size:13px;text-align:right;padding:2px 6px;"`;
  const comparisons = COMPARISONS.map(({ label, now, before }) => {
    const a = row[now] as number;
    const b = row[before] as number;
    return `<tr><td style="${FONT}font-size:13px;padding:2px 6px;">${label}</td><td ${td}>${formatNumber(a)}</td><td ${td}>${formatNumber(b)}</td><td ${td}>${change(a, b)}</td></tr>`;
  }).join("");
  const note = row.note
    ? `<p style="${FONT}font-size:11px;color:#57606a;margin:6px 0 0;">Note: ${esc(row.note)}</p>`
    : "";
  return `<tr><td style="padding:8px 0;"><table role="presentation" width="100%" cellpadding="12" cellspacing="0" style="${border}border-collapse:separate;"><tr><td>
<p style="${FONT}font-size:15px;font-weight:bold;margin:0 0 4px;">${esc(rowTitle(row))}${badge}</p>
<p style="${FONT}font-size:26px;font-weight:bold;margin:0;">${formatNumber(row.period)} <span style="font-size:14px;font-weight:normal;">${change(row.period, row.previousPeriod)} vs ${formatNumber(row.previousPeriod)} before</span></p>
<table role="presentation" cellpadding="0" cellspacing="0" style="margin-top:8px;border-collapse:collapse;"><tr><th ${th}></th><th ${th}>Current</th><th ${th}>Previous</th><th ${th}>Change</th></tr>${comparisons}</table>
${chart(row, timezone)}${note}
</td></tr></table></td></tr>`;
}

/** The HTML body: nested tables, inline styles, no script and no images. */
export function renderHtml(data: ReportData, subject: string): string {
  const alerts = data.rows.filter((r) => r.alert);
  const banner =
    alerts.length > 0
      ? `<tr><td style="${FONT}background:${COLOR.alert};color:#ffffff;font-size:14px;padding:10px 12px;">${alerts.length} alert${alerts.length === 1 ? "" : "s"}: ${alerts.map((r) => esc(`${rowTitle(r)} ${r.alertReason ?? ""}`)).join(", ")}</td></tr>`
      : "";
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:0;background:#f6f8fa;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f8fa;"><tr><td align="center" style="padding:16px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="width:100%;max-width:640px;background:#ffffff;padding:16px;color:#24292f;">
<tr><td style="${FONT}padding-bottom:8px;"><h1 style="${FONT}font-size:20px;margin:0;">${esc(data.set.name)}</h1>
<p style="${FONT}font-size:13px;color:#57606a;margin:4px 0 0;">${esc(data.period.label)} (${esc(data.timezone)}) · ${esc(data.set.schedule)} report</p></td></tr>
${banner}
${data.rows.map((r) => metric(r, data.timezone)).join("\n")}
<tr><td style="${FONT}font-size:11px;color:#57606a;padding-top:8px;">Change compares the period with the one before it. Week, month and year are to date (through the period's last day) against the same number of days of the previous week, month and year. Generated ${new Date(data.generatedAt).toISOString()} by tallyboard.</td></tr>
</table></td></tr></table></body></html>
`;
}
