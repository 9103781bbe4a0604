// Campaigns: votes on what the shop makes next, and limited editions made only if enough shoppers
// pre-order them. A vote is kept against the shopper's pseudonymous id, so it needs their consent (the
// shop says so, and the vote goes through once they allow it); its counts stay hidden until it closes.
// A pre-order needs no consent: it is an order, kept reserved on a saved card, charged only if the
// edition is made by its deadline, and released (nothing charged) if it is not.

import { ApiError } from "./api.js";
import { alertLine, creditLine, pictureOf, productLabels, tell } from "./community.js";
import { contactFieldsets, contactFrom, validateWhenTouched, watchDestination } from "./contact.js";
import { dateTime, h, money, nodes } from "./dom.js";
import { language, t, tn } from "./i18n.js";
import {
  client,
  field,
  loadStripe,
  main,
  pageTitle,
  previewBox,
  problemText,
  productSpec,
  say,
  showError,
  showFieldErrors,
} from "./page.js";

const SHUFFLE_SEEDS = 65521; // the API's seeds are 0 to 65520
const MAX_PREORDER = 20; // pieces in one pre-order, as the API allows
const DECIDED = ["closed", "succeeded", "failed", "cancelled"];
const CHOICES = new Intl.ListFormat(language, { style: "long", type: "conjunction" });
const enc = encodeURIComponent;

// --- the pre-orders made in this browser --------------------------------------------------------------

// An order's token -> its campaign, so that the order page can say which edition it waits for. Only
// what this browser made, like the cart's token; the order page finds the others by their design.
const PREORDERS_SLOT = "atelier.preorders";
const PREORDERS_KEPT = 20;

const preorders = {
  all() {
    try {
      const kept = JSON.parse(window.localStorage.getItem(PREORDERS_SLOT) || "{}");
      return kept && typeof kept === "object" ? kept : {};
    } catch {
      return {};
    }
  },
  add(order, campaign) {
    const kept = Object.entries({ ...this.all(), [order]: campaign }).slice(-PREORDERS_KEPT);
    try {
      window.localStorage.setItem(PREORDERS_SLOT, JSON.stringify(Object.fromEntries(kept)));
    } catch {
      // Storage may be off: the order page then finds the edition by its design.
    }
  },
};

// --- words --------------------------------------------------------------------------------------------

// Languages that write their nouns capitalised inside a sentence.
const NOUNS_CAPITALISED = new Set(["de"]);

/** "New bottle" for an option candidate of the attribute labelled "Bottle". */
function newOf(label) {
  const lower = /^\p{Lu}\p{Ll}/u.test(label) && !NOUNS_CAPITALISED.has(language.split("-")[0])
    ? label[0].toLocaleLowerCase(language) + label.slice(1)
    : label;
  // Translators: a choice in a vote: a new option of the product's attribute {attribute} (e.g. "bottle",
  // lowercased except in German), as yet without a picture.
  return t("New {attribute}", { attribute: lower });
}

/** Whether an option candidate is an option of the live product now (a winner, published). */
const inCatalog = (spec, candidate) =>
  Boolean(candidate.option) && Boolean(spec?.attributes.find((a) => a.key === candidate.attribute)?.options.some((o) => o.key === candidate.option));

const attributeLabel = (spec, key) => spec?.attributes.find((attribute) => attribute.key === key)?.label ?? key;

