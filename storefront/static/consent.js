// The shopper's privacy choice: a banner asking once, a panel to change it any time, and the recorder
// that sends what the shopper does while configuring, and nothing at all until they have said yes.
//
// On the shop's own pages the banner mounts itself (base.html holds [data-privacy]); elsewhere (the
// partner widget) this module only offers `recorder`, which records nothing without a stored "yes".

import { createClient, privacyChoice, recordingShopper } from "./api.js";
import { h, uid } from "./dom.js";

// Bump whenever TEXT changes: a choice is recorded with the version of the words it answered.
export const WORDING_VERSION = "2026-11";
const TEXT = {
  title: "Your privacy choices",
  intro:
    "With your permission, this shop keeps what you look at and pick while configuring (never what you " +
    "type) under a random id kept in this browser. You can change your mind here at any time.",
  preferences: "Improve this shop with my choices",
  recommendations: "Suggest options based on my choices",
};
const FLUSH_DELAY = 2000;
const MAX_BATCH = 100;

/** Record the choice on the server (a new shopper id the first time), then in this browser. */
export async function choose(client, purposes) {
  const before = privacyChoice.get(client.base);
  const shopper = before?.shopper ?? (await client.createShopper()).id;
  try {
    await client.setConsent(shopper, purposes, WORDING_VERSION);
  } catch (error) {
    if (before?.shopper && error.status === 404) {
      // Erased elsewhere, or forgotten by the shop: start again with a fresh id.
      privacyChoice.clear(client.base);
      return choose(client, purposes);
    }
    throw error;
  }
  const choice = { shopper, purposes, wording_version: WORDING_VERSION };
  privacyChoice.set(client.base, choice);
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
    const shopper = recordingShopper(client.base);
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
    client.sendEvents(shopper, events).catch(() => {
      // Lost events are only statistics: never bother the shopper with them.
    });
    if (queue.length) flush({ leaving });
  }

  window.addEventListener("pagehide", () => flush({ leaving: true }));
  return function record(event) {
    if (!recordingShopper(client.base)) return;
    queue.push({ ...event, occurred_at: new Date().toISOString() });
    window.clearTimeout(timer);
    timer = window.setTimeout(flush, queue.length >= MAX_BATCH ? 0 : FLUSH_DELAY);
  };
}

// --- the banner and panel (the shop's own pages) ---------------------------------------------------

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

export function mountPrivacy(root, client) {
  const titleId = uid("privacy-title");
  const status = h("p", { class: "privacy-status", role: "status", "aria-live": "polite" });
  const current = () => privacyChoice.get(client.base);
  const preferences = toggle(TEXT.preferences, current()?.purposes?.preferences === true);
  const recommendations = toggle(TEXT.recommendations, current()?.purposes?.recommendations === true);

  async function save(purposes, message) {
    try {
      await choose(client, purposes);
      preferences.input.checked = purposes.preferences;
      recommendations.input.checked = purposes.recommendations;
      status.textContent = message;
      window.setTimeout(close, 800);
    } catch {
      status.textContent = "Your choice could not be saved. Please try again.";
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
      button("Download my data", async () => {
        try {
          download("atelier-my-data.json", await client.exportShopper(shopper));
          status.textContent = "Your data was downloaded.";
        } catch {
          status.textContent = "Your data could not be downloaded. Please try again.";
        }
      }),
      button("Erase my data", async () => {
        if (!window.confirm("Erase what this shop keeps under your random id? Orders are kept for accounting.")) return;
        try {
          await client.eraseShopper(shopper);
        } catch (error) {
          if (error.status !== 404) {
            status.textContent = "Your data could not be erased. Please try again.";
            return;
          }
        }
        privacyChoice.clear(client.base);
        preferences.input.checked = false;
        recommendations.input.checked = false;
        status.textContent = "Erased. Nothing is recorded until you choose again.";
        renderRights();
      }),
    );
  }

  const panel = h(
    "section",
    { class: "privacy-panel", "aria-labelledby": titleId, tabindex: "-1", hidden: true },
    h("h2", { id: titleId, class: "privacy-title" }, TEXT.title),
    h("p", {}, TEXT.intro),
    h("div", { class: "privacy-toggles" }, preferences.element, recommendations.element),
    h(
      "div",
      { class: "privacy-actions" },
      button("Accept all", () => save({ preferences: true, recommendations: true }, "Thank you: your choices are recorded.")),
      button("Decline all", () => save({ preferences: false, recommendations: false }, "Nothing about what you do here is recorded.")),
      button("Save my choices", () =>
        save(
          { preferences: preferences.input.checked, recommendations: recommendations.input.checked },
          "Your choices are saved.",
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
  for (const opener of document.querySelectorAll("[data-privacy-open]")) {
    opener.hidden = false;
    opener.addEventListener("click", open);
  }
  return { open, close };
}

const mount = typeof document !== "undefined" ? document.querySelector("[data-privacy]") : null;
if (mount) mountPrivacy(mount, createClient());
