// The shop's public JSON API, the one source of prices and validation for the pages and the widget.
// Every call asks for the scripts' language (Accept-Language, a header any page may send): the API's
// texts (reasons, labels, problems) then read in the same language as the scripts' own.

import { language, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(problem, status) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }

  /** The message of a field's error, e.g. fieldError("picks.width"). */
  fieldError(path) {
    return this.problem?.errors?.find((e) => e.field === path)?.detail ?? null;
  }
}

const enc = encodeURIComponent;

export function createClient({ base = "", key = null } = {}) {
  async function call(method, path, body, { keepalive = false } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": language };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // Partners identify themselves on every call; the shop checks the key against the page's origin.
    if (key) headers["X-Atelier-Key"] = key;
    // Only while the shopper consents does the shop learn which (pseudonymous) shopper is asking.
    const shopper = recordingShopper({ base, key });
    if (shopper) headers["X-Atelier-Shopper"] = shopper;
    let response;
    try {
      response = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        // Answers are live (prices, credits, votes). The API marks them no-cache, but a page opened
        // with Back takes what it asks for from the cache all the same: ask the shop each time. Only
        // on the shop's own pages.
        cache: base ? "default" : "no-cache",
        keepalive, // a request that may outlive the page (the last events when it closes)
      });
    } catch {
      throw new ApiError(
        {
          title: t("Network error"),
          status: 0,
          detail: t("The shop could not be reached, or it does not allow this site to show its products. Check your connection and try again."),
        },
        0,
      );
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(data ?? { title: response.statusText, status: response.status }, response.status);
    }
    return data;
  }

  return {
    base,
    key,
    /** The headers of a request made outside `call` (an upload, advice): the language and the key. */
    headers: () => ({ Accept: "application/json", "Accept-Language": language, ...(key ? { "X-Atelier-Key": key } : {}) }),
    url: (path) => new URL(path, base || window.location.origin).href,
    products: () => call("GET", "/api/v1/products"),
    product: (product) => call("GET", `/api/v1/products/${enc(product)}`),
    configure: (product, body) => call("POST", `/api/v1/products/${enc(product)}/configure`, body),
    repair: (product, body) => call("POST", `/api/v1/products/${enc(product)}/repair`, body),
    saveDesign: (product, picks) => call("POST", "/api/v1/designs", { product, picks }),
    remix: (id, picks) => call("POST", `/api/v1/designs/${enc(id)}/remix`, { picks }),
    // A design priced in `currency` when given (the shopper's), else in the shop's first currency.
    design: (id, currency) => call("GET", `/api/v1/designs/${enc(id)}${currency ? `?currency=${enc(currency)}` : ""}`),
    createCart: (currency) => call("POST", "/api/v1/carts", currency ? { currency } : {}),
    // With a destination ({ country, region }) the cart's shipping and tax are those of that address.
    cart: (token, destination) =>
      call("GET", `/api/v1/carts/${enc(token)}${destination ? `?${new URLSearchParams(Object.entries(destination).filter(([, v]) => v))}` : ""}`),
    regions: (country) => call("GET", `/api/v1/countries/${enc(country)}/regions`),
    addLine: (token, design, quantity) => call("POST", `/api/v1/carts/${enc(token)}/lines`, { design, quantity }),
    setQuantity: (token, line, quantity) => call("PATCH", `/api/v1/carts/${enc(token)}/lines/${line}`, { quantity }),
    removeLine: (token, line) => call("DELETE", `/api/v1/carts/${enc(token)}/lines/${line}`),
    setContact: (token, contact) => call("PUT", `/api/v1/carts/${enc(token)}/contact`, contact),
    checkout: (token) => call("POST", `/api/v1/carts/${enc(token)}/checkout`, {}),
    order: (token) => call("GET", `/api/v1/orders/${enc(token)}`),
    completeOrder: (token) => call("POST", `/api/v1/orders/${enc(token)}/complete`),
    createShopper: () => call("POST", "/api/v1/shoppers"),
    consent: (shopper) => call("GET", `/api/v1/shoppers/${enc(shopper)}/consent`),
    setConsent: (shopper, purposes, wording_version) =>
      call("PUT", `/api/v1/shoppers/${enc(shopper)}/consent`, { purposes, wording_version }),
    sendEvents: (shopper, events, { keepalive = false } = {}) =>
      call("POST", "/api/v1/events", { shopper, events }, { keepalive }),
    // The community: the gallery and the idea board. Votes, follows and reports go to the links the
    // answers carry (links.vote, links.follow, links.report) through `send`.
    gallery: (query) => call("GET", `/api/v1/gallery?${new URLSearchParams(query)}`),
    galleryEntry: (id) => call("GET", `/api/v1/gallery/${enc(id)}`),
    myEntries: () => call("GET", "/api/v1/gallery/mine"),
    publish: (design, title, display_name) => call("POST", "/api/v1/gallery", { design, title, display_name }),
    ideas: (query) => call("GET", `/api/v1/ideas?${new URLSearchParams(query)}`),
    idea: (id) => call("GET", `/api/v1/ideas/${enc(id)}`),
    suggestIdea: (idea) => call("POST", "/api/v1/ideas", idea),
    // Campaigns: votes go to each candidate's links.vote, pre-orders to links.preorders (`send`).
    campaigns: (query = {}) => call("GET", `/api/v1/campaigns?${new URLSearchParams(query)}`),
    campaign: (id, query = {}) => call("GET", `/api/v1/campaigns/${enc(id)}?${new URLSearchParams(query)}`),
    completePreorder: (order) => call("POST", `/api/v1/preorders/${enc(order)}/complete`),
    send: (method, link, body) => call(method, link, body),
    exportShopper: (shopper) => call("GET", `/api/v1/shoppers/${enc(shopper)}/export`),
    eraseShopper: (shopper) => call("DELETE", `/api/v1/shoppers/${enc(shopper)}`),
  };
}

