// The shopper's privacy choice: a banner asking once, a panel to change it any time, and the recorder
// that sends what the shopper does while configuring, and nothing at all until they have said yes.
//
// On the shop's own pages the banner mounts itself (base.html holds [data-privacy]). The partner widget
// (atelier-widget.js, also inside the embed page) mounts the same panel into its shadow root with
// `mountPrivacy`: the same purposes and buttons, in words that say whose configurator it is, recorded
// with the partner's key (so the choice and then the events name the partner).

import { createClient, privacyChoice, recordingShopper } from "./api.js";
import { h, uid } from "./dom.js";
import { t } from "./i18n.js";

// Bump a version whenever its words change: a choice is recorded with the version of the words it
// answered. The shop's own pages and partners' pages say different things, so each has its version.
export const WORDING_VERSION = "2026-11";
export const PARTNER_WORDING_VERSION = "2026-11-partner";
// The words are written when asked for, in the language of the moment (a widget may switch it).
// Their translations say the same thing: a version stands for the words in every language.
const purposes = () => ({
  preferences: t("Improve this shop with my choices"),
  recommendations: t("Suggest options based on my choices"),
});
const shopText = () => ({
  version: WORDING_VERSION,
  title: t("Your privacy choices"),
  intro: t(
    "With your permission, this shop keeps what you look at and pick while configuring (never what you " +
      "type) under a random id kept in this browser. You can change your mind here at any time.",
  ),
  ...purposes(),
});
const partnerText = () => ({
  version: PARTNER_WORDING_VERSION,
  title: t("Your privacy choices for this configurator"),
  intro: t(
    "This configurator is run by the shop that makes the product, not by this website. With your " +
      "permission, the shop keeps what you look at and pick in it (never what you type) under a random id " +
      "kept in this browser, noting that it happened on this website. This choice covers this configurator " +
      "only, and you can change your mind here at any time.",
  ),
  ...purposes(),
});
const FLUSH_DELAY = 2000;
const MAX_BATCH = 100;

/** The words shown for a client: a partner's key means a partner's page. */
export function wordingFor(client) {
  return client.key ? partnerText() : shopText();
}

/** Record the choice on the server (a new shopper id the first time), then in this browser. */
export async function choose(client, purposes) {
  const before = privacyChoice.get(client);
  const shopper = before?.shopper ?? (await client.createShopper()).id;
  const version = wordingFor(client).version;
  try {
    await client.setConsent(shopper, purposes, version);
  } catch (error) {
    if (before?.shopper && error.status === 404) {
      // Erased elsewhere, or forgotten by the shop: start again with a fresh id.
      privacyChoice.clear(client);
      return choose(client, purposes);
    }
    throw error;
  }
  const choice = { shopper, purposes, wording_version: version };
  privacyChoice.set(client, choice);
  return choice;
}

/**
 * A recorder for one client: record({type, product, ...}) keeps the event only while this browser's
 * choice grants "preferences", sends batches after a pause, and sends what is left when the page goes.
 */
export function recorder(client) {
  let queue = [];
  let timer = null;

  function flush({ leaving = false } = {}) {
    window.clearTimeout(timer);
    const shopper = recordingShopper(client);
    const events = queue.splice(0, MAX_BATCH);
    if (!shopper || !events.length) {
      queue = shopper ? queue : [];
      return;
    }
    const body = JSON.stringify({ shopper, events });
    // A beacon survives the page but carries no headers: only the shop's own pages (no key) use it.
    if (leaving && !client.key && navigator.sendBeacon?.(client.url("/api/v1/events"), new Blob([body], { type: "application/json" }))) {
      return;
    }
    client.sendEvents(shopper, events, { keepalive: leaving }).catch(() => {
      // Lost events are only statistics: never bother the shopper with them.
    });
    if (queue.length) flush({ leaving });
  }

  window.addEventListener("pagehide", () => flush({ leaving: true }));
  return function record(event) {
    if (!recordingShopper(client)) return;
    queue.push({ ...event, occurred_at: new Date().toISOString() });
    window.clearTimeout(timer);
    timer = window.setTimeout(flush, queue.length >= MAX_BATCH ? 0 : FLUSH_DELAY);
  };
}

// --- the banner and panel ---------------------------------------------------------------------------