/** Where an edition stands, in one sentence for its page and its card. */
function editionStanding(campaign) {
  const { edition } = campaign;
  const closes = dateTime(campaign.closes_at);
  const closed = campaign.closed_at ? dateTime(campaign.closed_at) : closes;
  switch (campaign.status) {
    case "succeeded":
      // Translators: a limited edition that was made; {reserved} and {threshold} count pieces.
      return t("Made: {reserved} of {threshold} pre-ordered when pre-orders closed on {date}. Pre-orders were charged and are being made.",
        { reserved: edition.reserved, threshold: edition.threshold, date: closed });
    case "failed":
      // Released pre-orders no longer count as reserved: the answer cannot say how close it came.
      return tn(
        "Not made: the {n} piece needed was not pre-ordered by {date}. Nothing was charged.",
        "Not made: fewer than the {n} pieces needed were pre-ordered by {date}. Nothing was charged.",
        edition.threshold,
        { date: closed },
      );
    case "cancelled":
      return t("Called off by the shop: it will not be made, and nothing was charged.");
    default:
      if (!campaign.running) return t("Pre-orders open on {date}.", { date: dateTime(campaign.opens_at) });
      if (edition.reserved >= edition.threshold) return t("Enough pre-orders: it will be made when pre-orders close on {date}.", { date: closes });
      return tn("Made only if {n} piece is pre-ordered by {date}.", "Made only if {n} pieces are pre-ordered by {date}.", edition.threshold, { date: closes });
  }
}

/** The vote's state: when it closes (counts hidden until then), or when it closed. */
function voteStanding(campaign) {
  switch (campaign.status) {
    case "cancelled":
      return t("The shop called this vote off.");
    case "closed":
      return t("The vote closed on {date}. The results:", { date: dateTime(campaign.closed_at ?? campaign.closes_at) });
    default:
      if (!campaign.running) return t("Voting opens on {date}.", { date: dateTime(campaign.opens_at) });
      return t("Vote for as many as you like. Results when the vote closes on {date}: until then nobody sees the counts, so early votes sway nobody.",
        { date: dateTime(campaign.closes_at) });
  }
}

/** The candidates with the most votes (none while the counts are hidden, or when nobody voted). */
function leaders(campaign) {
  const most = Math.max(0, ...campaign.candidates.map((candidate) => candidate.votes ?? 0));
  return most ? campaign.candidates.filter((candidate) => candidate.votes === most) : [];
}

// --- progress of an edition ---------------------------------------------------------------------------

// A missed or called-off edition has released its pre-orders: nothing is left to count.
const showsProgress = (campaign) => campaign.status === "open" || campaign.status === "succeeded";

function progress(campaign) {
  const { edition } = campaign;
  const shown = Math.min(edition.reserved, edition.threshold);
  const share = edition.threshold ? (100 * shown) / edition.threshold : 0;
  const running = campaign.status === "open";
  const counts = { reserved: edition.reserved, threshold: edition.threshold };
  // Translators: how many pieces of a limited edition are pre-ordered; {progress} is "{reserved} of {threshold}", in bold.
  const count = nodes(t("{progress} pre-ordered"), { progress: h("strong", {}, t("{reserved} of {threshold}", counts)) });
  return h(
    "div",
    { class: "edition-progress" },
    h("p", { class: "edition-count" }, ...count),
    h(
      "div",
      {
        class: `edition-bar${edition.reserved >= edition.threshold ? " edition-bar-reached" : ""}`,
        role: "progressbar",
        "aria-label": t("Pre-orders toward the number needed"),
        "aria-valuemin": 0,
        "aria-valuemax": edition.threshold,
        "aria-valuenow": shown,
        "aria-valuetext": t("{reserved} of {threshold} pre-ordered", counts),
      },
      h("span", { style: { width: `${share}%` } }),
    ),
    running
      ? h("p", { class: "edition-left" }, edition.left
        ? tn("{n} piece left of {max}", "{n} pieces left of {max}", edition.left, { max: edition.max_quantity })
        : t("Every piece is pre-ordered"))
      : null,
  );
}

// --- the list -----------------------------------------------------------------------------------------

// Translators: an edition's price; {price} is the amount, in bold.
const aPiece = (price) => nodes(t("{price} a piece"), { price });

