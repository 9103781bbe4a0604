// The shopper's language and currency, and the texts the scripts write in that language.
//
// The texts are gettext messages: `t("Add to cart")`, `tn("{n} design", "{n} designs", count)`, with
// named parameters (`t("Price now {price}.", { price })`). `make messages` extracts them into
// storefront/translations; the shop serves the compiled catalog of the shopper's language at
// assets/messages.json, which this module loads once, before any page or widget module runs (a
// top-level await), so every text is written in one language from the first paint.
//
// The language is the shopper's own choice (remembered in this browser), else what the shop
// negotiates from the browser's languages; the shop's pages carry the same choice in a cookie, so the
// page around the scripts (<html lang>, the header) agrees. Money, numbers, lists and dates are
// formatted by Intl, whose data is CLDR's, in that language.
//
// A shop page changes language by reloading (`chooseLanguage`, then `location.reload()`); a widget on
// a partner's page cannot reload its host, so it loads the new catalog in place (`switchLanguage`) and
// draws itself again when told (`onLanguageChange`). `language` and the other exports are live.

const LANGUAGE_SLOT = "atelier.language";
const CURRENCY_SLOT = "atelier.currency";
export const LANGUAGE_COOKIE = "atelier_language";

function remembered(slot) {
  try {
    return window.localStorage.getItem(slot);
  } catch {
    return null; // storage may be off: the browser's languages and the shop's default then decide
  }
}

function remember(slot, value) {
  try {
    window.localStorage.setItem(slot, value);
  } catch {
    // Storage off: the choice holds for this page only.
  }
}

const EMPTY = { language: "en", direction: "ltr", messages: {}, languages: [], plural_forms: ["one", "other"] };

async function loadCatalog(chosen) {
  const url = new URL("messages.json", import.meta.url);
  if (chosen) url.searchParams.set("lang", chosen);
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    return response.ok ? { ...EMPTY, ...(await response.json()) } : EMPTY;
  } catch {
    return EMPTY; // the shop could not be reached: the API's own error says so, in English
  }
}

let catalog;
/** The language the scripts write in (a BCP 47 tag, e.g. "fr"), and its direction ("ltr" | "rtl"). */
export let language;
export let direction;
/** The languages the shop offers: [{ code, name }], each named in its own language. */
export let languages;
let pluralRules;
let listFormat;
const numberFormats = new Map();

function use(loaded) {
  catalog = loaded;
  language = loaded.language;
  direction = loaded.direction;
  languages = loaded.languages;
  pluralRules = new Intl.PluralRules(language);
  listFormat = new Intl.ListFormat(language, { style: "long", type: "conjunction" });
  numberFormats.clear();
}

use(await loadCatalog(remembered(LANGUAGE_SLOT)));

function fill(text, params) {
  if (!params) return text;
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name) =>
    name in params ? (typeof params[name] === "number" ? number(params[name]) : String(params[name])) : whole);
}

/** `message` in the shopper's language, its `{name}` parameters filled in. */
export function t(message, params) {
  const found = catalog.messages[message];
  return fill(typeof found === "string" && found ? found : message, params);
}

/** The form of `singular`/`plural` the language uses for `n`, given to the text as `{n}`. */
export function tn(singular, plural, n, params) {
  const forms = catalog.messages[singular];
  const category = pluralRules.select(n);
  let text;
  if (Array.isArray(forms) && forms.length && forms.every(Boolean)) {
    // gettext's forms come in the order of the language's CLDR categories (the catalog lists them,
    // e.g. French: one, many, other); a category the catalog lacks takes the "other" form.
    const order = catalog.plural_forms ?? EMPTY.plural_forms;
    const index = order.includes(category) ? order.indexOf(category) : order.indexOf("other");
    text = forms[Math.min(Math.max(index, 0), forms.length - 1)];
  } else {
    text = category === "one" ? singular : plural;
  }
  return fill(text, { n, ...params });
}

/** "A, B and C" as the language joins a list. */
export function list(items) {
  return listFormat.format(items.map(String));
}

/** Remember a language the shopper chose; the caller reloads so that every text follows. */
export function chooseLanguage(code) {
  remember(LANGUAGE_SLOT, code);
  // On the shop's own pages the server writes <html lang> and the header in the same language; a
  // partner's page is none of the shop's business, its cookies included.
  if (new URL(import.meta.url).origin === window.location.origin) {
    document.cookie = `${LANGUAGE_COOKIE}=${encodeURIComponent(code)}; path=/; max-age=31536000; SameSite=Lax`;
  }
}

const languageListeners = new Set();

/** Remember `code` and load its catalog in place; every listener (onLanguageChange) is then told. */
export async function switchLanguage(code) {
  chooseLanguage(code);
  use(await loadCatalog(code));
  for (const listener of [...languageListeners]) listener(language);
}

/** Call `listener(language)` after every switchLanguage; returns the function that stops it. */
export function onLanguageChange(listener) {
  languageListeners.add(listener);
  return () => languageListeners.delete(listener);
}

/** The currency to show prices in: the shopper's choice when the shop sells in it, else the shop's first. */
export function currencyFrom(offered) {
  const chosen = remembered(CURRENCY_SLOT);
  return offered?.includes(chosen) ? chosen : offered?.[0];
}

export function chooseCurrency(code) {
  remember(CURRENCY_SLOT, code);
}

/** A currency named in the language, inside a sentence: "euro", "US-Dollar". */
export function currencyName(code) {
  try {
    return new Intl.DisplayNames([language], { type: "currency" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** A number as the language writes it: "1 234,5" in French. */
export function number(value, options = {}) {
  const id = JSON.stringify(options);
  if (!numberFormats.has(id)) numberFormats.set(id, new Intl.NumberFormat(language, options));
  return numberFormats.get(id).format(value);
}
