// The community pages: the gallery of shoppers' designs (vote, start from one, report), an entry's own
// page, publishing from a design's page, the credit a remix carries, and the idea board. Everything a
// shopper does here is kept against their pseudonymous id, so it needs their consent: when the shop
// answers that it is missing, the page says so in the shop's words and opens the privacy choice, and
// the action goes through once they allow it.

import { ApiError, recordingShopper } from "./api.js";
import { shopPrivacy } from "./consent.js";
import { h, money, plural, uid } from "./dom.js";
import {
  clearFieldErrors,
  client,
  field,
  main,
  pageTitle,
  previewBox,
  problemText,
  say,
  showError,
  showFieldError,
  showFieldErrors,
} from "./page.js";

const GALLERY_PAGE_SIZE = 12;
const IDEAS_PAGE_SIZE = 20;
// The gallery's orders; "Vote" is a shuffle, so that no design gains votes from its place.
const GALLERY_SORTS = [
  ["top", "Top"],
  ["new", "New"],
  ["trending", "Trending"],
  ["shuffled", "Vote"],
];
const SHUFFLE_SEEDS = 65521; // the API's seeds are 0 to 65520
const REPORT_REASONS = [
  ["offensive", "Offensive or hurtful"],
  ["copyright", "Copies someone else's work"],
  ["spam", "Spam or advertising"],
  ["other", "Something else"],
];
const IDEA_SORTS = [
  ["top", "Most votes"],
  ["new", "Newest"],
];
const IDEA_STATUSES = [
  ["", "All ideas"],
  ["open", "Open"],
  ["under_review", "Under review"],
  ["planned", "Planned"],
  ["made", "Made"],
  ["declined", "Declined"],
];
const NAMES = new Intl.ListFormat("en", { style: "long", type: "conjunction" });
const enc = encodeURIComponent;

// --- asking for consent when the shop needs it ------------------------------------------------------

let waiting = null; // the action the shopper tried, run again once they allow the shop to keep it
document.addEventListener("atelier:privacy-chosen", (event) => {
  const again = waiting;
  waiting = null;
  if (again && event.detail?.purposes?.preferences === true) again();
});

/** Say in `target` why an action failed; a missing consent comes with the way to give it. */
export function tell(target, error, again = null) {
  const text = problemText(error);
  target.replaceChildren(text);
  waiting = null;
  if (error instanceof ApiError && error.problem?.code === "consent-required" && shopPrivacy) {
    waiting = again;
    target.append(" ", h("button", { type: "button", class: "link-button", onclick: () => shopPrivacy.open() }, "Open your privacy choices"));
  }
  say(text);
}

export const alertLine = () => h("p", { class: "atelier-alert community-problem", role: "alert" });

// --- credit ---------------------------------------------------------------------------------------

const creditLink = (credit) => h("a", { href: `/gallery/${enc(credit.entry)}` }, credit.display_name);

/** "Ana, Ben and Cleo", each name a link to their entry in the gallery. */
function creditNames(credits) {
  let index = 0;
  return NAMES.formatToParts(credits.map((c) => c.display_name)).map((part) =>
    part.type === "element" ? creditLink(credits[index++]) : part.value,
  );
}

/**
 * Who a design owes, first creator first: "Design by Ana, remixed by Ben" when `design` is itself in
 * the gallery, "After a design by Ana" for a copy that is not; null without credits.
 */
export function creditLine(credits, { design = null } = {}) {
  if (!credits?.length) return null;
  const [creator, ...remixers] = credits;
  const own = design !== null && credits.some((credit) => credit.design === design);
  return h(
    "p",
    { class: "credits" },
    own ? "Design by " : "After a design by ",
    creditLink(creator),
    remixers.length ? [", remixed by ", ...creditNames(remixers)] : null,
  );
}

// --- controls shared by the gallery and the ideas ---------------------------------------------------