// The cart's token is the key to it: it lives in this browser only, one per shop.
function cartSlot(client) {
  return client.base ? `atelier.cart@${client.base}` : "atelier.cart";
}

export const cartToken = {
  get(client) {
    try {
      return window.localStorage.getItem(cartSlot(client));
    } catch {
      return null;
    }
  },
  set(client, token) {
    try {
      window.localStorage.setItem(cartSlot(client), token);
    } catch {
      // Storage may be off (private mode): the cart lives as long as the page.
    }
  },
  clear(client) {
    try {
      window.localStorage.removeItem(cartSlot(client));
    } catch {
      // Nothing kept, nothing to clear.
    }
  },
};

// The privacy choice made in this browser, one per shop and partner: {shopper, purposes,
// wording_version}. The shopper id is the key to the shopper's data (export, erasure): like the cart's
// token, it stays here. `where` is a client, or {base, key}: the shop's origin (empty on its own pages)
// and the partner's publishable key (null on the shop's pages). A choice made in one partner's widget
// never stands for another partner's, nor for the shop's own pages: each asks for itself.
function privacySlot({ base = "", key = null } = {}) {
  return `atelier.privacy${base ? `@${base}` : ""}${key ? `#${key}` : ""}`;
}

export const privacyChoice = {
  get(where) {
    try {
      return JSON.parse(window.localStorage.getItem(privacySlot(where)) || "null");
    } catch {
      return null;
    }
  },
  set(where, choice) {
    try {
      window.localStorage.setItem(privacySlot(where), JSON.stringify(choice));
    } catch {
      // Storage may be off: the choice lasts as long as the page, and the banner asks again next time.
    }
  },
  clear(where) {
    try {
      window.localStorage.removeItem(privacySlot(where));
    } catch {
      // Nothing kept, nothing to clear.
    }
  },
};

/** The shopper id to send, only while this browser's choice grants "preferences"; else null. */
export function recordingShopper(where) {
  const choice = privacyChoice.get(where);
  return choice?.shopper && choice.purposes?.preferences === true ? choice.shopper : null;
}

/** The open cart of this browser, made when there is none (or the old one was checked out). */
export async function openCart(client, currency) {
  const token = cartToken.get(client);
  if (token) {
    try {
      const cart = await client.cart(token);
      if (cart.status === "open") return cart;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
  }
  const cart = await client.createCart(currency);
  cartToken.set(client, cart.id);
  return cart;
}
