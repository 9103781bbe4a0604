// What every page of the shop's own shares: its API client, its title, how it says a problem, the
// preview box, form fields with their messages, and the designs saved in this browser.

import { ApiError, createClient } from "./api.js";
import { announce, h } from "./dom.js";
import { t } from "./i18n.js";

export const client = createClient();
export const main = document.querySelector("main");
const announcer = document.querySelector("[data-announcer]");
export const say = (message) => announce(announcer, message);
// The brand's name, as the page's header shows it, for the titles written below.
const shopName = document.querySelector('meta[name="application-name"]')?.content ?? "";
// Translators: a page's title in the browser's tab: the page, then the shop's name.
export const pageTitle = (text) => (shopName ? t("{page} · {shop}", { page: text, shop: shopName }) : text);

/** The shopper's sentence of a problem: the API's `detail`, already in their language. */
export function problemText(error) {
  if (error instanceof ApiError) return error.problem?.detail || error.problem?.title || error.message;
  return String(error);
}

export function showError(container, error, intro) {
  container.removeAttribute("aria-busy");
  container.replaceChildren(
    h("div", { class: "atelier-alert", role: "alert" }, h("p", {}, intro), h("p", {}, problemText(error))),
  );
}

const specs = new Map();
/** A product's description (labels of its attributes and options), asked once per page. */
export async function productSpec(key) {
  if (!specs.has(key)) specs.set(key, client.product(key));
  return specs.get(key);
}

export function previewBox(label, preview, { alt = t("Preview of {product}", { product: label }) } = {}) {
  const box = h("figure", { class: "atelier-preview" });
  if (preview?.url) {
    box.append(h("img", { class: "atelier-preview-image", src: preview.url, width: preview.width, height: preview.height, alt }));
  } else {
    box.append(h("span", { class: "atelier-preview-name" }, label));
  }
  return box;
}

/** A labelled control with the room for its message (shown by showFieldError) and an optional hint. */
export function field(label, control, hint) {
  const id = control.id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h("div", { class: "form-field" }, h("label", { for: id, class: "atelier-label" }, label), control,
    h("p", { class: "atelier-field-message", id: `${id}-error`, hidden: true }),
    hint ? h("p", { class: "atelier-help", id: hintId }, hint) : null);
}

export function showFieldError(form, control, message) {
  const shown = form.querySelector(`#${control.id}-error`);
  if (!shown) return;
  shown.textContent = message ?? "";
  shown.hidden = !message;
  const hint = form.querySelector(`#${control.id}-hint`) ? `${control.id}-hint` : null;
  if (message) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", hint ? `${shown.id} ${hint}` : shown.id);
  } else {
    control.removeAttribute("aria-invalid");
    if (hint) control.setAttribute("aria-describedby", hint);
    else control.removeAttribute("aria-describedby");
  }
}

/**
 * Put the API's field errors next to their controls (a field path's last part names the control);
 * the first control in error, or null when none of them is in the form.
 */
export function showFieldErrors(form, error) {
  let first = null;
  for (const fieldError of error.problem?.errors ?? []) {
    const control = form.elements[String(fieldError.field ?? "").split(".").pop()];
    if (!(control instanceof Element)) continue;
    showFieldError(form, control, fieldError.detail);
    first ??= control;
  }
  return first;
}

/** Clear every message the form shows next to its controls. */
export function clearFieldErrors(form) {
  for (const control of form.querySelectorAll("[id]")) {
    if (form.querySelector(`#${control.id}-error`)) showFieldError(form, control, null);
  }
}

// The designs saved in this browser (newest last): whoever saved one may offer it to the gallery from
// its page. Only ids, like the cart's token; the shop decides whose a design is.
const SAVED_SLOT = "atelier.designs";
const SAVED_KEPT = 50;

export const savedDesigns = {
  list() {
    try {
      const kept = JSON.parse(window.localStorage.getItem(SAVED_SLOT) || "[]");
      return Array.isArray(kept) ? kept : [];
    } catch {
      return [];
    }
  },
  has(id) {
    return this.list().includes(id);
  },
  add(id) {
    const kept = [...this.list().filter((other) => other !== id), id].slice(-SAVED_KEPT);
    try {
      window.localStorage.setItem(SAVED_SLOT, JSON.stringify(kept));
    } catch {
      // Storage may be off: the design's page then offers no publishing, nothing else changes.
    }
  },
};

/** Stripe.js, loaded only when the shop takes cards, and only on the page that asks for one. */
export function loadStripe() {
  return new Promise((resolve, reject) => {
    if (window.Stripe) {
      resolve(window.Stripe);
      return;
    }
    const script = h("script", { src: "https://js.stripe.com/v3/" });
    script.addEventListener("load", () => resolve(window.Stripe));
    script.addEventListener("error", () => reject(new Error(t("The card payment form could not be loaded. Check your connection and try again."))));
    document.head.append(script);
  });
}
