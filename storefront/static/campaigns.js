// Campaigns: votes on what the shop makes next, and limited editions made only if enough shoppers
// pre-order them. A vote is kept against the shopper's pseudonymous id, so it needs their consent (the
// shop says so, and the vote goes through once they allow it); its counts stay hidden until it closes.
// A pre-order needs no consent: it is an order, kept reserved on a saved card, charged only if the
// edition is made by its deadline, and released (nothing charged) if it is not.

import { ApiError } from "./api.js";
import { alertLine, creditLine, productLabels, tell } from "./community.js";
import { contactFieldsets, contactFrom, validateWhenTouched } from "./contact.js";
import { dateTime, h, money, plural } from "./dom.js";
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

/** "New bottle" for an option candidate of the attribute labelled "Bottle". */
function newOf(label) {
  const lower = /^\p{Lu}\p{Ll}/u.test(label) ? label[0].toLowerCase() + label.slice(1) : label;
  return `New ${lower}`;
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
      return `Made: ${edition.reserved} of ${edition.threshold} pre-ordered when pre-orders closed on ${closed}. Pre-orders were charged and are being made.`;
    case "failed":
      // Released pre-orders no longer count as reserved: the answer cannot say how close it came.
      return `Not made: fewer than the ${edition.threshold} pieces needed were pre-ordered by ${closed}. Nothing was charged.`;
    case "cancelled":
      return "Called off by the shop: it will not be made, and nothing was charged.";
    default:
      if (!campaign.running) return `Pre-orders open on ${dateTime(campaign.opens_at)}.`;
      if (edition.reserved >= edition.threshold) return `Enough pre-orders: it will be made when pre-orders close on ${closes}.`;
      return `Made only if ${edition.threshold} pieces are pre-ordered by ${closes}.`;
  }
}

