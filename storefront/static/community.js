// The community pages: the gallery of shoppers' designs (vote, start from one, report), an entry's own
// page, publishing from a design's page, the credit a remix carries, and the idea board. Everything a
// shopper does here is kept against their pseudonymous id, so it needs their consent: when the shop
// answers that it is missing, the page says so in the shop's words and opens the privacy choice, and
// the action goes through once they allow it.

import { ApiError, recordingShopper } from "./api.js";
import { shopPrivacy } from "./consent.js";
import { h, money, nodes, uid } from "./dom.js";
import { language, t, tn } from "./i18n.js";
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
  // Translators: tabs ordering the gallery's designs: most votes first, newest first, gaining votes now.
  ["top", t("Top")],
  ["new", t("New")],
  ["trending", t("Trending")],
  // Translators: a tab (and a button) to vote; the tab shows the designs in a random order to vote on.
  ["shuffled", t("Vote")],
];
const SHUFFLE_SEEDS = 65521; // the API's seeds are 0 to 65520
const REPORT_REASONS = [
  // Translators: why a shopper reports a design in the gallery, answering "What is wrong with it?".
  ["offensive", t("Offensive or hurtful")],
  ["copyright", t("Copies someone else's work")],
  ["spam", t("Spam or advertising")],
  ["other", t("Something else")],
];
const IDEA_SORTS = [
  // Translators: tabs ordering the ideas on the idea board.
  ["top", t("Most votes")],
  ["new", t("Newest")],
];
const IDEA_STATUSES = [
  ["", t("All ideas")],
  // Translators: the statuses of ideas, a filter of the idea board ("Status: Open" lists the open ideas).
  ["open", t("Open")],
  ["under_review", t("Under review")],
  ["planned", t("Planned")],
  // Translators: an idea's status: the shop has made it.
  ["made", t("Made")],
  ["declined", t("Declined")],
];
const NAMES = new Intl.ListFormat(language, { style: "long", type: "conjunction" });
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
    target.append(" ", h("button", { type: "button", class: "link-button", onclick: () => shopPrivacy.open() }, t("Open your privacy choices")));
  }
  say(text);
}

export const alertLine = () => h("p", { class: "atelier-alert community-problem", role: "alert" });

// --- credit ---------------------------------------------------------------------------------------

// Translators: a design's picture, read out as its title, then the product it is made on.
export const pictureOf = (title, product) => t("{title}, {product}", { title, product });

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
  const message = remixers.length
    // Translators: who a design owes; {creator} and {remixers} are names, each a link to their design in
    // the gallery ({remixers} is a list such as "Ben and Cleo"). "After a design" credits a copy of it.
    ? own ? t("Design by {creator}, remixed by {remixers}") : t("After a design by {creator}, remixed by {remixers}")
    // Translators: who a design owes; {creator} is a name, a link to their design in the gallery.
    : own ? t("Design by {creator}") : t("After a design by {creator}");
  // `h` spreads the list of remixers' names (texts and links) in its place.
  return h("p", { class: "credits" }, ...nodes(message, { creator: creditLink(creator), remixers: creditNames(remixers) }));
}

// --- controls shared by the gallery and the ideas ---------------------------------------------------

