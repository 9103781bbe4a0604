// Small helpers shared by the pages and the widget: building elements, money, graphemes.

import { language, number, t } from "./i18n.js";

/** h("p", {class: "x", onclick: fn}, "text", child) — attributes set as properties when they are. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "style" && typeof value === "object") {
      Object.assign(element.style, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

let counter = 0;
/** A document-unique id for aria-describedby and label/for pairs. */
export function uid(prefix = "atelier") {
  counter += 1;
  return `${prefix}-${counter}`;
}

const formats = new Map();
/**
 * Amounts arrive as exact decimal strings; Intl formats the string itself, never a float, the way the
 * shopper's language writes money (CLDR: "14,00 €" in French, "€14.00" in English).
 */
export function money(amount, currency, { signed = false } = {}) {
  const id = `${language}|${currency}|${signed}`;
  if (!formats.has(id)) {
    formats.set(
      id,
      new Intl.NumberFormat(language, {
        style: "currency",
        currency,
        signDisplay: signed ? "exceptZero" : "auto",
      }),
    );
  }
  return formats.get(id).format(amount);
}

const segmenter = "Segmenter" in Intl ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
/** Length as a person counts it (and as the shop's limits do): grapheme clusters, so 👍🏽 is one. */
export function graphemeCount(text) {
  if (!segmenter) return [...text].length;
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
}

/** "3 votes", in English only: the merchant's admin pages. Shoppers' texts use i18n.js's `tn`. */
export function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** Say something in a polite live region; cleared first so the same words are said again. */
export function announce(region, message) {
  if (!region || !message) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

const dateFormats = new Map();
/** A moment from the API (ISO 8601) in the reader's time zone: "21 December 2026 at 18:00". */
export function dateTime(iso, { time = true } = {}) {
  const id = `${language}|${time}`;
  if (!dateFormats.has(id)) {
    dateFormats.set(
      id,
      new Intl.DateTimeFormat(language, time ? { dateStyle: "long", timeStyle: "short" } : { dateStyle: "long" }),
    );
  }
  return dateFormats.get(id).format(new Date(iso));
}

const dayFormats = new Map();
/** A calendar day from the API ("2027-01-19"), the same day wherever the reader is: "19 January 2027". */
export function day(iso) {
  if (!dayFormats.has(language)) {
    dayFormats.set(language, new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" }));
  }
  return dayFormats.get(language).format(new Date(`${iso}T00:00:00Z`));
}

/**
 * A translated sentence with elements in it: `nodes(t("From {price}"), { price: h("strong", {}, "€9") })`
 * gives ["From ", <strong>], to append; the translation puts the elements where its language does.
 */
export function nodes(text, parts) {
  return text
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .filter(Boolean)
    .map((piece) => {
      const name = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(piece)?.[1];
      return name && name in parts ? parts[name] : piece;
    });
}

/** A text the shopper typed, quoted the way the language quotes. */
export function quoted(text) {
  // Translators: quotation marks around a text the shopper typed: « {text} » in French, „{text}“ in German.
  return t("“{text}”", { text });
}

/** A number with its unit ("140 cm"), the number written the way the language writes it. */
export function withUnit(value, unit) {
  // Translators: a number and its unit, e.g. "140 cm".
  return unit ? t("{value} {unit}", { value: number(value), unit }) : number(value);
}