/** A vote toggle and its count for an entry or an idea (`item.links.vote`: PUT votes, DELETE withdraws). */
function voteControl(item, title, problem) {
  const count = h("span", { class: "vote-count" }, plural(item.votes, "vote", "votes"));
  const button = h(
    "button",
    { type: "button", class: "vote-button", "aria-pressed": String(item.voted) },
    h("span", { class: "vote-mark", "aria-hidden": "true" }),
    "Vote",
    h("span", { class: "visually-hidden" }, ` for ${title}`),
  );
  let busy = false;
  async function toggle() {
    if (busy) return;
    busy = true;
    const voted = button.getAttribute("aria-pressed") === "true";
    problem.replaceChildren();
    try {
      const answer = await client.send(voted ? "DELETE" : "PUT", item.links.vote);
      button.setAttribute("aria-pressed", String(answer.voted));
      count.textContent = plural(answer.votes, "vote", "votes");
      say(answer.voted ? `You voted for ${title}: ${count.textContent}.` : `Your vote for ${title} is withdrawn.`);
    } catch (error) {
      tell(problem, error, toggle);
    } finally {
      busy = false;
    }
  }
  button.addEventListener("click", toggle);
  return { button, count };
}

/**
 * Tabs choosing one of `choices` ([key, label]) for `panel`: arrows, Home and End move between them
 * (one tab stop), and choosing calls `onChoose(key)`.
 */
function tabs(label, choices, selected, panel, onChoose) {
  const list = h("div", { role: "tablist", "aria-label": label, class: "tabs" });
  const buttons = new Map(
    choices.map(([key, text]) => [key, h("button", { type: "button", role: "tab", id: uid("tab"), "aria-controls": panel.id, class: "tab" }, text)]),
  );
  function mark(key) {
    for (const [other, button] of buttons) {
      button.setAttribute("aria-selected", String(other === key));
      button.tabIndex = other === key ? 0 : -1;
    }
    panel.setAttribute("aria-labelledby", buttons.get(key).id);
  }
  function choose(key, { focus = false } = {}) {
    mark(key);
    if (focus) buttons.get(key).focus();
    onChoose(key);
  }
  const keys = choices.map(([key]) => key);
  list.addEventListener("keydown", (event) => {
    const at = keys.findIndex((key) => buttons.get(key) === document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: keys.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    choose(keys[(next + keys.length) % keys.length], { focus: true });
  });
  for (const [key, button] of buttons) {
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-selected") !== "true") choose(key);
    });
  }
  list.append(...buttons.values());
  mark(selected);
  return list;
}

/** A select with its label, for the filters above a list. */
function filterSelect(id, label, options, selected) {
  const select = h("select", { id, class: "atelier-input" }, ...options.map(([value, text]) => h("option", { value, selected: value === selected }, text)));
  return { select, element: h("div", { class: "filter" }, h("label", { for: id, class: "atelier-label" }, label), select) };
}

/** Keep a list's filters in the address, so a reload or a shared link shows the same list. */
function keepInAddress(values, defaults) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value && value !== defaults[name]) params.set(name, value);
  const query = params.toString();
  window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
}

/** Every product's label by key (empty when the shop cannot be asked). */
export async function productLabels() {
  try {
    return new Map((await client.products()).products.map((product) => [product.key, product.label]));
  } catch {
    return new Map(); // filters then offer "all products" only, and cards read well without labels
  }
}

// --- the gallery ------------------------------------------------------------------------------------

