// The merchant's campaigns page: every vote and limited edition with where it stands, the forms that
// start them, closing or calling one off (after a confirmation), and a closed vote's winning option
// checked as the product's next version, then published. Read and written through the admin API with
// a token kept in this tab.

import { AdminApi, adminToken } from "./admin-api.js";
import { dateTime, h, money, plural, uid } from "./dom.js";

const KINDS = { vote: "Vote", edition: "Limited edition" };
const STATUSES = { open: "Open", closed: "Closed", succeeded: "Made", failed: "Not made", cancelled: "Called off" };
const PREORDER_STATUSES = {
  awaiting_card: "waiting for a card",
  reserved: "reserved",
  charging: "being charged",
  charged: "charged",
  declined: "card declined, asked to pay",
  released: "released",
};
const ATTRIBUTE_KINDS = new Set(["choice", "multi", "colour"]);
const DAYS_OPEN = 14;
const OPTION_KEY = /^[a-z][a-z0-9_-]{0,63}$/;
const enc = encodeURIComponent;
// Children to append, without the ones left out (null): `append` would write them as text.
const present = (...children) => children.filter((child) => child !== null && child !== undefined);

// --- form helpers -------------------------------------------------------------------------------------

/** A labelled control with room for its message and an optional hint; `path` is its field in the API. */
function labelled(label, control, { hint = null, path = control.name } = {}) {
  control.dataset.field = path;
  const hintId = hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h("div", { class: "form-field" },
    h("label", { for: control.id, class: "atelier-label" }, label),
    control,
    h("p", { class: "atelier-field-message", id: `${control.id}-error`, hidden: true }),
    hint ? h("p", { class: "atelier-help", id: hintId }, hint) : null);
}

function showMessage(control, text) {
  const message = document.getElementById(`${control.id}-error`);
  if (!message) return;
  message.textContent = text ?? "";
  message.hidden = !text;
  const hint = document.getElementById(`${control.id}-hint`) ? `${control.id}-hint` : null;
  if (text) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", hint ? `${message.id} ${hint}` : message.id);
  } else {
    control.removeAttribute("aria-invalid");
    if (hint) control.setAttribute("aria-describedby", hint);
    else control.removeAttribute("aria-describedby");
  }
}

function clearMessages(form) {
  for (const control of form.querySelectorAll("[data-field]")) showMessage(control, null);
}

/** The API's field errors beside their controls (by field path); the first control in error, or null. */
function showApiErrors(form, error) {
  let first = null;
  for (const fieldError of error.problem?.errors ?? []) {
    const control = form.querySelector(`[data-field="${CSS.escape(String(fieldError.field ?? ""))}"]`);
    if (!control) continue;
    showMessage(control, fieldError.detail);
    first ??= control;
  }
  return first;
}

/** Messages for the controls the browser can check itself; the first control in error, or null. */
function checkRequired(form, messages) {
  let first = null;
  for (const [control, message] of messages) {
    showMessage(control, message);
    if (message) first ??= control;
  }
  return first;
}

const pad = (n) => String(n).padStart(2, "0");
/** A date as a datetime-local input holds it (the merchant's own time, to the minute). */
function localInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function deadlineInput(id) {
  const input = h("input", { id, name: "closes_at", type: "datetime-local", class: "atelier-input", required: true });
  input.value = localInput(new Date(Date.now() + DAYS_OPEN * 24 * 3600 * 1000));
  return input;
}

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const deadlineHint = `Your time (${zone}). Shoppers see it in theirs.`;