function toggle(label, checked) {
  const id = uid("privacy-toggle");
  const input = h("input", { id, type: "checkbox", class: "privacy-check" });
  input.checked = checked;
  return { input, element: h("div", { class: "privacy-toggle" }, input, h("label", { for: id }, label)) };
}

function download(name, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The privacy panel into `root`, shown until a choice is made (then hidden until an opener is used).
 * options: openers (the buttons that reopen it; the page's [data-privacy-open] by default), headingLevel.
 */
export function mountPrivacy(root, client, { openers = null, headingLevel = 2 } = {}) {
  const text = wordingFor(client);
  const titleId = uid("privacy-title");
  const status = h("p", { class: "privacy-status", role: "status", "aria-live": "polite" });
  const current = () => privacyChoice.get(client);
  const preferences = toggle(text.preferences, current()?.purposes?.preferences === true);
  const recommendations = toggle(text.recommendations, current()?.purposes?.recommendations === true);

  async function save(purposes, message) {
    try {
      const choice = await choose(client, purposes);
      // A page waiting for the choice (to vote, to publish) hears it; it never leaves a shadow root.
      root.dispatchEvent(new CustomEvent("atelier:privacy-chosen", { detail: choice, bubbles: true }));
      preferences.input.checked = purposes.preferences;
      recommendations.input.checked = purposes.recommendations;
      status.textContent = message;
      window.setTimeout(close, 800);
    } catch {
      status.textContent = t("Your choice could not be saved. Please try again.");
    }
    renderRights();
  }

  const button = (label, onclick) => h("button", { type: "button", class: "atelier-button privacy-button", onclick }, label);
  const rights = h("div", { class: "privacy-rights" });
  function renderRights() {
    const shopper = current()?.shopper;
    rights.replaceChildren();
    if (!shopper) return;
    rights.append(
      button(t("Download my data"), async () => {
        try {
          download("atelier-my-data.json", await client.exportShopper(shopper));
          status.textContent = t("Your data was downloaded.");
        } catch {
          status.textContent = t("Your data could not be downloaded. Please try again.");
        }
      }),
      button(t("Erase my data"), async () => {
        if (!window.confirm(t("Erase what this shop keeps under your random id? Orders are kept for accounting."))) return;
        try {
          await client.eraseShopper(shopper);
        } catch (error) {
          if (error.status !== 404) {
            status.textContent = t("Your data could not be erased. Please try again.");
            return;
          }
        }
        privacyChoice.clear(client);
        preferences.input.checked = false;
        recommendations.input.checked = false;
        status.textContent = t("Erased. Nothing is recorded until you choose again.");
        renderRights();
      }),
    );
  }

  const panel = h(
    "section",
    { class: "privacy-panel", "aria-labelledby": titleId, tabindex: "-1", hidden: true },
    h(`h${headingLevel}`, { id: titleId, class: "privacy-title" }, text.title),
    h("p", {}, text.intro),
    h("div", { class: "privacy-toggles" }, preferences.element, recommendations.element),
    h(
      "div",
      { class: "privacy-actions" },
      button(t("Accept all"), () => save({ preferences: true, recommendations: true }, t("Thank you: your choices are recorded."))),
      button(t("Decline all"), () => save({ preferences: false, recommendations: false }, t("Nothing about what you do here is recorded."))),
      button(t("Save my choices"), () =>
        save(
          { preferences: preferences.input.checked, recommendations: recommendations.input.checked },
          t("Your choices are saved."),
        ),
      ),
    ),
    rights,
    status,
  );
  function open() {
    panel.hidden = false;
    panel.focus();
  }
  function close() {
    panel.hidden = true;
  }
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current()) close();
  });
  root.replaceChildren(panel);
  renderRights();
  if (!current()) panel.hidden = false; // asked once; never in the way again until reopened
  for (const opener of openers ?? document.querySelectorAll("[data-privacy-open]")) {
    opener.hidden = false;
    opener.addEventListener("click", open);
  }
  return { open, close };
}

// Only on the shop's own pages: a partner's page importing this module (through the widget) may have
// a [data-privacy] element of its own, which is none of the shop's business.
const ownPage = typeof document !== "undefined" && new URL(import.meta.url).origin === window.location.origin;
const mount = ownPage ? document.querySelector("[data-privacy]") : null;
/** The shop's own pages' panel ({open, close}), for a page that asks the shopper to choose; else null. */
export const shopPrivacy = mount ? mountPrivacy(mount, createClient()) : null;