/** The form that reports an entry to the shop, folded under "Report"; `done()` once it is received. */
function reportControl(entry, done) {
  const id = uid("report");
  const reason = h("select", { id: `${id}-reason`, name: "reason", class: "atelier-input" }, ...REPORT_REASONS.map(([value, text]) => h("option", { value }, text)));
  const note = h("textarea", { id: `${id}-note`, name: "note", rows: 2, class: "atelier-input" });
  const problem = alertLine();
  const form = h(
    "form",
    { class: "report-form", novalidate: true },
    field("What is wrong with it?", reason),
    field("Anything to add (optional)", note, "The shop reads it; nobody else does."),
    problem,
    h("button", { type: "submit", class: "atelier-button atelier-secondary" }, "Send the report"),
  );
  async function send() {
    clearFieldErrors(form);
    problem.replaceChildren();
    const body = { reason: reason.value };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      await client.send("POST", entry.links.report, body);
      done();
      say(`Thank you: the shop will look at ${entry.title}.`);
    } catch (error) {
      const first = showFieldErrors(form, error);
      if (first) first.focus();
      else tell(problem, error, send);
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  return h("details", { class: "report" }, h("summary", {}, "Report", h("span", { class: "visually-hidden" }, ` ${entry.title}`)), form);
}

const reported = (entry) =>
  h("p", { class: "card-note", role: "status" }, `Thank you. The shop will look at “${entry.title}”; it stays out of the gallery until then.`);

function startLink(entry, { primary = false } = {}) {
  if (!entry.makeable) return null; // the current options no longer allow it: nothing to start from
  return h(
    "a",
    { class: `atelier-button${primary ? "" : " atelier-secondary"}`, href: `/products/${enc(entry.product)}?remix=${enc(entry.design)}` },
    "Start from this design",
    h("span", { class: "visually-hidden" }, ` (${entry.title})`),
  );
}

function entryCard(entry) {
  const problem = alertLine();
  const vote = voteControl(entry, entry.title, problem);
  const earlier = entry.credits.filter((credit) => credit.entry !== entry.id);
  const picture = h("div", { class: "gallery-picture" });
  if (entry.preview?.url) {
    picture.append(h("img", { src: entry.preview.url, width: entry.preview.width, height: entry.preview.height, alt: "", decoding: "async" }));
  } else {
    picture.append(h("span", { class: "gallery-picture-name" }, entry.product_label));
  }
  const card = h("li", { class: "gallery-card", dataset: { entry: entry.id } });
  card.append(
    h("a", { href: entry.links.page, tabindex: "-1", "aria-hidden": "true" }, picture),
    h("h2", {}, h("a", { href: entry.links.page }, entry.title)),
    h("p", { class: "gallery-by" }, `by ${entry.display_name}`, earlier.length ? [", after ", ...creditNames(earlier)] : null),
    h("p", { class: "gallery-product" }, entry.product_label),
    h("div", { class: "gallery-actions" }, h("span", { class: "vote" }, vote.button, vote.count), startLink(entry)),
    problem,
    entry.mine ? "" : reportControl(entry, () => card.replaceChildren(h("h2", {}, entry.title), reported(entry))),
  );
  return card;
}

export async function galleryPage() {
  const view = document.querySelector("[data-gallery-view]");
  const params = new URLSearchParams(window.location.search);
  let sort = GALLERY_SORTS.some(([key]) => key === params.get("sort")) ? params.get("sort") : "top";
  let product = params.get("product") ?? "";
  let seed = null; // the shuffle's, kept while "Show more" pages through it
  let page = 1;
  let asked = 0; // answers to an older question (the filters changed since) are dropped

  const labels = await productLabels();
  const note = h("p", { class: "listing-note" });
  const list = h("ul", { class: "gallery-grid", "aria-label": "Designs" });
  const more = h("button", { type: "button", class: "atelier-button atelier-secondary listing-more", hidden: true }, "Show more designs");
  const status = h("p", { class: "listing-status", role: "status" });
  const panel = h("div", { role: "tabpanel", id: "gallery-panel", class: "listing-panel" }, note, list, more, status);
  const products = filterSelect("gallery-product", "Product", [["", "All products"], ...labels], product);

  async function load({ next = false } = {}) {
    page = next ? page + 1 : 1;
    if (!next && sort === "shuffled") seed = Math.floor(Math.random() * SHUFFLE_SEEDS);
    keepInAddress({ sort, product }, { sort: "top", product: "" });
    const query = { sort, page, page_size: GALLERY_PAGE_SIZE };
    if (product) query.product = product;
    if (sort === "shuffled") query.seed = seed;
    const question = ++asked;
    panel.setAttribute("aria-busy", "true");
    note.textContent = sort === "shuffled" ? "In a random order, so that every design has the same chance: vote for the ones you like." : "";
    let found;
    try {
      found = await client.gallery(query);
    } catch (error) {
      if (question !== asked) return;
      panel.removeAttribute("aria-busy");
      status.textContent = problemText(error);
      return;
    }
    if (question !== asked) return;
    const cards = found.items.map(entryCard);
    if (next) list.append(...cards);
    else list.replaceChildren(...cards);
    more.hidden = found.page >= found.pages;
    status.textContent = found.total
      ? `${plural(found.total, "design", "designs")}${product ? ` of ${labels.get(product) ?? product}` : ""}.`
      : "No design here yet. Save a design you like, then publish it from its page.";
    panel.removeAttribute("aria-busy");
    if (next) cards[0]?.querySelector("h2 a")?.focus();
  }

  products.select.addEventListener("change", () => {
    product = products.select.value;
    load();
  });
  more.addEventListener("click", () => load({ next: true }));
  const sorts = tabs("Order of the designs", GALLERY_SORTS, sort, panel, (key) => {
    sort = key;
    load();
  });
  view.replaceChildren(h("div", { class: "listing-controls" }, sorts, products.element), panel);
  view.removeAttribute("aria-busy");
  await load();
}

export async function entryPage() {
  const view = document.querySelector("[data-entry-view]");
  let entry;
  try {
    entry = await client.galleryEntry(main.dataset.entry);
  } catch (error) {
    showError(view, error, "This design is not in the gallery.");
    return;
  }
  const design = await client.design(entry.design).catch(() => null);
  document.title = pageTitle(`${entry.title} by ${entry.display_name}`);
  const problem = alertLine();
  const published = entry.status === "published";
  const vote = published ? voteControl(entry, entry.title, problem) : null;
  const report = entry.mine || !published ? null : reportControl(entry, () => report.replaceWith(reported(entry)));
  view.replaceChildren(
    h(
      "article",
      { class: "design-view entry-view" },
      h("div", { class: "design-visual" }, previewBox(entry.product_label, entry.preview, { alt: `${entry.title}, ${entry.product_label}` })),
      h(
        "div",
        { class: "design-panel" },
        h("p", { class: "eyebrow" }, h("a", { href: "/gallery" }, "Gallery")),
        h("h1", {}, entry.title),
        h("p", { class: "gallery-by" }, `by ${entry.display_name}`),
        entry.credits.length > 1 ? creditLine(entry.credits, { design: entry.design }) : null,
        h("p", { class: "gallery-product" }, entry.product_label,
          design?.price ? [" · ", h("strong", {}, money(design.price.total, design.price.currency))] : null),
        published ? null : h("p", { class: "card-note" }, "Only you see this design here: it is not in the gallery."),
        vote ? h("div", { class: "gallery-actions" }, h("span", { class: "vote" }, vote.button, vote.count)) : null,
        h("div", { class: "atelier-actions" }, startLink(entry, { primary: true }),
          h("a", { class: "atelier-button atelier-secondary", href: entry.links.design }, "See its options and price")),
        problem,
        report,
      ),
    ),
  );
  view.removeAttribute("aria-busy");
  if (published) offerEdition(entry, view.querySelector(".gallery-actions") ?? view.querySelector(".design-panel h1"));
}

/** "This design is a limited edition: pre-order it", under `after`, while an edition of it runs. */
async function offerEdition(entry, after) {
  let found;
  try {
    found = await client.campaigns({ status: "open", product: entry.product });
  } catch {
    return; // the page reads well without it
  }
  const edition = found.items.find((campaign) => campaign.kind === "edition" && campaign.running && campaign.edition?.design === entry.design);
  if (!edition || !after?.isConnected) return;
  after.after(h("p", { class: "card-note edition-offer" }, "This design is a limited edition: ", h("a", { href: edition.links.page }, "pre-order it")));
}

// --- publishing from a design's page ----------------------------------------------------------------

/** Where the shopper's entry stands, in their words. */
function standing(entry, { fresh = false } = {}) {
  const title = `“${entry.title}”`;
  const because = entry.reason ? `: ${entry.reason}` : ".";
  const words = {
    pending: `${fresh ? "Thank you! " : ""}${title} waits for the shop's approval, then it appears in the gallery.`,
    published: `${title} is in the gallery. `,
    held: `${title} was reported: it is out of the gallery until the shop has looked at it.`,
    rejected: `The shop did not accept ${title}${because}`,
    unpublished: `The shop took ${title} out of the gallery${because}`,
  };
  return h(
    "p",
    { class: "card-note", role: "status" },
    words[entry.status] ?? title,
    entry.status === "published" ? h("a", { href: entry.links.page }, "See it in the gallery") : null,
  );
}

function publishForm(design, done) {
  const title = h("input", { id: "entry-title", name: "title", class: "atelier-input", required: true, autocomplete: "off" });
  const name = h("input", { id: "entry-name", name: "display_name", class: "atelier-input", required: true, autocomplete: "nickname" });
  const problem = alertLine();
  const form = h(
    "form",
    { class: "publish-form", novalidate: true },
    h("p", {}, "Show this design to other shoppers: they can vote for it and start from it. The shop looks at it before it appears."),
    field("Title", title),
    field("Your name, as shown", name, "A first name or a nickname, shown with the design."),
    problem,
    h("button", { type: "submit", class: "atelier-button" }, "Publish"),
  );
  async function send() {
    clearFieldErrors(form);
    problem.replaceChildren();
    const missing = [
      [title, "Give your design a title."],
      [name, "Enter the name to show with it."],
    ].filter(([control]) => !control.value.trim());
    for (const [control, message] of missing) showFieldError(form, control, message);
    if (missing.length) {
      missing[0][0].focus();
      return;
    }
    try {
      const entry = await client.publish(design.id, title.value.trim(), name.value.trim());
      done(entry);
      say("Thank you! Your design waits for the shop's approval.");
    } catch (error) {
      const first = showFieldErrors(form, error);
      if (first) first.focus();
      else tell(problem, error, send);
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  return form;
}

/**
 * "Publish to the gallery", for a design saved in this browser: the form, or where its entry stands
 * when it has one (the shop tells a consenting shopper about their own entries).
 */
export function publishSection(design) {
  const body = h("div", { class: "publish-body" });
  const section = h("section", { class: "publish", "aria-labelledby": "publish-heading" },
    h("h2", { id: "publish-heading" }, "Publish to the gallery"), body);
  const showForm = () => body.replaceChildren(publishForm(design, (entry) => body.replaceChildren(standing(entry, { fresh: true }))));
  showForm();
  if (recordingShopper(client)) {
    client.myEntries().then(
      ({ items }) => {
        const entry = items.find((item) => item.design === design.id);
        if (entry) body.replaceChildren(standing(entry));
      },
      () => {}, // the form stays: publishing says what is wrong if anything is
    );
  }
  return section;
}

// --- ideas ------------------------------------------------------------------------------------------

/** Follow an idea with an e-mail address (folded away on the board, open on its page), or stop. */
function followControl(idea, problem, { open = false } = {}) {
  const box = h("div", { class: "idea-follow" });
  const id = uid("follow");

  async function stop() {
    problem.replaceChildren();
    try {
      await client.send("DELETE", idea.links.follow);
      show(false);
      say(`You no longer follow ${idea.title}.`);
    } catch (error) {
      tell(problem, error, stop);
    }
  }

  function form() {
    const email = h("input", { id: `${id}-email`, name: "email", type: "email", class: "atelier-input", autocomplete: "email", required: true });
    const follow = h(
      "form",
      { class: "follow-form", novalidate: true },
      field("Your e-mail address", email, "Only to tell you when its status changes; never shown."),
      h("button", { type: "submit", class: "atelier-button atelier-secondary" }, "Follow", h("span", { class: "visually-hidden" }, ` ${idea.title}`)),
    );
    async function send() {
      clearFieldErrors(follow);
      problem.replaceChildren();
      const address = email.value.trim();
      const mistake = !address ? "Enter your e-mail address." : email.validity.typeMismatch ? "Enter an e-mail address such as name@example.org." : null;
      if (mistake) {
        showFieldError(follow, email, mistake);
        email.focus();
        return;
      }
      try {
        await client.send("PUT", idea.links.follow, { email: address });
        show(true);
        say(`You follow ${idea.title}.`);
      } catch (error) {
        const first = showFieldErrors(follow, error);
        if (first) first.focus();
        else tell(problem, error, send);
      }
    }
    follow.addEventListener("submit", (event) => {
      event.preventDefault();
      send();
    });
    return h("details", { class: "follow", open }, h("summary", {}, "Follow by e-mail"), follow);
  }

  function show(following) {
    box.replaceChildren(
      following
        ? h("p", { class: "following", role: "status" }, "You follow this idea: the shop e-mails you when its status changes. ",
          h("button", { type: "button", class: "link-button", onclick: stop }, "Stop following"))
        : form(),
    );
  }
  show(idea.following);
  return box;
}

function ideaMeta(idea, labels) {
  const product = idea.product ? labels.get(idea.product) ?? idea.product : null;
  return h(
    "p",
    { class: "idea-meta" },
    h("span", { class: `idea-status idea-status-${idea.status}` }, idea.status_label),
    idea.display_name ? ` · by ${idea.display_name}` : null,
    product ? ` · ${product}` : null,
  );
}

const ideaNote = (idea) => (idea.status_note ? h("p", { class: "idea-note" }, h("strong", {}, "From the shop: "), idea.status_note) : null);

function ideaCard(idea, labels) {
  const problem = alertLine();
  const vote = voteControl(idea, idea.title, problem);
  return h(
    "li",
    { class: "idea-card", dataset: { idea: idea.id } },
    h("div", { class: "vote idea-vote" }, vote.button, vote.count),
    h(
      "div",
      { class: "idea-main" },
      h("h2", {}, h("a", { href: idea.links.page }, idea.title)),
      ideaMeta(idea, labels),
      ideaNote(idea),
      h("p", { class: "idea-body" }, idea.body),
      followControl(idea, problem),
      problem,
    ),
  );
}

function suggestForm(labels, made) {
  const input = (id, name, attributes = {}) => h("input", { id, name, class: "atelier-input", autocomplete: "off", ...attributes });
  const title = input("idea-title", "title", { required: true });
  const body = h("textarea", { id: "idea-body", name: "body", rows: 4, class: "atelier-input", required: true });
  const product = h("select", { id: "idea-product", name: "product", class: "atelier-input" },
    h("option", { value: "" }, "No product in particular"), ...[...labels].map(([key, label]) => h("option", { value: key }, label)));
  const name = input("idea-name", "display_name", { autocomplete: "nickname" });
  const problem = alertLine();
  const thanks = h("p", { class: "card-note", role: "status" });
  const form = h(
    "form",
    { class: "suggest-form", novalidate: true },
    field("Your idea", title, "In a few words: a product, an option, a colour…"),
    field("Tell us more", body),
    field("Product (optional)", product),
    field("Your name (optional)", name, "Shown with your idea."),
    problem,
    h("button", { type: "submit", class: "atelier-button" }, "Post my idea"),
    thanks,
  );
  async function send() {
    clearFieldErrors(form);
    problem.replaceChildren();
    thanks.textContent = "";
    const missing = [
      [title, "Say what your idea is."],
      [body, "Tell us a little more about it."],
    ].filter(([control]) => !control.value.trim());
    for (const [control, message] of missing) showFieldError(form, control, message);
    if (missing.length) {
      missing[0][0].focus();
      return;
    }
    const idea = { title: title.value.trim(), body: body.value.trim() };
    if (product.value) idea.product = product.value;
    if (name.value.trim()) idea.display_name = name.value.trim();
    try {
      const answer = await client.suggestIdea(idea);
      form.reset();
      thanks.textContent = "Thank you! Your idea is on the board, with your vote.";
      made(answer);
    } catch (error) {
      const first = showFieldErrors(form, error);
      if (first) first.focus();
      else tell(problem, error, send);
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  return form;
}

export async function ideasPage() {
  const view = document.querySelector("[data-ideas-view]");
  const params = new URLSearchParams(window.location.search);
  let sort = IDEA_SORTS.some(([key]) => key === params.get("sort")) ? params.get("sort") : "top";
  let status = IDEA_STATUSES.some(([key]) => key === params.get("status")) ? params.get("status") : "";
  let page = 1;
  let asked = 0;
  let total = 0;

  const labels = await productLabels();
  const list = h("ul", { class: "idea-list", "aria-label": "Ideas" });
  const more = h("button", { type: "button", class: "atelier-button atelier-secondary listing-more", hidden: true }, "Show more ideas");
  const note = h("p", { class: "listing-status", role: "status" });
  const panel = h("div", { role: "tabpanel", id: "ideas-panel", class: "listing-panel" }, list, more, note);
  const statuses = filterSelect("ideas-status", "Status", IDEA_STATUSES, status);

  async function load({ next = false } = {}) {
    page = next ? page + 1 : 1;
    keepInAddress({ sort, status }, { sort: "top", status: "" });
    const query = { sort, page, page_size: IDEAS_PAGE_SIZE };
    if (status) query.status = status;
    const question = ++asked;
    panel.setAttribute("aria-busy", "true");
    let found;
    try {
      found = await client.ideas(query);
    } catch (error) {
      if (question !== asked) return;
      panel.removeAttribute("aria-busy");
      note.textContent = problemText(error);
      return;
    }
    if (question !== asked) return;
    const cards = found.items.map((idea) => ideaCard(idea, labels));
    if (next) list.append(...cards);
    else list.replaceChildren(...cards);
    more.hidden = found.page >= found.pages;
    total = found.total;
    count();
    panel.removeAttribute("aria-busy");
    if (next) cards[0]?.querySelector("h2 a")?.focus();
  }

  function count() {
    note.textContent = total ? `${plural(total, "idea", "ideas")}.` : "No idea here yet: be the first to suggest one.";
  }

  statuses.select.addEventListener("change", () => {
    status = statuses.select.value;
    load();
  });
  more.addEventListener("click", () => load({ next: true }));
  const sorts = tabs("Order of the ideas", IDEA_SORTS, sort, panel, (key) => {
    sort = key;
    load();
  });
  const suggest = h(
    "section",
    { class: "idea-suggest", id: "suggest", "aria-labelledby": "suggest-heading" },
    h("h2", { id: "suggest-heading" }, "Suggest an idea"),
    suggestForm(labels, (idea) => {
      if (!status || status === idea.status) {
        list.prepend(ideaCard(idea, labels));
        total += 1;
        count();
      }
      say(`Your idea ${idea.title} is on the board.`);
    }),
  );
  view.replaceChildren(
    h("div", { class: "ideas-layout" },
      h("section", { class: "idea-board", "aria-label": "The board" }, h("div", { class: "listing-controls" }, sorts, statuses.element), panel),
      suggest),
  );
  view.removeAttribute("aria-busy");
  await load();
}

export async function ideaPage() {
  const view = document.querySelector("[data-idea-view]");
  let idea;
  try {
    idea = await client.idea(main.dataset.idea);
  } catch (error) {
    showError(view, error, "This idea could not be found.");
    return;
  }
  const labels = await productLabels();
  document.title = pageTitle(idea.title);
  const problem = alertLine();
  const vote = voteControl(idea, idea.title, problem);
  view.replaceChildren(
    h(
      "article",
      { class: "idea-page" },
      h("p", { class: "eyebrow" }, h("a", { href: "/ideas" }, "Ideas")),
      h("h1", {}, idea.title),
      ideaMeta(idea, labels),
      ideaNote(idea),
      h("p", { class: "idea-body" }, idea.body),
      h("div", { class: "vote" }, vote.button, vote.count),
      followControl(idea, problem, { open: true }),
      problem,
    ),
  );
  view.removeAttribute("aria-busy");
}
