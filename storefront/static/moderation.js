// The merchant's community page: the gallery's entries waiting for a decision (with the reports that
// held them) and the idea board's statuses, read and written through the admin API with a token kept
// in this tab.

import { AdminApi, adminToken } from "./admin-api.js";
import { h, plural, uid } from "./dom.js";

const PAGE_SIZE = 100;
const QUEUES = {
  waiting: ["pending", "held"],
  published: ["published"],
  rejected: ["rejected"],
  unpublished: ["unpublished"],
};
const ENTRY_STATUSES = {
  pending: "New: waiting for a decision",
  held: "Reported: out of the gallery until you decide",
  published: "Published",
  rejected: "Rejected",
  unpublished: "Unpublished",
};
const DECISIONS = { approve: "Approve", reject: "Reject", unpublish: "Unpublish" };
const DONE = {
  approve: "Approved: it is in the gallery.",
  reject: "Rejected: its creator sees your reason.",
  unpublish: "Unpublished: out of the gallery; its creator sees your reason.",
};
const REPORT_REASONS = { offensive: "Offensive", copyright: "Copyright", spam: "Spam", other: "Other" };
const IDEA_STATUSES = {
  open: "Open",
  under_review: "Under review",
  planned: "Planned",
  made: "Made",
  declined: "Declined",
  removed: "Removed (off the board)",
};
const NEEDS_REASON = "Say why: the creator reads it.";

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");

function fieldMessage(id) {
  return h("p", { class: "atelier-field-message", id, hidden: true });
}

function showMessage(control, message, text) {
  message.textContent = text ?? "";
  message.hidden = !text;
  if (text) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", message.id);
  } else {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }
}

