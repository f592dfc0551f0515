/**
 * Browser code of the dashboard, part 5b: the capture panel of the sidebar,
 * from `GET /api/v1/healthz` — what this server's capture holds unwritten
 * (buffered and queue mode) and the depth of the queue it writes to or
 * watches (`createApp(m, { queue })`, `tallyboard start --queue`). Hidden for
 * direct capture without a queue. Plain JavaScript, no template literals.
 */
export const CLIENT_CAPTURE = String.raw`
function queueText(q) {
  return formatNumber(q.waiting) + " waiting \u00b7 " + formatNumber(q.active) + " active \u00b7 " +
    formatNumber(q.delayed) + " delayed \u00b7 " + formatNumber(q.failed) + " failed";
}

function renderCapture() {
  const health = state.health;
  const capture = health && health.capture;
  const queue = health && health.queue !== undefined ? health.queue : capture && capture.queue;
  const panel = $("capture-panel");
  panel.hidden = !capture || (capture.mode === "direct" && queue === undefined);
  if (panel.hidden) return;
  const list = $("capture-list");
  list.replaceChildren();
  const item = (label, text, bad) => {
    const li = el("li", bad ? "error" : "");
    li.append(el("span", "capture-label", label + ": "), el("span", "", text));
    list.append(li);
  };
  if (capture.mode !== "direct") {
    const held = capture.pendingSums + capture.pendingBatchSums;
    item("Mode", capture.mode, false);
    item("Not yet written", formatNumber(held) + (capture.pendingBatches ? " (" + formatNumber(capture.pendingBatches) + " batches)" : ""), false);
  }
  if (queue === null) item("Queue", "its Redis did not answer", true);
  else if (queue) item("Queue", queueText(queue), queue.failed > 0);
}
`;