/** A vote toggle and its count for an entry or an idea (`item.links.vote`: PUT votes, DELETE withdraws). */
function voteControl(item, title, problem) {
  const votes = (n) => tn("{n} vote", "{n} votes", n);
  const count = h("span", { class: "vote-count" }, votes(item.votes));
  const button = h(
    "button",
    { type: "button", class: "vote-button", "aria-pressed": String(item.voted), "aria-label": t("Vote for {title}", { title }) },
    h("span", { class: "vote-mark", "aria-hidden": "true" }),
    t("Vote"),
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
      count.textContent = votes(answer.votes);
      say(answer.voted
        ? tn("You voted for {title}: {n} vote.", "You voted for {title}: {n} votes.", answer.votes, { title })
        : t("Your vote for {title} is withdrawn.", { title }));
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
    field(t("What is wrong with it?"), reason),
    field(t("Anything to add (optional)"), note, t("The shop reads it; nobody else does.")),
    problem,
    h("button", { type: "submit", class: "atelier-button atelier-secondary" }, t("Send the report")),
  );
  async function send() {
    clearFieldErrors(form);
    problem.replaceChildren();
    const body = { reason: reason.value };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      await client.send("POST", entry.links.report, body);
      done();
      say(t("Thank you: the shop will look at {title}.", { title: entry.title }));
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
  return h(
    "details",
    { class: "report" },
    // Translators: opens the form that reports a design to the shop; read out as "Report {title}".
    h("summary", { "aria-label": t("Report {title}", { title: entry.title }) }, t("Report")),
    form,
  );
}

const reported = (entry) =>
  h("p", { class: "card-note", role: "status" },
    t("Thank you. The shop will look at “{title}”; it stays out of the gallery until then.", { title: entry.title }));

function startLink(entry, { primary = false } = {}) {
  if (!entry.makeable) return null; // the current options no longer allow it: nothing to start from
  return h(
    "a",
    {
      class: `atelier-button${primary ? "" : " atelier-secondary"}`,
      href: `/products/${enc(entry.product)}?remix=${enc(entry.design)}`,
      "aria-label": t("Start from this design ({title})", { title: entry.title }),
    },
    t("Start from this design"),
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
    h("p", { class: "gallery-by" }, ...(earlier.length
      // Translators: under a design in the gallery: who published it, and whose designs it started from
      // ({creators}: names, each a link).
      ? nodes(t("by {name}, after {creators}", { name: entry.display_name }), { creators: creditNames(earlier) })
      : [t("by {name}", { name: entry.display_name })])),
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
  const list = h("ul", { class: "gallery-grid", "aria-label": t("Designs") });
  const more = h("button", { type: "button", class: "atelier-button atelier-secondary listing-more", hidden: true }, t("Show more designs"));
  const status = h("p", { class: "listing-status", role: "status" });
  const panel = h("div", { role: "tabpanel", id: "gallery-panel", class: "listing-panel" }, note, list, more, status);
  const products = filterSelect("gallery-product", t("Product"), [["", t("All products")], ...labels], product);

  async function load({ next = false } = {}) {
    page = next ? page + 1 : 1;
    if (!next && sort === "shuffled") seed = Math.floor(Math.random() * SHUFFLE_SEEDS);
    keepInAddress({ sort, product }, { sort: "top", product: "" });
    const query = { sort, page, page_size: GALLERY_PAGE_SIZE };
    if (product) query.product = product;
    if (sort === "shuffled") query.seed = seed;
    const question = ++asked;
    panel.setAttribute("aria-busy", "true");
    note.textContent = sort === "shuffled" ? t("In a random order, so that every design has the same chance: vote for the ones you like.") : "";
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
    if (!found.total) status.textContent = t("No design here yet. Save a design you like, then publish it from its page.");
    else if (product) status.textContent = tn("{n} design of {product}.", "{n} designs of {product}.", found.total, { product: labels.get(product) ?? product });
    else status.textContent = tn("{n} design.", "{n} designs.", found.total);
    panel.removeAttribute("aria-busy");
    if (next) cards[0]?.querySelector("h2 a")?.focus();
  }

  products.select.addEventListener("change", () => {
    product = products.select.value;
    load();
  });
  more.addEventListener("click", () => load({ next: true }));
  const sorts = tabs(t("Order of the designs"), GALLERY_SORTS, sort, panel, (key) => {
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
    showError(view, error, t("This design is not in the gallery."));
    return;
  }
  const design = await client.design(entry.design).catch(() => null);
  // Translators: the page's title: a design's title and who published it.
  document.title = pageTitle(t("{title} by {name}", { title: entry.title, name: entry.display_name }));
  const problem = alertLine();
  const published = entry.status === "published";
  const vote = published ? voteControl(entry, entry.title, problem) : null;
  const report = entry.mine || !published ? null : reportControl(entry, () => report.replaceWith(reported(entry)));
  view.replaceChildren(
    h(
      "article",
      { class: "design-view entry-view" },
      h("div", { class: "design-visual" }, previewBox(entry.product_label, entry.preview, { alt: pictureOf(entry.title, entry.product_label) })),
      h(
        "div",
        { class: "design-panel" },
        h("p", { class: "eyebrow" }, h("a", { href: "/gallery" }, t("Gallery"))),
        h("h1", {}, entry.title),
        h("p", { class: "gallery-by" }, t("by {name}", { name: entry.display_name })),
        entry.credits.length > 1 ? creditLine(entry.credits, { design: entry.design }) : null,
        h("p", { class: "gallery-product" }, entry.product_label,
          design?.price ? [" · ", h("strong", {}, money(design.price.total, design.price.currency))] : null),
        published ? null : h("p", { class: "card-note" }, t("Only you see this design here: it is not in the gallery.")),
        vote ? h("div", { class: "gallery-actions" }, h("span", { class: "vote" }, vote.button, vote.count)) : null,
        h("div", { class: "atelier-actions" }, startLink(entry, { primary: true }),
          h("a", { class: "atelier-button atelier-secondary", href: entry.links.design }, t("See its options and price"))),
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
  // Translators: a link to a limited edition's page, in "This design is a limited edition: {preorder}".
  const link = h("a", { href: edition.links.page }, t("pre-order it"));
  // Translators: {preorder} is a link reading "pre-order it", to the limited edition's page.
  after.after(h("p", { class: "card-note edition-offer" }, ...nodes(t("This design is a limited edition: {preorder}"), { preorder: link })));
}

// --- publishing from a design's page ----------------------------------------------------------------

/** Where the shopper's entry stands, in their words. */
function standing(entry, { fresh = false } = {}) {
  const { title, reason } = entry;
  const words = {
    pending: fresh
      ? t("Thank you! “{title}” waits for the shop's approval, then it appears in the gallery.", { title })
      : t("“{title}” waits for the shop's approval, then it appears in the gallery.", { title }),
    published: t("“{title}” is in the gallery.", { title }),
    held: t("“{title}” was reported: it is out of the gallery until the shop has looked at it.", { title }),
    rejected: reason
      // Translators: {reason} is the shop's own words, as the merchant wrote them.
      ? t("The shop did not accept “{title}”: {reason}", { title, reason })
      : t("The shop did not accept “{title}”.", { title }),
    unpublished: reason
      // Translators: {reason} is the shop's own words, as the merchant wrote them.
      ? t("The shop took “{title}” out of the gallery: {reason}", { title, reason })
      : t("The shop took “{title}” out of the gallery.", { title }),
  };
  return h(
    "p",
    { class: "card-note", role: "status" },
    // Translators: a title in quotation marks, as the shop's other messages quote one.
    words[entry.status] ?? t("“{title}”", { title }),
    entry.status === "published" ? [" ", h("a", { href: entry.links.page }, t("See it in the gallery"))] : null,
  );
}

function publishForm(design, done) {
  const title = h("input", { id: "entry-title", name: "title", class: "atelier-input", required: true, autocomplete: "off" });
  const name = h("input", { id: "entry-name", name: "display_name", class: "atelier-input", required: true, autocomplete: "nickname" });
  const problem = alertLine();
  const form = h(
    "form",
    { class: "publish-form", novalidate: true },
    h("p", {}, t("Show this design to other shoppers: they can vote for it and start from it. The shop looks at it before it appears.")),
    field(t("Title"), title),
    field(t("Your name, as shown"), name, t("A first name or a nickname, shown with the design.")),
    problem,
    h("button", { type: "submit", class: "atelier-button" }, t("Publish")),
  );
  async function send() {
    clearFieldErrors(form);
    problem.replaceChildren();
    const missing = [
      [title, t("Give your design a title.")],
      [name, t("Enter the name to show with it.")],
    ].filter(([control]) => !control.value.trim());
    for (const [control, message] of missing) showFieldError(form, control, message);
    if (missing.length) {
      missing[0][0].focus();
      return;
    }
    try {
      const entry = await client.publish(design.id, title.value.trim(), name.value.trim());
      done(entry);
      say(t("Thank you! Your design waits for the shop's approval."));
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
    h("h2", { id: "publish-heading" }, t("Publish to the gallery")), body);
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
      say(t("You no longer follow {title}.", { title: idea.title }));
    } catch (error) {
      tell(problem, error, stop);
    }
  }

  function form() {
    const email = h("input", { id: `${id}-email`, name: "email", type: "email", class: "atelier-input", autocomplete: "email", required: true });
    const follow = h(
      "form",
      { class: "follow-form", novalidate: true },
      field(t("Your e-mail address"), email, t("Only to tell you when its status changes; never shown.")),
      // Translators: follows an idea by e-mail; read out as "Follow {title}".
      h("button", { type: "submit", class: "atelier-button atelier-secondary", "aria-label": t("Follow {title}", { title: idea.title }) }, t("Follow")),
    );
    async function send() {
      clearFieldErrors(follow);
      problem.replaceChildren();
      const address = email.value.trim();
      const mistake = !address
        ? t("Enter your e-mail address.")
        : email.validity.typeMismatch ? t("Enter an e-mail address such as name@example.org.") : null;
      if (mistake) {
        showFieldError(follow, email, mistake);
        email.focus();
        return;
      }
      try {
        await client.send("PUT", idea.links.follow, { email: address });
        show(true);
        say(t("You follow {title}.", { title: idea.title }));
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
    return h("details", { class: "follow", open }, h("summary", {}, t("Follow by e-mail")), follow);
  }

  function show(following) {
    box.replaceChildren(
      following
        ? h("p", { class: "following", role: "status" }, t("You follow this idea: the shop e-mails you when its status changes."), " ",
          h("button", { type: "button", class: "link-button", onclick: stop }, t("Stop following")))
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
    idea.display_name ? [" · ", t("by {name}", { name: idea.display_name })] : null,
    product ? ` · ${product}` : null,
  );
}

const ideaNote = (idea) =>
  // Translators: introduces the shop's note on an idea, e.g. "From the shop: For the spring collection".
  (idea.status_note ? h("p", { class: "idea-note" }, h("strong", {}, t("From the shop:")), " ", idea.status_note) : null);

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
    h("option", { value: "" }, t("No product in particular")), ...[...labels].map(([key, label]) => h("option", { value: key }, label)));
  const name = input("idea-name", "display_name", { autocomplete: "nickname" });
  const problem = alertLine();
  const thanks = h("p", { class: "card-note", role: "status" });
  const form = h(
    "form",
    { class: "suggest-form", novalidate: true },
    field(t("Your idea"), title, t("In a few words: a product, an option, a colour…")),
    field(t("Tell us more"), body),
    field(t("Product (optional)"), product),
    field(t("Your name (optional)"), name, t("Shown with your idea.")),
    problem,
    h("button", { type: "submit", class: "atelier-button" }, t("Post my idea")),
    thanks,
  );
  async function send() {
    clearFieldErrors(form);
    problem.replaceChildren();
    thanks.textContent = "";
    const missing = [
      [title, t("Say what your idea is.")],
      [body, t("Tell us a little more about it.")],
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
      thanks.textContent = t("Thank you! Your idea is on the board, with your vote.");
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
  const list = h("ul", { class: "idea-list", "aria-label": t("Ideas") });
  const more = h("button", { type: "button", class: "atelier-button atelier-secondary listing-more", hidden: true }, t("Show more ideas"));
  const note = h("p", { class: "listing-status", role: "status" });
  const panel = h("div", { role: "tabpanel", id: "ideas-panel", class: "listing-panel" }, list, more, note);
  const statuses = filterSelect("ideas-status", t("Status"), IDEA_STATUSES, status);

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
    note.textContent = total ? tn("{n} idea.", "{n} ideas.", total) : t("No idea here yet: be the first to suggest one.");
  }

  statuses.select.addEventListener("change", () => {
    status = statuses.select.value;
    load();
  });
  more.addEventListener("click", () => load({ next: true }));
  const sorts = tabs(t("Order of the ideas"), IDEA_SORTS, sort, panel, (key) => {
    sort = key;
    load();
  });
  const suggest = h(
    "section",
    { class: "idea-suggest", id: "suggest", "aria-labelledby": "suggest-heading" },
    h("h2", { id: "suggest-heading" }, t("Suggest an idea")),
    suggestForm(labels, (idea) => {
      if (!status || status === idea.status) {
        list.prepend(ideaCard(idea, labels));
        total += 1;
        count();
      }
      say(t("Your idea {title} is on the board.", { title: idea.title }));
    }),
  );
  view.replaceChildren(
    h("div", { class: "ideas-layout" },
      // Translators: the idea board, the list of the shoppers' ideas.
      h("section", { class: "idea-board", "aria-label": t("The board") }, h("div", { class: "listing-controls" }, sorts, statuses.element), panel),
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
    showError(view, error, t("This idea could not be found."));
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
      h("p", { class: "eyebrow" }, h("a", { href: "/ideas" }, t("Ideas"))),
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