function campaignCard(campaign, labels) {
  const product = labels.get(campaign.product) ?? campaign.product;
  const edition = campaign.kind === "edition" ? campaign.edition : null;
  const card = h("li", { class: `campaign-card campaign-${campaign.kind}`, dataset: { campaign: campaign.id } });
  let standing;
  if (edition) {
    standing = [showsProgress(campaign) ? progress(campaign) : null, h("p", { class: "campaign-standing" }, editionStanding(campaign))];
  } else if (campaign.status === "closed") {
    const top = leaders(campaign);
    const choices = CHOICES.format(top.map((candidate) => candidate.label));
    standing = h("p", { class: "campaign-standing" }, top.length
      // Translators: a closed vote's winners ({choices}: one or more, e.g. "Gum rubber and Crepe") and their votes.
      ? tn("Most votes: {choices} ({n} vote).", "Most votes: {choices} ({n} votes).", top[0].votes, { choices })
      : t("Nobody voted."));
  } else {
    standing = h("p", { class: "campaign-standing" }, campaign.status === "cancelled"
      ? t("Called off by the shop.")
      : campaign.running
        ? tn("{n} choice · results when the vote closes on {date}", "{n} choices · results when the vote closes on {date}",
          campaign.candidates.length, { date: dateTime(campaign.closes_at) })
        : t("Voting opens on {date}.", { date: dateTime(campaign.opens_at) }));
  }
  const picture = edition?.preview?.url
    ? h("a", { href: campaign.links.page, tabindex: "-1", "aria-hidden": "true" },
      h("div", { class: "gallery-picture" }, h("img", { src: edition.preview.url, width: edition.preview.width, height: edition.preview.height, alt: "", decoding: "async" })))
    : null;
  card.append(
    ...[
      picture,
      h("p", { class: "eyebrow" }, edition
        // Translators: a campaign's kind, a limited edition, then its product.
        ? t("Limited edition · {product}", { product })
        // Translators: a campaign's kind, a vote (on what the shop makes next), then its product.
        : t("Vote · {product}", { product })),
      h("h2", {}, h("a", { href: campaign.links.page }, campaign.title)),
      edition ? creditLine(edition.credits, { design: edition.design }) : null,
      edition?.price ? h("p", { class: "campaign-price" }, ...aPiece(h("strong", {}, money(edition.price.total, edition.price.currency)))) : null,
      campaign.description ? h("p", { class: "campaign-description" }, campaign.description) : null,
      ...[standing].flat(),
    ].filter(Boolean),
  );
  return card;
}

export async function campaignsPage() {
  const view = document.querySelector("[data-campaigns-view]");
  let running;
  let decided;
  const labels = await productLabels();
  try {
    [running, ...decided] = await Promise.all([client.campaigns({ status: "open" }), ...DECIDED.map((status) => client.campaigns({ status }))]);
  } catch (error) {
    showError(view, error, t("The campaigns could not be loaded."));
    return;
  }
  const past = decided
    .flatMap((found) => found.items)
    .sort((a, b) => new Date(b.closed_at ?? b.closes_at) - new Date(a.closed_at ?? a.closes_at));
  const list = (items, label) => h("ul", { class: "campaign-grid", "aria-label": label }, ...items.map((campaign) => campaignCard(campaign, labels)));
  view.replaceChildren(
    h("section", { "aria-labelledby": "running-heading" },
      h("h2", { id: "running-heading" }, t("Running now")),
      running.items.length
        ? list(running.items, t("Running campaigns"))
        : h("p", { class: "listing-status" }, t("Nothing is running just now: come back soon, or suggest an idea."))),
    ...(past.length
      // Translators: a heading over the campaigns that are over: votes closed, editions made or not.
      ? [h("section", { "aria-labelledby": "decided-heading" }, h("h2", { id: "decided-heading" }, t("Decided")), list(past, t("Decided campaigns")))]
      : []),
  );
  view.removeAttribute("aria-busy");
}

// --- a vote -------------------------------------------------------------------------------------------

/** A candidate's vote toggle (PUT votes, DELETE withdraws; several candidates may have the vote). */
function candidateVote(candidate, problem) {
  const button = h(
    "button",
    { type: "button", class: "vote-button", "aria-pressed": String(candidate.voted), "aria-label": t("Vote for {title}", { title: candidate.label }) },
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
      const answer = await client.send(voted ? "DELETE" : "PUT", candidate.links.vote);
      const now = answer.candidates.find((other) => other.id === candidate.id)?.voted ?? !voted;
      button.setAttribute("aria-pressed", String(now));
      say(now ? t("You voted for {title}.", { title: candidate.label }) : t("Your vote for {title} is withdrawn.", { title: candidate.label }));
    } catch (error) {
      tell(problem, error, toggle);
    } finally {
      busy = false;
    }
  }
  button.addEventListener("click", toggle);
  return button;
}