/** The deadline a datetime-local input holds, as the API takes it (with its time zone), or null. */
function deadline(input) {
  const when = new Date(input.value);
  return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

function deadlineProblem(input) {
  const when = new Date(input.value);
  if (!input.value || Number.isNaN(when.getTime())) return "Choose when it closes.";
  if (when <= new Date()) return "Choose a moment in the future.";
  return null;
}

// --- the page -----------------------------------------------------------------------------------------

function start() {
  const root = document.querySelector("[data-campaign-admin]");
  const tokenForm = root.querySelector("[data-token-form]");
  const work = root.querySelector("[data-work]");
  const status = root.querySelector("[data-status]");
  const filter = root.querySelector("[data-campaign-filter]");
  const listStatus = root.querySelector("[data-campaigns-status]");
  const list = root.querySelector("[data-campaigns]");
  const voteSection = root.querySelector("[data-vote-section]");
  const editionSection = root.querySelector("[data-edition-section]");
  let api = null;
  let products = []; // [{key, label}] from the public API
  const specs = new Map();

  const productLabel = (key) => products.find((p) => p.key === key)?.label ?? key;

  async function spec(key) {
    if (!specs.has(key)) {
      specs.set(key, fetch(`/api/v1/products/${enc(key)}`, { headers: { Accept: "application/json" } }).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return specs.get(key);
  }

  function askToken(message) {
    adminToken.clear();
    work.hidden = true;
    tokenForm.hidden = false;
    status.textContent = message || "";
  }

  /**
   * Whether the token was refused (then another is asked for). Publishing needs a scope of its own:
   * without it the API's 403 is said where it happened, and the token stays for everything else.
   */
  function refused(error, { publishing = false } = {}) {
    if (!error.refusedToken || (publishing && error.status === 403)) return false;
    askToken(`The token was refused: ${error.message}`);
    return true;
  }

  // --- one campaign ---------------------------------------------------------------------------------

  function results(campaign) {
    const running = campaign.status === "open";
    if (!campaign.results.length) return h("p", {}, "No candidate.");
    const most = Math.max(1, ...campaign.results.map((r) => r.votes));
    return h(
      "div",
      { class: "campaign-results" },
      h("h4", {}, running ? "Votes so far (shoppers see them when it closes)" : "Results"),
      h("ol", {}, ...campaign.results.map((r) => h("li", {},
        h("span", { class: "campaign-result-label" }, r.label),
        h("span", { class: "campaign-result-votes" }, plural(r.votes, "vote", "votes")),
        h("span", { class: "candidate-bar", "aria-hidden": "true" }, h("span", { style: { width: `${(100 * r.votes) / most}%` } }))))),
    );
  }

  function editionState(campaign) {
    const { edition } = campaign;
    const counts = campaign.preorders.filter((row) => row.preorders);
    const shown = Math.min(edition.reserved, edition.threshold);
    const released = campaign.status === "failed" || campaign.status === "cancelled";
    return h(
      "div",
      { class: "edition-progress" },
      released
        ? h("p", {}, `Needed ${plural(edition.threshold, "piece", "pieces")}, at most ${edition.max_quantity}: not made.`)
        : h("p", {}, h("strong", {}, `${edition.reserved} of ${edition.threshold}`), ` pieces reserved · at most ${edition.max_quantity} · ${edition.left} left`),
      released ? null : h("div", {
        class: `edition-bar${edition.reserved >= edition.threshold ? " edition-bar-reached" : ""}`,
        role: "progressbar",
        "aria-label": `${campaign.title}: pieces reserved toward the threshold`,
        "aria-valuemin": 0,
        "aria-valuemax": edition.threshold,
        "aria-valuenow": shown,
      }, h("span", { style: { width: `${(100 * shown) / edition.threshold}%` } })),
      h("p", { class: "campaign-preorders" }, counts.length
        ? `Pre-orders: ${counts.map((row) => `${row.preorders} ${PREORDER_STATUSES[row.status] ?? row.status} (${plural(row.pieces, "piece", "pieces")})`).join(" · ")}`
        : "No pre-order yet."),
    );
  }

  /** "Close now" and "Call off", each asking first what it will do. */
  function closeTools(campaign, item, result) {
    const confirm = h("div", { class: "campaign-confirm", role: "group", "aria-label": `Confirm for ${campaign.title}`, hidden: true });
    const reached = campaign.edition && campaign.edition.reserved >= campaign.edition.threshold;
    const words = {
      close: campaign.kind === "vote"
        ? "Close the vote now? Nobody can vote any more, and shoppers see the results."
        : reached
          ? "Close it now? It has reached its threshold: every reserved pre-order is charged, and the edition is made."
          : "Close it now? It has not reached its threshold: every pre-order is released, and nobody is charged.",
      cancel: campaign.kind === "vote"
        ? "Call the vote off? It ends without results for shoppers."
        : "Call it off? Every pre-order is released, and nobody is charged.",
    };
    async function close(cancel) {
      result.textContent = "Closing…";
      confirm.hidden = true;
      try {
        const closed = await api.post(`/api/v1/admin/campaigns/${enc(campaign.id)}/close`, { cancel });
        const next = campaignItem(closed, closedMessage(closed));
        item.replaceWith(next);
        next.querySelector(".moderation-result").focus();
      } catch (error) {
        if (refused(error)) return;
        result.textContent = error.message;
      }
    }
    function ask(what) {
      const yes = h("button", { type: "button", class: "atelier-button", onclick: () => close(what === "cancel") },
        what === "cancel" ? "Yes, call it off" : "Yes, close it now");
      confirm.replaceChildren(
        h("p", {}, words[what]),
        h("div", { class: "atelier-actions" }, yes,
          h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => { confirm.hidden = true; } }, "Keep it open")),
      );
      confirm.hidden = false;
      yes.focus();
    }
    return [
      h("div", { class: "atelier-actions" },
        h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => ask("close") }, "Close now", h("span", { class: "visually-hidden" }, ` ${campaign.title}`)),
        h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => ask("cancel") }, "Call off", h("span", { class: "visually-hidden" }, ` ${campaign.title}`))),
      confirm,
    ];
  }

  function closedMessage(campaign) {
    switch (campaign.status) {
      case "succeeded":
        return "Closed: the threshold was reached. Every reserved pre-order is charged, and the shoppers are e-mailed.";
      case "failed":
        return "Closed: the threshold was not reached. Every pre-order is released; nobody was charged.";
      case "cancelled":
        return campaign.kind === "vote" ? "Called off." : "Called off: every pre-order is released; nobody was charged.";
      default:
        return "Closed: shoppers see the results.";
    }
  }

  /** Labels in other languages, one "fr: Grès" a line; an error names the line that is not one. */
  function parseLabels(text) {
    const labels = {};
    for (const line of text.split(/[\n;]/).map((l) => l.trim()).filter(Boolean)) {
      const match = /^([a-z]{2}(?:-[A-Z]{2})?)\s*[:=]\s*(.+)$/.exec(line);
      if (!match) throw new Error(`“${line}” is not a language and a label, such as fr: Grès.`);
      labels[match[1]] = match[2].trim();
    }
    return labels;
  }

  /** What a check (or a publication) of the winner says: the version, its warnings, what it changes. */
  function winnerReport(answer, candidate) {
    const set = answer.rule_set;
    const outcome = set.products.find((p) => p.outcome) ?? null;
    const changes = [];
    if (set.invalidated.length) changes.push(`${plural(set.invalidated.length, "saved design or cart line", "saved designs or cart lines")} would no longer be accepted.`);
    if (set.price_changes.count) changes.push(`${plural(set.price_changes.count, "cart or design", "carts or designs")} would change price.`);
    if (!changes.length) changes.push("No saved design, cart or price changes: the option is only added.");
    return h(
      "div",
      { class: "winner-report" },
      h("p", {}, h("strong", {}, set.published
        ? `Published: ${candidate.label} is an option of ${productLabel(outcome?.product_key ?? "")} now${outcome?.version_id ? ` (version ${outcome.version_id})` : ""}.`
        : `Checked: ${answer.product_file} with ${candidate.label} added, not published yet.`)),
      h("ul", {}, ...changes.map((text) => h("li", {}, text))),
      set.warnings.length
        ? h("div", { class: "winner-warnings" }, h("h5", {}, plural(set.warnings.length, "warning", "warnings")),
          h("ul", {}, ...set.warnings.map((w) => h("li", {}, w.detail, w.hint ? ` (${w.hint})` : ""))))
        : null,
      added(answer.file, candidate.option),
      h("details", {}, h("summary", {}, `The new ${answer.product_file}`), h("pre", { class: "winner-file" }, h("code", {}, answer.file))),
    );
  }

  /** The lines the option adds to the file: its key and what is indented under it. */
  function added(file, option) {
    const lines = file.split("\n");
    const at = lines.findIndex((line) => line.trimStart().startsWith(`${option}:`));
    if (at < 0) return null;
    const indent = lines[at].length - lines[at].trimStart().length;
    let end = at + 1;
    while (end < lines.length && lines[end].trim() && lines[end].length - lines[end].trimStart().length > indent) end += 1;
    return h("div", {}, h("p", {}, "Added:"), h("pre", { class: "winner-file winner-added" }, h("code", {}, lines.slice(at, end).join("\n"))));
  }

  function winnerTools(campaign, result) {
    const options = campaign.candidates.filter((c) => c.attribute && c.option);
    if (!options.length) return null;
    const votes = new Map(campaign.results.map((r) => [r.candidate, r.votes]));
    const leader = campaign.results.find((r) => options.some((c) => c.id === r.candidate))?.candidate;
    const id = uid("winner");
    const select = h("select", { id: `${id}-candidate`, name: "candidate", class: "atelier-input" },
      ...options.map((c) => h("option", { value: c.id, selected: c.id === leader }, `${c.label} (${c.attribute}: ${c.option}) · ${plural(votes.get(c.id) ?? 0, "vote", "votes")}`)));
    const labels = h("textarea", { id: `${id}-labels`, name: "labels", rows: 2, class: "atelier-input" });
    const check = h("button", { type: "button", class: "atelier-button atelier-secondary" }, "Check the winner", h("span", { class: "visually-hidden" }, ` of ${campaign.title}`));
    const publish = h("button", { type: "button", class: "atelier-button", hidden: true }, "Publish", h("span", { class: "visually-hidden" }, ` the winner of ${campaign.title}`));
    const report = h("div", { class: "winner-output" });
    const box = h(
      "div",
      { class: "winner" },
      h("h4", {}, "The winner joins the catalog"),
      h("p", {}, "Check the winning option as the product's next version (your file kept as written), see what it would change, then publish it. Publishing needs a token with catalog:publish."),
      labelled("Winning option", select, { path: "candidate" }),
      labelled("Its label in other languages (optional)", labels, { hint: "One a line, such as fr: Grès. English is the candidate's label.", path: "labels" }),
      h("div", { class: "atelier-actions" }, check, publish),
      report,
    );
    // A winner published already is an option of the live product: say so rather than offer it again.
    const live = h("p", { class: "winner-live", hidden: true });
    box.insertBefore(live, box.children[2]);
    spec(campaign.product).then((found) => {
      const attributes = new Map((found?.attributes ?? []).map((a) => [a.key, a]));
      const inCatalog = options.filter((c) => attributes.get(c.attribute)?.options.some((o) => o.key === c.option));
      if (!inCatalog.length) return;
      live.textContent = `In the catalog now: ${inCatalog.map((c) => c.label).join(", ")}.`;
      live.hidden = false;
      for (const c of inCatalog) select.querySelector(`option[value="${CSS.escape(c.id)}"]`)?.remove();
      if (!select.options.length) for (const part of box.querySelectorAll(".form-field, .atelier-actions, .winner > p:not(.winner-live)")) part.hidden = true;
    });
    const chosen = () => options.find((c) => c.id === select.value);
    const forget = () => {
      publish.hidden = true;
      report.replaceChildren();
    };
    select.addEventListener("change", forget);
    labels.addEventListener("input", forget);

    async function send(publishing) {
      clearMessages(box);
      let body;
      try {
        body = { candidate: select.value, labels: parseLabels(labels.value), publish: publishing };
      } catch (error) {
        showMessage(labels, error.message);
        labels.focus();
        return;
      }
      result.textContent = publishing ? "Publishing…" : "Checking…";
      try {
        const answer = await api.post(`/api/v1/admin/campaigns/${enc(campaign.id)}/winner`, body);
        report.replaceChildren(winnerReport(answer, chosen()));
        publish.hidden = answer.rule_set.published;
        result.textContent = answer.rule_set.published
          ? `Published: ${chosen().label} is live.`
          : "Checked. Publish when the changes suit you.";
      } catch (error) {
        if (refused(error, { publishing })) return;
        const first = showApiErrors(box, error);
        // A missing catalog:publish scope is a 403 with the API's own words: said here, the token kept.
        result.textContent = error.message;
        first?.focus();
      }
    }
    check.addEventListener("click", () => send(false));
    publish.addEventListener("click", () => send(true));
    return box;
  }

  function campaignItem(campaign, done = null) {
    const result = h("p", { class: "moderation-result", role: "status", tabindex: "-1" }, done ?? "");
    const item = h("li", { class: `moderation-item campaign-item campaign-item-${campaign.kind}`, dataset: { campaign: campaign.id } });
    const preview = campaign.edition?.preview;
    const open = campaign.status === "open";
    const when = open
      ? campaign.running ? `closes ${dateTime(campaign.closes_at)}` : `opens ${dateTime(campaign.opens_at)}`
      : `closed ${dateTime(campaign.closed_at ?? campaign.closes_at)}`;
    item.append(
      ...present(campaign.kind === "edition"
        ? h("div", { class: "moderation-picture" }, preview?.url
          ? h("img", { src: preview.url, width: preview.width, height: preview.height, alt: `${campaign.title}, ${productLabel(campaign.product)}` })
          : h("span", { class: "moderation-no-picture" }, "No picture: the current options no longer allow this design."))
        : null),
      h(
        "div",
        { class: "moderation-body" },
        h("h3", {}, campaign.title),
        h("p", { class: "moderation-state" }, h("strong", {}, STATUSES[campaign.status] ?? campaign.status),
          ` · ${KINDS[campaign.kind] ?? campaign.kind} · ${productLabel(campaign.product)} · ${when}`),
        h("p", {}, h("a", { href: campaign.links.page }, "Its page for shoppers")),
        campaign.kind === "vote" ? results(campaign) : editionState(campaign),
        open ? closeTools(campaign, item, result) : null,
        campaign.kind === "vote" && campaign.status === "closed" ? winnerTools(campaign, result) : null,
        result,
      ),
    );
    return item;
  }

  async function showCampaigns() {
    const params = new URLSearchParams();
    if (filter.value) params.set("status", filter.value);
    listStatus.textContent = "Loading…";
    try {
      const found = await api.get(`/api/v1/admin/campaigns?${params}`);
      // Open ones first, closing soonest first; then the decided ones, the latest first.
      const open = found.items.filter((campaign) => campaign.status === "open");
      const decided = found.items.filter((campaign) => campaign.status !== "open").reverse();
      list.replaceChildren(...[...open, ...decided].map((campaign) => campaignItem(campaign)));
      listStatus.textContent = found.items.length
        ? `${plural(found.items.length, "campaign", "campaigns")}: open ones first, closing soonest first.`
        : "Nothing here.";
    } catch (error) {
      if (refused(error)) return;
      listStatus.textContent = error.message;
    }
  }

  function started(campaign) {
    const item = campaignItem(campaign, `Started: shoppers see it on its page.`);
    list.prepend(item);
    listStatus.textContent = "";
    item.querySelector(".moderation-result").focus();
  }

  // --- starting a vote --------------------------------------------------------------------------------

  function voteForm() {
    const title = h("input", { id: "vote-title", name: "title", class: "atelier-input", autocomplete: "off", required: true });
    const description = h("textarea", { id: "vote-description", name: "description", rows: 2, class: "atelier-input" });
    const product = h("select", { id: "vote-product", name: "product", class: "atelier-input" }, ...products.map((p) => h("option", { value: p.key }, p.label)));
    const closes = deadlineInput("vote-closes");
    const rows = h("ol", { class: "candidate-rows" });
    const seedStatus = h("p", { class: "atelier-help", role: "status" });
    const problem = h("p", { class: "atelier-alert", role: "alert", tabindex: "-1" });
    const form = h("form", { class: "campaign-form", novalidate: true });
    let attributes = []; // the chosen product's attributes that take options

    async function loadAttributes() {
      const found = await spec(product.value);
      attributes = (found?.attributes ?? []).filter((a) => ATTRIBUTE_KINDS.has(a.kind));
      for (const row of rows.children) row.fillAttributes();
    }

    function candidateRow(chosen = {}) {
      const id = uid("candidate");
      const attribute = h("select", { id: `${id}-attribute`, class: "atelier-input" });
      const option = h("input", { id: `${id}-option`, class: "atelier-input", autocomplete: "off", spellcheck: "false", value: chosen.option ?? "" });
      const label = h("input", { id: `${id}-label`, class: "atelier-input", autocomplete: "off", value: chosen.label ?? "" });
      const row = h("li", { class: "candidate-row", dataset: { note: chosen.note ?? "" } });
      const existing = () => {
        const known = attributes.find((a) => a.key === attribute.value)?.options.some((o) => o.key === option.value.trim());
        row.querySelector(".candidate-exists").hidden = !known;
      };
      row.fillAttributes = () => {
        const wanted = attribute.value || chosen.attribute;
        attribute.replaceChildren(...attributes.map((a) => h("option", { value: a.key, selected: a.key === wanted },
          a.kind === "colour" ? `${a.label} (a colour: add it to the palette before publishing)` : a.label)));
        existing();
      };
      attribute.addEventListener("change", existing);
      option.addEventListener("input", existing);
      const remove = h("button", { type: "button", class: "atelier-button atelier-secondary candidate-remove" }, "Remove", h("span", { class: "visually-hidden" }, " this candidate"));
      remove.addEventListener("click", () => {
        const next = row.nextElementSibling ?? row.previousElementSibling;
        row.remove();
        next?.querySelector("input")?.focus();
        number();
      });
      row.append(
        ...present(h("p", { class: "candidate-row-title" })),
        labelled("Attribute", attribute),
        labelled("Option key", option, { hint: "Lowercase letters, digits, - and _, such as glass_500." }),
        labelled("Label shoppers read", label),
        ...present(chosen.note ? h("p", { class: "atelier-help candidate-note" }, chosen.note) : null),
        h("p", { class: "atelier-help candidate-exists", hidden: true },
          "Already an option, refused by a rule: winning cannot add it. Relax the rule instead, or give a new key."),
        remove,
      );
      row.controls = { attribute, option, label };
      row.fillAttributes();
      return row;
    }

    /** Number the rows and name their controls by their place (the API's field paths). */
    function number() {
      [...rows.children].forEach((row, index) => {
        row.querySelector(".candidate-row-title").textContent = `Candidate ${index + 1}`;
        row.controls.attribute.dataset.field = `candidates.${index}.attribute`;
        row.controls.option.dataset.field = `candidates.${index}.option`;
        row.controls.label.dataset.field = `candidates.${index}.label`;
      });
    }

    function add(chosen) {
      const row = candidateRow(chosen);
      rows.append(row);
      number();
      return row;
    }

    async function seed() {
      seedStatus.textContent = "Reading blocked demand…";
      try {
        const found = await api.get(`/api/v1/admin/campaigns/seeds/${enc(product.value)}`);
        if (!found.items.length) {
          seedStatus.textContent = "No blocked demand for this product yet: add candidates by hand.";
          return;
        }
        rows.replaceChildren();
        for (const item of found.items) add(item);
        seedStatus.textContent = `${plural(found.items.length, "candidate", "candidates")} from blocked demand, most wanted first.`;
        rows.querySelector("input")?.focus();
      } catch (error) {
        if (refused(error)) return;
        seedStatus.textContent = error.message;
      }
    }

    product.addEventListener("change", loadAttributes);
    form.append(
      labelled("Title", title, { hint: "The question shoppers read, such as “Which bottle next?”" }),
      labelled("Description (optional)", description),
      labelled("Product", product),
      labelled("Voting closes", closes, { hint: deadlineHint }),
      h("fieldset", { class: "candidates" },
        h("legend", {}, "Candidates: new options"),
        rows,
        h("div", { class: "atelier-actions" },
          h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => add().querySelector("input").focus() }, "Add a candidate"),
          h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: seed }, "Seed from blocked demand")),
        seedStatus),
      problem,
      h("button", { type: "submit", class: "atelier-button" }, "Start the vote"),
    );

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearMessages(form);
      problem.textContent = "";
      const candidates = [...rows.children];
      const first = checkRequired(form, [
        [title, title.value.trim() ? null : "Give the vote a title."],
        [closes, deadlineProblem(closes)],
        ...candidates.flatMap((row) => [
          [row.controls.option, OPTION_KEY.test(row.controls.option.value.trim()) ? null : "A key: lowercase letters, digits, - and _, starting with a letter."],
          [row.controls.label, row.controls.label.value.trim() ? null : "Give it the label shoppers read."],
        ]),
      ]);
      if (first) {
        first.focus();
        return;
      }
      if (candidates.length < 2) {
        problem.textContent = "A vote needs at least two candidates.";
        problem.focus();
        return;
      }
      const body = {
        kind: "vote",
        title: title.value.trim(),
        description: description.value.trim(),
        product: product.value,
        closes_at: deadline(closes),
        candidates: candidates.map((row) => ({
          label: row.controls.label.value.trim(),
          attribute: row.controls.attribute.value,
          option: row.controls.option.value.trim(),
          ...(row.dataset.note ? { note: row.dataset.note } : {}),
        })),
      };
      try {
        started(await api.post("/api/v1/admin/campaigns", body));
        form.reset();
        closes.value = localInput(new Date(Date.now() + DAYS_OPEN * 24 * 3600 * 1000));
        rows.replaceChildren();
        add();
        add();
        await loadAttributes();
      } catch (error) {
        if (refused(error)) return;
        const wrong = showApiErrors(form, error);
        problem.textContent = error.message;
        (wrong ?? problem).focus();
      }
    });
    add();
    add();
    loadAttributes();
    return form;
  }

  // --- starting an edition ----------------------------------------------------------------------------

  function editionForm(design) {
    const title = h("input", { id: "edition-title", name: "title", class: "atelier-input", autocomplete: "off", required: true });
    const description = h("textarea", { id: "edition-description", name: "description", rows: 2, class: "atelier-input" });
    const designInput = h("input", { id: "edition-design", name: "design", class: "atelier-input", autocomplete: "off", spellcheck: "false", required: true, value: design ?? "" });
    const threshold = h("input", { id: "edition-threshold", name: "threshold", type: "number", min: 1, max: 100000, step: 1, inputmode: "numeric", class: "atelier-input", required: true });
    const most = h("input", { id: "edition-max", name: "max_quantity", type: "number", min: 1, max: 100000, step: 1, inputmode: "numeric", class: "atelier-input", required: true });
    const closes = deadlineInput("edition-closes");
    const shown = h("div", { class: "edition-design", "aria-live": "polite" });
    const problem = h("p", { class: "atelier-alert", role: "alert", tabindex: "-1" });
    const form = h("form", { class: "campaign-form", novalidate: true });

    async function showDesign() {
      const id = designInput.value.trim();
      if (!id) {
        shown.replaceChildren();
        return;
      }
      const response = await fetch(`/api/v1/designs/${enc(id)}`, { headers: { Accept: "application/json" } }).catch(() => null);
      if (!response?.ok) {
        shown.replaceChildren(h("p", { class: "atelier-help" }, "No saved design has this id."));
        return;
      }
      const found = await response.json();
      const label = productLabel(found.product);
      shown.replaceChildren(
        ...(found.preview?.url ? [h("div", { class: "moderation-picture" }, h("img", { src: found.preview.url, width: found.preview.width, height: found.preview.height, alt: `The design, ${label}` }))] : []),
        h("p", {}, `${label}`, found.price ? ` · ${money(found.price.total, found.price.currency)} a piece` : "",
          " · ", h("a", { href: `/designs/${enc(found.id)}` }, "the design")),
      );
    }
    designInput.addEventListener("change", showDesign);

    const whole = (input) => /^\d+$/.test(input.value.trim()) && Number(input.value) >= 1;
    form.append(
      labelled("Title", title, { hint: "What shoppers read, such as “The sage low-top, limited”." }),
      labelled("Description (optional)", description),
      labelled("Design", designInput, { hint: "A saved design's id: from its address (/designs/…), or “Start a limited edition” beside a gallery entry on the community page." }),
      shown,
      h("div", { class: "campaign-numbers" },
        labelled("Pieces needed", threshold, { hint: "The threshold: made only if this many are pre-ordered.", path: "threshold" }),
        labelled("Most pieces", most, { hint: "Pre-orders stop there.", path: "max_quantity" })),
      labelled("Pre-orders close", closes, { hint: deadlineHint }),
      problem,
      h("button", { type: "submit", class: "atelier-button" }, "Start the edition"),
    );

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearMessages(form);
      problem.textContent = "";
      const first = checkRequired(form, [
        [title, title.value.trim() ? null : "Give the edition a title."],
        [designInput, designInput.value.trim() ? null : "Enter the id of a saved design."],
        [threshold, whole(threshold) ? null : "Enter how many pieces must be pre-ordered for it to be made."],
        [most, !whole(most) ? "Enter the most pieces you will make." : whole(threshold) && Number(most.value) < Number(threshold.value) ? "At least the threshold." : null],
        [closes, deadlineProblem(closes)],
      ]);
      if (first) {
        first.focus();
        return;
      }
      const body = {
        kind: "edition",
        title: title.value.trim(),
        description: description.value.trim(),
        design: designInput.value.trim(),
        threshold: Number(threshold.value),
        max_quantity: Number(most.value),
        closes_at: deadline(closes),
      };
      try {
        started(await api.post("/api/v1/admin/campaigns", body));
        form.reset();
        closes.value = localInput(new Date(Date.now() + DAYS_OPEN * 24 * 3600 * 1000));
        shown.replaceChildren();
      } catch (error) {
        if (refused(error)) return;
        const wrong = showApiErrors(form, error);
        problem.textContent = error.message;
        (wrong ?? problem).focus();
      }
    });
    if (design) showDesign();
    return form;
  }

  // --- the token --------------------------------------------------------------------------------------

  async function begin(token) {
    api = new AdminApi(token);
    tokenForm.hidden = true;
    work.hidden = false;
    status.textContent = "";
    // The campaigns as the previous token saw them go at once: nothing of theirs can be clicked
    // while this token's list is on its way.
    list.replaceChildren();
    listStatus.textContent = "Loading…";
    try {
      const response = await fetch("/api/v1/products", { headers: { Accept: "application/json" } });
      if (response.ok) products = (await response.json()).products.map((p) => ({ key: p.key, label: p.label }));
    } catch {
      // campaigns then name their product by its key, and the vote form offers none
    }
    const design = new URLSearchParams(window.location.search).get("design");
    voteSection.querySelector("form")?.remove();
    editionSection.querySelector("form")?.remove();
    voteSection.append(voteForm());
    editionSection.append(editionForm(design));
    await showCampaigns();
    if (design) {
      editionSection.scrollIntoView();
      editionSection.querySelector("#edition-title").focus();
    }
  }

  tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = String(new FormData(tokenForm).get("token") || "").trim();
    if (!token) return;
    adminToken.set(token);
    tokenForm.reset();
    await begin(token);
  });
  filter.addEventListener("change", showCampaigns);
  root.querySelector("[data-forget]").addEventListener("click", () => askToken("The token is forgotten."));

  const saved = adminToken.get();
  if (saved) begin(saved);
  else askToken();
}

start();
