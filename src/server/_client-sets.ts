/**
 * Browser code of the dashboard, part 5: the metric sets page. Lists every
 * set (metrics, recipients, schedule, latest closed period, next due time),
 * previews the report exactly as it would be mailed now in a sandboxed iframe
 * (no scripts, no same-origin access; the HTML is served by the dashboard
 * under a short-lived id with its own strict CSP), and offers "Send now" when
 * the server has a transport (a token without write scope gets the sign-in
 * form again). Plain JavaScript, no template literals.
 */
export const CLIENT_SETS = String.raw`
let setsSeq = 0;

function when(iso) {
  return iso ? localLabel(Date.parse(iso) / 1000) + " (" + state.timezone + ")" : "\u2013";
}

async function loadSets() {
  const seq = ++setsSeq;
  const [list, schedule] = await Promise.all([api("sets"), api("sets/schedule")]);
  if (seq !== setsSeq) return;
  state.timezone = schedule.timezone;
  const due = new Map(schedule.sets.map((s) => [s.name, s]));
  const body = $("sets").tBodies[0];
  body.replaceChildren();
  for (const set of list.sets) {
    const s = due.get(set.name) || { lastPeriod: null, nextDue: null };
    const tr = el("tr");
    tr.dataset.set = set.name;
    const name = el("th", "", set.name);
    name.scope = "row";
    tr.append(name);
    for (const text of [set.metrics.join(", "), set.recipients.join(", "), set.schedule,
      s.lastPeriod ? s.lastPeriod.label + (s.lastPeriod.beforeCreated ? " (before the set was created: not sent)" : "") : "none yet",
      when(s.nextDue)]) tr.append(el("td", "", text));
    const cell = el("td");
    const preview = el("button", "", "Preview");
    preview.type = "button";
    preview.setAttribute("aria-label", "Preview the report of " + set.name);
    preview.addEventListener("click", () => { state.set = set.name; writeHash(); loadPreview().catch(showError); });
    cell.append(preview);
    tr.append(cell);
    body.append(tr);
  }
  $("sets-empty").hidden = list.sets.length > 0;
  $("sets").hidden = list.sets.length === 0;
  $("send-now").hidden = !schedule.canSend;
  $("sets-view").dataset.state = "ready";
  if (state.set && list.sets.some((s) => s.name === state.set)) await loadPreview();
  else $("preview-panel").hidden = true;
}

async function loadPreview() {
  const name = state.set;
  const panel = $("preview-panel");
  const frame = $("preview-frame");
  panel.hidden = false;
  panel.dataset.state = "loading";
  $("send-status").textContent = "";
  const p = await api("sets/" + encodeURIComponent(name) + "/preview");
  if (name !== state.set) return;
  $("preview-title").textContent = p.subject;
  $("preview-meta").textContent = "To " + p.recipients.join(", ") + " \u00b7 period " + p.period.label +
    " \u00b7 as it would be mailed now";
  frame.title = "Report preview: " + p.subject;
  frame.addEventListener("load", () => { panel.dataset.state = "ready"; }, { once: true });
  frame.src = new URL("report-preview/" + p.frame, ROOT).href;
  panel.dataset.frame = p.frame;
}

async function sendNow() {
  const status = $("send-status");
  const button = $("send-now");
  button.disabled = true;
  status.textContent = "Sending\u2026";
  try {
    const r = await api("sets/" + encodeURIComponent(state.set) + "/send", {}, { method: "POST" });
    status.textContent = "Sent " + r.period + " to " + r.to.join(", ") + ".";
  } catch (error) {
    status.textContent = "Not sent: " + error.message;
  } finally {
    button.disabled = false;
  }
}

function wireSets() {
  $("send-now").addEventListener("click", sendNow);
}
`;