function candidateCard(campaign, candidate, spec, most) {
  const problem = alertLine();
  const counted = candidate.votes !== null && candidate.votes !== undefined;
  // A design shows its picture; a new option has none yet: its name is the card.
  const picture = candidate.design
    ? h("div", { class: "gallery-picture" }, candidate.preview?.url
      ? h("img", { src: candidate.preview.url, width: candidate.preview.width, height: candidate.preview.height, alt: pictureOf(candidate.label, spec?.label ?? campaign.product), decoding: "async" })
      : h("span", { class: "gallery-picture-name" }, candidate.label))
    : null;
  const leading = counted && most > 0 && candidate.votes === most;
  return h(
    "li",
    { class: `candidate-card${leading ? " candidate-leading" : ""}`, dataset: { candidate: candidate.id } },
    picture,
    h("h2", {}, candidate.label),
    h("p", { class: "candidate-kind" }, candidate.design ? t("A design") : newOf(attributeLabel(spec, candidate.attribute))),
    counted && inCatalog(spec, candidate)
      // Translators: a winning option, now offered; {link} is a link reading "make yours", to the product.
      ? h("p", { class: "candidate-made" },
        ...nodes(t("Now an option: {link}"), { link: h("a", { href: `/products/${enc(campaign.product)}` }, t("make yours")) }))
      : null,
    counted
      ? h("div", { class: "candidate-result" },
        h("p", { class: "candidate-votes" }, h("strong", {}, tn("{n} vote", "{n} votes", candidate.votes)),
          // Translators: after a choice's votes in a closed vote, e.g. "2 votes · most votes · you voted for it".
          leading ? [" · ", t("most votes")] : "", candidate.voted ? [" · ", t("you voted for it")] : ""),
        h("div", { class: "candidate-bar", "aria-hidden": "true" }, h("span", { style: { width: `${most ? (100 * candidate.votes) / most : 0}%` } })))
      : null,
    campaign.running ? h("div", { class: "gallery-actions" }, candidateVote(candidate, problem)) : null,
    problem,
  );
}

function votePage(view, campaign, spec, labels) {
  const counted = campaign.candidates.every((candidate) => candidate.votes !== null && candidate.votes !== undefined);
  const candidates = counted ? [...campaign.candidates].sort((a, b) => b.votes - a.votes) : campaign.candidates;
  const most = counted ? Math.max(0, ...candidates.map((candidate) => candidate.votes)) : 0;
  const product = labels.get(campaign.product) ?? spec?.label ?? campaign.product;
  view.replaceChildren(
    h(
      "article",
      { class: "campaign-page" },
      h("p", { class: "eyebrow" }, h("a", { href: "/campaigns" }, t("Campaigns")), " · ",
        // Translators: a campaign's kind, a vote (on what the shop makes next), then its product.
        t("A vote · {product}", { product })),
      h("h1", {}, campaign.title),
      campaign.description ? h("p", { class: "campaign-description" }, campaign.description) : null,
      h("p", { class: "card-note", role: "status" }, voteStanding(campaign)),
      h("ul", { class: "candidate-grid", "aria-label": counted ? t("Results") : t("Choices") }, ...candidates.map((candidate) => candidateCard(campaign, candidate, spec, most))),
    ),
  );
}

// --- an edition ---------------------------------------------------------------------------------------