/** The vote's state: when it closes (counts hidden until then), or when it closed. */
function voteStanding(campaign) {
  switch (campaign.status) {
    case "cancelled":
      return "The shop called this vote off.";
    case "closed":
      return `The vote closed on ${dateTime(campaign.closed_at ?? campaign.closes_at)}. The results:`;
    default:
      if (!campaign.running) return `Voting opens on ${dateTime(campaign.opens_at)}.`;
      return `Vote for as many as you like. Results when the vote closes on ${dateTime(campaign.closes_at)}: until then nobody sees the counts, so early votes sway nobody.`;
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
  return h(
    "div",
    { class: "edition-progress" },
    h("p", { class: "edition-count" }, h("strong", {}, `${edition.reserved} of ${edition.threshold}`), " pre-ordered"),
    h(
      "div",
      {
        class: `edition-bar${edition.reserved >= edition.threshold ? " edition-bar-reached" : ""}`,
        role: "progressbar",
        "aria-label": "Pre-orders toward the number needed",
        "aria-valuemin": 0,
        "aria-valuemax": edition.threshold,
        "aria-valuenow": shown,
        "aria-valuetext": `${edition.reserved} of ${edition.threshold} pre-ordered`,
      },
      h("span", { style: { width: `${share}%` } }),
    ),
    running ? h("p", { class: "edition-left" }, edition.left ? `${plural(edition.left, "piece", "pieces")} left of ${edition.max_quantity}` : "Every piece is pre-ordered") : null,
  );
}

// --- the list -----------------------------------------------------------------------------------------

function campaignCard(campaign, labels) {
  const product = labels.get(campaign.product) ?? campaign.product;
  const edition = campaign.kind === "edition" ? campaign.edition : null;
  const card = h("li", { class: `campaign-card campaign-${campaign.kind}`, dataset: { campaign: campaign.id } });
  let standing;
  if (edition) {
    standing = [showsProgress(campaign) ? progress(campaign) : null, h("p", { class: "campaign-standing" }, editionStanding(campaign))];
  } else if (campaign.status === "closed") {
    const top = leaders(campaign);
    standing = h("p", { class: "campaign-standing" }, top.length
      ? `Most votes: ${top.map((candidate) => candidate.label).join(" and ")} (${plural(top[0].votes, "vote", "votes")}).`
      : "Nobody voted.");
  } else {
    standing = h("p", { class: "campaign-standing" }, campaign.status === "cancelled"
      ? "Called off by the shop."
      : campaign.running
        ? `${plural(campaign.candidates.length, "choice", "choices")} · results when the vote closes on ${dateTime(campaign.closes_at)}`
        : `Voting opens on ${dateTime(campaign.opens_at)}.`);
  }
  const picture = edition?.preview?.url
    ? h("a", { href: campaign.links.page, tabindex: "-1", "aria-hidden": "true" },
      h("div", { class: "gallery-picture" }, h("img", { src: edition.preview.url, width: edition.preview.width, height: edition.preview.height, alt: "", decoding: "async" })))
    : null;
  card.append(
    ...[
      picture,
      h("p", { class: "eyebrow" }, `${edition ? "Limited edition" : "Vote"} · ${product}`),
      h("h2", {}, h("a", { href: campaign.links.page }, campaign.title)),
      edition ? creditLine(edition.credits, { design: edition.design }) : null,
      edition?.price ? h("p", { class: "campaign-price" }, h("strong", {}, money(edition.price.total, edition.price.currency)), " a piece") : null,
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
    showError(view, error, "The campaigns could not be loaded.");
    return;
  }
  const past = decided
    .flatMap((found) => found.items)
    .sort((a, b) => new Date(b.closed_at ?? b.closes_at) - new Date(a.closed_at ?? a.closes_at));
  const list = (items, label) => h("ul", { class: "campaign-grid", "aria-label": label }, ...items.map((campaign) => campaignCard(campaign, labels)));
  view.replaceChildren(
    h("section", { "aria-labelledby": "running-heading" },
      h("h2", { id: "running-heading" }, "Running now"),
      running.items.length ? list(running.items, "Running campaigns") : h("p", { class: "listing-status" }, "Nothing is running just now: come back soon, or suggest an idea.")),
    ...(past.length ? [h("section", { "aria-labelledby": "decided-heading" }, h("h2", { id: "decided-heading" }, "Decided"), list(past, "Decided campaigns"))] : []),
  );
  view.removeAttribute("aria-busy");
}

// --- a vote -------------------------------------------------------------------------------------------

/** A candidate's vote toggle (PUT votes, DELETE withdraws; several candidates may have the vote). */
function candidateVote(candidate, problem) {
  const button = h(
    "button",
    { type: "button", class: "vote-button", "aria-pressed": String(candidate.voted) },
    h("span", { class: "vote-mark", "aria-hidden": "true" }),
    "Vote",
    h("span", { class: "visually-hidden" }, ` for ${candidate.label}`),
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
      say(now ? `You voted for ${candidate.label}.` : `Your vote for ${candidate.label} is withdrawn.`);
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
      ? h("img", { src: candidate.preview.url, width: candidate.preview.width, height: candidate.preview.height, alt: `${candidate.label}, ${spec?.label ?? campaign.product}`, decoding: "async" })
      : h("span", { class: "gallery-picture-name" }, candidate.label))
    : null;
  const leading = counted && most > 0 && candidate.votes === most;
  return h(
    "li",
    { class: `candidate-card${leading ? " candidate-leading" : ""}`, dataset: { candidate: candidate.id } },
    picture,
    h("h2", {}, candidate.label),
    h("p", { class: "candidate-kind" }, candidate.design ? "A design" : newOf(attributeLabel(spec, candidate.attribute))),
    counted && inCatalog(spec, candidate)
      ? h("p", { class: "candidate-made" }, "Now an option: ", h("a", { href: `/products/${enc(campaign.product)}` }, "make yours"))
      : null,
    counted
      ? h("div", { class: "candidate-result" },
        h("p", { class: "candidate-votes" }, h("strong", {}, plural(candidate.votes, "vote", "votes")), leading ? " · most votes" : "", candidate.voted ? " · you voted for it" : ""),
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
      h("p", { class: "eyebrow" }, h("a", { href: "/campaigns" }, "Campaigns"), ` · A vote · ${product}`),
      h("h1", {}, campaign.title),
      campaign.description ? h("p", { class: "campaign-description" }, campaign.description) : null,
      h("p", { class: "card-note", role: "status" }, voteStanding(campaign)),
      h("ul", { class: "candidate-grid", "aria-label": counted ? "Results" : "Choices" }, ...candidates.map((candidate) => candidateCard(campaign, candidate, spec, most))),
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
    h("h3", {}, reserved ? "Pre-ordered" : "Your pre-order waits for your card"),
    h("p", {}, `Order ${done.order_number}: ${plural(done.quantity, "piece", "pieces")}, ${money(done.total, done.currency)} if it is made.`),
    reserved
      ? h("p", {}, h("strong", {}, "Nothing is charged now. "),
        `If ${campaign.edition.threshold} pieces are pre-ordered by ${dateTime(campaign.closes_at)}, your card is charged and your pieces are made; if not, nothing is charged. We e-mail you either way.`)
      : h("p", {}, "Your card is not saved yet, so your place is held for a short while only. Open your order to finish."),
    test ? h("p", { class: "test-banner" }, h("strong", {}, "Test mode. "), "No card was asked for, and nothing will be charged.") : null,
    h("p", {}, h("a", { class: "atelier-button atelier-secondary", href: done.links.order }, "See your order")),
  );
}

/** Stripe's card form for a pre-order: the card is saved (a SetupIntent), not charged. */
async function saveCard(panel, started, finish) {
  const heading = h("h3", { tabindex: "-1" }, "Save your card");
  const mount = h("div", { class: "stripe-element" });
  const save = h("button", { type: "button", class: "atelier-button" }, "Save my card");
  const status = h("p", { class: "atelier-alert", role: "alert" });
  panel.replaceChildren(
    heading,
    h("p", {}, `Order ${started.order_number}. Nothing is charged now: your card is kept to charge ${money(started.total, started.currency)} only if the edition is made.`),
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
      status.textContent = error.message ?? "Your card could not be saved.";
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
      h("p", {}, h("strong", {}, "Nothing is charged now. "),
        `We save your card and charge it only if ${edition.threshold} pieces are pre-ordered by ${dateTime(campaign.closes_at)}. If not, nothing is charged and your card is no longer kept.`)),
    h("fieldset", {}, h("legend", {}, "Your pre-order"),
      field("Pieces", quantity, `${price ? `${price} a piece; shipping for your country is added. ` : ""}Up to ${most}.`)),
    ...contactFieldsets(),
    problem,
    h("button", { type: "submit", class: "atelier-button" }, "Pre-order, nothing charged now"),
  );
  const validation = validateWhenTouched(form);
  let busy = false;

  async function finish(started) {
    let done;
    try {
      done = await client.send("POST", started.links.complete);
    } catch (error) {
      showError(panel, error, "Your pre-order could not be finished. Open your order to try again.");
      return;
    }
    const shown = preorderDone(campaign, done, started.card?.test);
    panel.replaceChildren(shown);
    shown.focus();
    say(done.status === "reserved" ? `Pre-ordered: order ${done.order_number}. Nothing is charged now.` : "Your pre-order waits for your card.");
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
  const panel = h("section", { class: "preorder", "aria-labelledby": "preorder-heading" }, h("h2", { id: "preorder-heading" }, "Pre-order"), body);
  if (campaign.running && edition.left > 0 && edition.price) {
    body.append(preorderForm(campaign, body, refresh));
  } else {
    panel.hidden = true;
  }
  view.replaceChildren(
    h(
      "article",
      { class: "design-view campaign-edition" },
      h("div", { class: "design-visual" }, previewBox(campaign.title, edition.preview, { alt: `${campaign.title}, ${product}` })),
      h(
        "div",
        { class: "design-panel" },
        h("p", { class: "eyebrow" }, h("a", { href: "/campaigns" }, "Campaigns"), ` · Limited edition · ${product}`),
        h("h1", {}, campaign.title),
        creditLine(edition.credits, { design: edition.design }),
        edition.price
          ? h("p", { class: "atelier-total" }, h("strong", { class: "atelier-amount" }, money(edition.price.total, edition.price.currency)), " ", h("span", {}, "a piece"))
          : h("p", { class: "atelier-alert" }, "This design no longer fits the current options."),
        campaign.description ? h("p", { class: "campaign-description" }, campaign.description) : null,
        progressBox,
        h("p", {}, h("a", { href: `/designs/${enc(edition.design)}` }, "See its options")),
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
    showError(view, error, "This campaign could not be found.");
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
  const title = campaign ? `“${campaign.title}”` : "the limited edition";
  const link = campaign ? h("p", {}, h("a", { href: campaign.links.page }, order.status === "reserved" ? "See how the edition stands" : "See the edition")) : null;
  if (order.status === "reserved") {
    const when = campaign
      ? `If ${title} reaches ${campaign.edition.threshold} pre-ordered pieces by ${dateTime(campaign.closes_at)}, your card is charged ${money(order.total, order.currency)} and your order is made.`
      : `If the limited edition reaches its number of pre-orders by its deadline, your card is charged ${money(order.total, order.currency)} and your order is made.`;
    return h(
      "div",
      { class: "card-note preorder-note" },
      h("p", {}, h("strong", {}, "Nothing is charged yet. "), when),
      h("p", {}, `If it does not, nothing is charged and your card is no longer kept. We e-mail ${order.contact.email} either way.`),
      link,
    );
  }
  const why = campaign?.status === "cancelled"
    ? `The shop called off ${title}: it will not be made.`
    : campaign
      ? `${title[0].toUpperCase()}${title.slice(1)} did not reach its ${campaign.edition.threshold} pre-ordered pieces by ${dateTime(campaign.closed_at ?? campaign.closes_at)}, so it was not made.`
      : "The limited edition you pre-ordered was not made.";
  return h("div", { class: "card-note preorder-note" }, h("p", {}, why, " ", h("strong", {}, "Nothing was charged"), ", and your card is no longer kept for it."), link);
}