function start() {
  const root = document.querySelector("[data-moderation]");
  const tokenForm = root.querySelector("[data-token-form]");
  const work = root.querySelector("[data-work]");
  const status = root.querySelector("[data-status]");
  const queueFilter = root.querySelector("[data-queue-filter]");
  const queueStatus = root.querySelector("[data-queue-status]");
  const queue = root.querySelector("[data-queue]");
  const ideasFilter = root.querySelector("[data-ideas-filter]");
  const ideasStatus = root.querySelector("[data-ideas-status]");
  const ideas = root.querySelector("[data-ideas]");
  let api = null;
  let products = new Map(); // key -> label, for the ideas that name a product

  function askToken(message) {
    adminToken.clear();
    work.hidden = true;
    tokenForm.hidden = false;
    status.textContent = message || "";
  }

  /** Whether the error was the token's (then the token is asked for again). */
  function refused(error) {
    if (!error.refusedToken) return false;
    askToken(`The token was refused: ${error.message}`);
    return true;
  }

  // --- the gallery ------------------------------------------------------------------------------

  function entryItem(entry, done = null) {
    const id = uid("entry");
    const reason = h("input", { id: `${id}-reason`, type: "text", class: "atelier-input", autocomplete: "off" });
    const reasonMessage = fieldMessage(`${id}-reason-error`);
    const result = h("p", { class: "moderation-result", role: "status" }, done ?? "");
    const item = h("li", { class: "moderation-item", dataset: { entry: entry.id } });

    async function decide(decision) {
      const why = reason.value.trim();
      showMessage(reason, reasonMessage, null);
      if (decision !== "approve" && !why) {
        showMessage(reason, reasonMessage, NEEDS_REASON);
        reason.focus();
        return;
      }
      result.textContent = "Saving…";
      try {
        const body = decision === "approve" ? { decision } : { decision, reason: why };
        const updated = await api.post(`/api/v1/admin/community/gallery/${encodeURIComponent(entry.id)}/decision`, body);
        const next = entryItem(updated, DONE[decision]);
        item.replaceWith(next);
        next.querySelector(".moderation-result").focus();
      } catch (error) {
        if (refused(error)) return;
        const field = error.fieldError?.("reason");
        if (field) {
          result.textContent = "";
          showMessage(reason, reasonMessage, field);
          reason.focus();
        } else {
          result.textContent = error.message;
        }
      }
    }

    const picture = entry.preview?.url
      ? h("img", { src: entry.preview.url, width: entry.preview.width, height: entry.preview.height, alt: `${entry.title}, ${entry.product_label}` })
      : h("span", { class: "moderation-no-picture" }, "No picture: the current options no longer allow this design.");
    result.tabIndex = -1;
    item.append(
      h("div", { class: "moderation-picture" }, picture),
      h(
        "div",
        { class: "moderation-body" },
        h("h3", {}, entry.title),
        h("p", {}, `by ${entry.display_name} · ${entry.product_label} · `, h("a", { href: entry.links.design }, "the design"),
          entry.status === "published" && entry.makeable
            ? [" · ", h("a", { href: `/admin/campaigns?design=${encodeURIComponent(entry.design)}` }, "Start a limited edition", h("span", { class: "visually-hidden" }, ` of ${entry.title}`))]
            : null),
        h("p", { class: "moderation-state" }, h("strong", {}, ENTRY_STATUSES[entry.status] ?? entry.status), ` · sent ${when(entry.created_at)}`,
          entry.votes ? ` · ${plural(entry.votes, "vote", "votes")}` : ""),
        entry.reason ? h("p", {}, `Reason given: ${entry.reason}`) : null,
        entry.reports.length
          ? h("div", { class: "moderation-reports" }, h("h4", {}, plural(entry.reports.length, "open report", "open reports")),
            h("ul", {}, ...entry.reports.map((report) => h("li", {}, h("strong", {}, REPORT_REASONS[report.reason] ?? report.reason),
              report.note ? `: “${report.note}”` : "", ` (${when(report.created_at)})`))))
          : null,
        entry.allowed.length
          ? [
              h("div", { class: "form-field" },
                h("label", { for: reason.id, class: "atelier-label" }, "Reason (needed to reject or unpublish; its creator reads it)"), reason, reasonMessage),
              h("div", { class: "atelier-actions" }, ...entry.allowed.map((decision) =>
                h("button", { type: "button", class: `atelier-button${decision === "approve" ? "" : " atelier-secondary"}`, onclick: () => decide(decision) },
                  DECISIONS[decision] ?? decision, h("span", { class: "visually-hidden" }, ` ${entry.title}`)))),
            ]
          : null,
        result,
      ),
    );
    return item;
  }

  async function showQueue() {
    const params = new URLSearchParams({ page_size: PAGE_SIZE });
    for (const wanted of QUEUES[queueFilter.value] ?? QUEUES.waiting) params.append("status", wanted);
    queueStatus.textContent = "Loading…";
    try {
      const found = await api.get(`/api/v1/admin/community/gallery?${params}`);
      queue.replaceChildren(...found.items.map((entry) => entryItem(entry)));
      queueStatus.textContent = found.total
        ? `${plural(found.total, "entry", "entries")}, oldest first${found.total > found.items.length ? ` (the first ${found.items.length} shown)` : ""}.`
        : "Nothing here.";
    } catch (error) {
      if (refused(error)) return;
      queueStatus.textContent = error.message;
    }
  }

  // --- ideas ------------------------------------------------------------------------------------

  function ideaItem(idea, done = null) {
    const id = uid("idea");
    const select = h("select", { id: `${id}-status`, class: "atelier-input" },
      ...Object.entries(IDEA_STATUSES).map(([value, label]) => h("option", { value, selected: value === idea.status }, label)));
    const note = h("textarea", { id: `${id}-note`, rows: 2, class: "atelier-input" });
    note.value = idea.status_note ?? "";
    const noteMessage = fieldMessage(`${id}-note-error`);
    const result = h("p", { class: "moderation-result", role: "status", tabindex: "-1" }, done ?? "");
    const form = h(
      "form",
      { class: "moderation-idea-form" },
      h("div", { class: "form-field" }, h("label", { for: select.id, class: "atelier-label" }, "Status"), select),
      h("div", { class: "form-field" }, h("label", { for: note.id, class: "atelier-label" }, "Note for shoppers (shown with the idea, e-mailed to followers)"), note, noteMessage),
      h("button", { type: "submit", class: "atelier-button" }, "Save", h("span", { class: "visually-hidden" }, ` ${idea.title}`)),
    );
    const item = h(
      "li",
      { class: "moderation-item moderation-idea", dataset: { idea: idea.id } },
      h(
        "div",
        { class: "moderation-body" },
        h("h3", {}, idea.title),
        h("p", { class: "moderation-state" }, h("strong", {}, IDEA_STATUSES[idea.status] ?? idea.status),
          ` · ${plural(idea.votes, "vote", "votes")}`, idea.display_name ? ` · by ${idea.display_name}` : "",
          idea.product ? ` · ${products.get(idea.product) ?? idea.product}` : "", ` · ${when(idea.created_at)}`),
        h("p", { class: "moderation-text" }, idea.body),
        form,
        result,
      ),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showMessage(note, noteMessage, null);
      result.textContent = "Saving…";
      const body = { status: select.value };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        const updated = await api.post(`/api/v1/admin/community/ideas/${encodeURIComponent(idea.id)}/status`, body);
        const next = ideaItem(updated, updated.status === "removed"
          ? "Saved: the idea is off the board."
          : `Saved: ${updated.status_label}. Its followers are e-mailed.`);
        item.replaceWith(next);
        next.querySelector(".moderation-result").focus();
      } catch (error) {
        if (refused(error)) return;
        const field = error.fieldError?.("note");
        if (field) showMessage(note, noteMessage, field);
        result.textContent = error.message;
      }
    });
    return item;
  }

  async function showIdeas() {
    const params = new URLSearchParams({ page_size: PAGE_SIZE });
    if (ideasFilter.value) params.set("status", ideasFilter.value);
    ideasStatus.textContent = "Loading…";
    try {
      const found = await api.get(`/api/v1/admin/community/ideas?${params}`);
      ideas.replaceChildren(...found.items.map((idea) => ideaItem(idea)));
      ideasStatus.textContent = found.total
        ? `${plural(found.total, "idea", "ideas")}, most votes first${found.total > found.items.length ? ` (the first ${found.items.length} shown)` : ""}.`
        : "Nothing here.";
    } catch (error) {
      if (refused(error)) return;
      ideasStatus.textContent = error.message;
    }
  }

  async function begin(token) {
    api = new AdminApi(token);
    tokenForm.hidden = true;
    work.hidden = false;
    status.textContent = "";
    try {
      const response = await fetch("/api/v1/products", { headers: { Accept: "application/json" } });
      if (response.ok) products = new Map((await response.json()).products.map((p) => [p.key, p.label]));
    } catch {
      // ideas then name their product by its key
    }
    await Promise.all([showQueue(), showIdeas()]);
  }

  tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = String(new FormData(tokenForm).get("token") || "").trim();
    if (!token) return;
    adminToken.set(token);
    tokenForm.reset();
    await begin(token);
  });
  queueFilter.addEventListener("change", showQueue);
  ideasFilter.addEventListener("change", showIdeas);
  root.querySelector("[data-forget]").addEventListener("click", () => askToken("The token is forgotten."));

  const saved = adminToken.get();
  if (saved) begin(saved);
  else askToken();
}

start();