/** The pre-order's outcome once the card is saved, with the way to the order. */
function preorderDone(campaign, done, test) {
  const reserved = done.status === "reserved";
  return h(
    "div",
    { class: "preorder-done", role: "status", tabindex: "-1" },
    // Translators: a heading, once a limited edition is pre-ordered.
    h("h3", {}, reserved ? t("Pre-ordered") : t("Your pre-order waits for your card")),
    h("p", {}, tn("Order {number}: {n} piece, {total} if it is made.", "Order {number}: {n} pieces, {total} if it is made.", done.quantity,
      { number: done.order_number, total: money(done.total, done.currency) })),
    reserved
      ? h("p", {}, h("strong", {}, t("Nothing is charged now.")), " ",
        tn(
          "If {n} piece is pre-ordered by {date}, your card is charged and your pieces are made; if not, nothing is charged. We e-mail you either way.",
          "If {n} pieces are pre-ordered by {date}, your card is charged and your pieces are made; if not, nothing is charged. We e-mail you either way.",
          campaign.edition.threshold,
          { date: dateTime(campaign.closes_at) },
        ))
      : h("p", {}, t("Your card is not saved yet, so your place is held for a short while only. Open your order to finish.")),
    test ? h("p", { class: "test-banner" }, h("strong", {}, t("Test mode.")), " ", t("No card was asked for, and nothing will be charged.")) : null,
    h("p", {}, h("a", { class: "atelier-button atelier-secondary", href: done.links.order }, t("See your order"))),
  );
}

/** Stripe's card form for a pre-order: the card is saved (a SetupIntent), not charged. */
async function saveCard(panel, started, finish) {
  const heading = h("h3", { tabindex: "-1" }, t("Save your card"));
  const mount = h("div", { class: "stripe-element" });
  const save = h("button", { type: "button", class: "atelier-button" }, t("Save my card"));
  const status = h("p", { class: "atelier-alert", role: "alert" });
  panel.replaceChildren(
    heading,
    h("p", {}, t("Order {number}. Nothing is charged now: your card is kept to charge {total} only if the edition is made.",
      { number: started.order_number, total: money(started.total, started.currency) })),
    mount,
    save,
    status,
  );
  heading.focus();
  let stripe;
  let elements;
  try {
    const Stripe = await loadStripe();
    stripe = Stripe(started.card.publishable_key);
    elements = stripe.elements({ clientSecret: started.card.client_secret });
    elements.create("payment").mount(mount);
  } catch (error) {
    status.textContent = problemText(error);
    return;
  }
  save.addEventListener("click", async () => {
    if (save.getAttribute("aria-disabled") === "true") return;
    save.setAttribute("aria-disabled", "true");
    // A bank that asks the shopper to confirm leaves for the order page, which finishes the pre-order.
    const { error } = await stripe.confirmSetup({
      elements,
      confirmParams: { return_url: new URL(started.links.order, window.location.href).href },
      redirect: "if_required",
    });
    if (error) {
      status.textContent = error.message ?? t("Your card could not be saved.");
      save.removeAttribute("aria-disabled");
      return;
    }
    await finish();
  });
}

function preorderForm(campaign, panel, refresh) {
  const { edition } = campaign;
  const most = Math.min(MAX_PREORDER, edition.left);
  const quantity = h("input", { id: "quantity", name: "quantity", type: "number", min: 1, max: most, value: 1, step: 1, inputmode: "numeric", required: true, class: "atelier-input atelier-quantity" });
  const problem = h("p", { class: "atelier-alert", role: "alert", tabindex: "-1" });
  const price = edition.price ? money(edition.price.total, edition.price.currency) : null;
  const form = h(
    "form",
    { class: "checkout-form preorder-form", novalidate: true },
    h("div", { class: "card-note preorder-promise" },
      h("p", {}, h("strong", {}, t("Nothing is charged now.")), " ",
        tn(
          "We save your card and charge it only if {n} piece is pre-ordered by {date}. If not, nothing is charged and your card is no longer kept.",
          "We save your card and charge it only if {n} pieces are pre-ordered by {date}. If not, nothing is charged and your card is no longer kept.",
          edition.threshold,
          { date: dateTime(campaign.closes_at) },
        ))),
    h("fieldset", {}, h("legend", {}, t("Your pre-order")),
      // Translators: how many pieces of the limited edition the shopper pre-orders.
      field(t("Pieces"), quantity, price
        ? t("{price} a piece; shipping for your country is added. Up to {most}.", { price, most })
        : t("Up to {most}.", { most }))),
    ...contactFieldsets(),
    problem,
    h("button", { type: "submit", class: "atelier-button" }, t("Pre-order, nothing charged now")),
  );
  const validation = validateWhenTouched(form);
  watchDestination(form);
  let busy = false;

  async function finish(started) {
    let done;
    try {
      done = await client.send("POST", started.links.complete);
    } catch (error) {
      showError(panel, error, t("Your pre-order could not be finished. Open your order to try again."));
      return;
    }
    const shown = preorderDone(campaign, done, started.card?.test);
    panel.replaceChildren(shown);
    shown.focus();
    say(done.status === "reserved"
      ? t("Pre-ordered: order {number}. Nothing is charged now.", { number: done.order_number })
      : t("Your pre-order waits for your card."));
    refresh();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    problem.textContent = "";
    const mistaken = validation.checkAll();
    if (mistaken) {
      mistaken.focus();
      return;
    }
    const body = { quantity: Number.parseInt(quantity.value, 10), contact: contactFrom(form) };
    if (edition.price?.currency) body.currency = edition.price.currency;
    busy = true;
    let started;
    try {
      started = await client.send("POST", campaign.links.preorders, body);
    } catch (error) {
      busy = false;
      const first = showFieldErrors(form, error);
      if (error instanceof ApiError && typeof error.problem?.left === "number") {
        quantity.max = Math.max(1, Math.min(MAX_PREORDER, error.problem.left));
        refresh();
      }
      problem.textContent = problemText(error);
      (first ?? problem).focus();
      return;
    }
    preorders.add(started.order, campaign.id);
    if (started.card?.client_secret && started.card.publishable_key) {
      await saveCard(panel, started, () => finish(started));
    } else {
      await finish(started); // test cards: there is no card to save
    }
  });
  return form;
}

function editionPage(view, campaign, spec, labels) {
  const { edition } = campaign;
  const product = labels.get(campaign.product) ?? spec?.label ?? campaign.product;
  const progressBox = h("div", { class: "edition-status" });
  const showProgress = (current) =>
    progressBox.replaceChildren(showsProgress(current) ? progress(current) : "", h("p", { class: "campaign-standing" }, editionStanding(current)));
  const refresh = async () => {
    try {
      showProgress(await client.campaign(campaign.id, edition.price ? { currency: edition.price.currency } : {}));
    } catch {
      // the progress shown stays; the pre-order itself is done
    }
  };
  showProgress(campaign);
  // The form, then Stripe's card form (cards to save), then the outcome, each in turn under the heading.
  const body = h("div", { class: "preorder-body" });
  // Translators: the heading over the form that pre-orders a limited edition.
  const panel = h("section", { class: "preorder", "aria-labelledby": "preorder-heading" }, h("h2", { id: "preorder-heading" }, t("Pre-order")), body);
  if (campaign.running && edition.left > 0 && edition.price) {
    body.append(preorderForm(campaign, body, refresh));
  } else {
    panel.hidden = true;
  }
  view.replaceChildren(
    h(
      "article",
      { class: "design-view campaign-edition" },
      h("div", { class: "design-visual" }, previewBox(campaign.title, edition.preview, { alt: pictureOf(campaign.title, product) })),
      h(
        "div",
        { class: "design-panel" },
        h("p", { class: "eyebrow" }, h("a", { href: "/campaigns" }, t("Campaigns")), " · ", t("Limited edition · {product}", { product })),
        h("h1", {}, campaign.title),
        creditLine(edition.credits, { design: edition.design }),
        edition.price
          ? h("p", { class: "atelier-total" }, ...aPiece(h("strong", { class: "atelier-amount" }, money(edition.price.total, edition.price.currency))))
          : h("p", { class: "atelier-alert" }, t("This design no longer fits the current options.")),
        campaign.description ? h("p", { class: "campaign-description" }, campaign.description) : null,
        progressBox,
        h("p", {}, h("a", { href: `/designs/${enc(edition.design)}` }, t("See its options"))),
        panel,
      ),
    ),
  );
}

export async function campaignPage() {
  const view = document.querySelector("[data-campaign-view]");
  // One shuffle for this visit: the candidates keep their places however often the page asks.
  const seed = Math.floor(Math.random() * SHUFFLE_SEEDS);
  let campaign;
  try {
    campaign = await client.campaign(main.dataset.campaign, { seed });
  } catch (error) {
    showError(view, error, t("This campaign could not be found."));
    return;
  }
  const [spec, labels] = await Promise.all([productSpec(campaign.product).catch(() => null), productLabels()]);
  document.title = pageTitle(campaign.title);
  if (campaign.kind === "edition" && campaign.edition) editionPage(view, campaign, spec, labels);
  else votePage(view, campaign, spec, labels);
  view.removeAttribute("aria-busy");
}

// --- the order page -----------------------------------------------------------------------------------

async function findEdition(order, statuses) {
  const remembered = preorders.all()[order.token];
  if (remembered) {
    try {
      return await client.campaign(remembered);
    } catch {
      // gone, or the shop cannot be asked: look for it by its design below
    }
  }
  const designs = new Set(order.lines.map((line) => line.design).filter(Boolean));
  const products = [...new Set(order.lines.map((line) => line.product))];
  if (!designs.size) return null;
  const found = await Promise.all(statuses.flatMap((status) => products.map((product) => client.campaigns({ status, product }).catch(() => ({ items: [] })))));
  return found.flatMap((answer) => answer.items).find((campaign) => designs.has(campaign.edition?.design)) ?? null;
}

/**
 * Whether the order is a pre-order, and its edition when it can be found: {campaign} or null. A
 * reserved order is one; so is a cancelled one that never had a payment (a released pre-order).
 */
export async function preorderOf(order) {
  if (order.status === "reserved") return { campaign: await findEdition(order, ["open"]) };
  if (order.status === "cancelled" && !order.payment) return { campaign: await findEdition(order, ["failed", "cancelled"]) };
  return null;
}

/** What a pre-order's shopper needs to know on its order page: when it is decided, or that it was not made. */
export function preorderPanel(order, { campaign }) {
  const title = campaign?.title;
  const link = campaign
    ? h("p", {}, h("a", { href: campaign.links.page }, order.status === "reserved" ? t("See how the edition stands") : t("See the edition")))
    : null;
  if (order.status === "reserved") {
    const total = money(order.total, order.currency);
    const when = campaign
      ? tn(
        "If “{title}” reaches {n} pre-ordered piece by {date}, your card is charged {total} and your order is made.",
        "If “{title}” reaches {n} pre-ordered pieces by {date}, your card is charged {total} and your order is made.",
        campaign.edition.threshold,
        { title, date: dateTime(campaign.closes_at), total },
      )
      : t("If the limited edition reaches its number of pre-orders by its deadline, your card is charged {total} and your order is made.", { total });
    return h(
      "div",
      { class: "card-note preorder-note" },
      h("p", {}, h("strong", {}, t("Nothing is charged yet.")), " ", when),
      h("p", {}, t("If it does not, nothing is charged and your card is no longer kept. We e-mail {email} either way.", { email: order.contact.email })),
      link,
    );
  }
  const why = campaign?.status === "cancelled"
    ? t("The shop called off “{title}”: it will not be made.", { title })
    : campaign
      ? tn(
        "“{title}” did not reach its {n} pre-ordered piece by {date}, so it was not made.",
        "“{title}” did not reach its {n} pre-ordered pieces by {date}, so it was not made.",
        campaign.edition.threshold,
        { title, date: dateTime(campaign.closed_at ?? campaign.closes_at) },
      )
      : t("The limited edition you pre-ordered was not made.");
  // Translators: {nothing} is "Nothing was charged", in bold.
  const released = nodes(t("{nothing}, and your card is no longer kept for it."), { nothing: h("strong", {}, t("Nothing was charged")) });
  return h("div", { class: "card-note preorder-note" }, h("p", {}, why, " ", ...released), link);
}
