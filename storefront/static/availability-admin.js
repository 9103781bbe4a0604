// The merchant's availability page: every option of the live products with a sold out / paused until /
// on sale control that takes effect at once, through the admin API with a token kept in this tab.

import { AdminApi, adminToken } from "./admin-api.js";
import { dateTime, h } from "./dom.js";

const enc = encodeURIComponent;
const STATES = { available: "On sale", sold_out: "Sold out", paused: "Paused until…" };

const pad = (n) => String(n).padStart(2, "0");
/** A date as a datetime-local input holds it (the merchant's own time, to the minute). */
function localInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

const names = new Intl.DisplayNames(["en"], { type: "language" });
/** "French" for fr: the page is in English. */
const languageName = (language) => names.of(language) ?? language;

/** What the option's row says of it now. */
function stateText(option) {
  if (option.available) return "On sale.";
  const said = option.reason?.en ?? Object.values(option.reason ?? {})[0] ?? "";
  const state = option.state === "paused" ? `Paused until ${dateTime(option.until)}.` : "Sold out.";
  return `${state} Shoppers read: “${said}”`;
}

function start() {
  const root = document.querySelector("[data-availability-admin]");
  const tokenForm = root.querySelector("[data-token-form]");
  const work = root.querySelector("[data-work]");
  const status = root.querySelector("[data-status]");
  const filter = root.querySelector("[data-product-filter]");
  const listStatus = root.querySelector("[data-list-status]");
  const list = root.querySelector("[data-products]");
  let api = null;
  let languages = ["en"]; // the brand's, from the list

  function askToken(message) {
    adminToken.clear();
    work.hidden = true;
    tokenForm.hidden = false;
    status.textContent = message || "";
  }

  function refused(error) {
    if (!error.refusedToken) return false;
    askToken(`The token was refused: ${error.message}`);
    return true;
  }

  /** One option's row: its state, and a small form to change it (Enter or the button saves). */
  function optionRow(product, attribute, option) {
    const id = `${product.product_key}-${attribute.key}-${option.option_key}`.replace(/[^A-Za-z0-9_-]/g, "_");
    const stateLine = h("p", { class: "availability-state", id: `${id}-state`, dataset: { state: option.state } }, stateText(option));
    const select = h("select", { id: `${id}-choice`, name: "state", class: "atelier-input", "aria-describedby": `${id}-state` },
      ...Object.entries(STATES).map(([value, label]) => h("option", { value, selected: value === option.state }, label)));
    const until = h("input", { id: `${id}-until`, name: "until", type: "datetime-local", class: "atelier-input" });
    until.value = localInput(option.until ? new Date(option.until) : new Date(Date.now() + 7 * 24 * 3600 * 1000));
    const untilField = h("div", { class: "form-field", hidden: select.value !== "paused" },
      h("label", { for: until.id, class: "atelier-label" }, "Back on"), until);
    // One message per language of the brand; a language left empty reads ours.
    const messages = languages.map((language) => {
      const input = h("input", { id: `${id}-message-${language}`, name: `message.${language}`, lang: language, class: "atelier-input", maxlength: 200, autocomplete: "off", placeholder: "Optional" });
      input.value = option.message?.[language] ?? "";
      return { language, input };
    });
    const messageFields = messages.map(({ language, input }) => h("div", { class: "form-field", hidden: select.value === "available" },
      h("label", { for: input.id, class: "atelier-label" }, `Message for shoppers (${languageName(language)})`), input));
    const save = h("button", { type: "submit", class: "atelier-button" }, "Save");
    const form = h("form", { class: "availability-option", dataset: { option: `${attribute.key}.${option.option_key}` }, "aria-labelledby": `${id}-name` },
      h("div", { class: "form-field" }, h("label", { for: select.id, id: `${id}-name`, class: "availability-option-name" }, option.label), select),
      untilField, ...messageFields, save, stateLine);
    select.addEventListener("change", () => {
      untilField.hidden = select.value !== "paused";
      for (const messageField of messageFields) messageField.hidden = select.value === "available";
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const path = `/api/v1/admin/availability/${enc(product.product_key)}/${enc(attribute.key)}/${enc(option.option_key)}`;
      save.disabled = true;
      try {
        let changed;
        if (select.value === "available") {
          changed = await api.call("DELETE", path);
        } else {
          const body = { state: select.value };
          if (select.value === "paused") body.until = new Date(until.value).toISOString();
          const written = messages.filter(({ input }) => input.value.trim());
          if (written.length) body.message = Object.fromEntries(written.map(({ language, input }) => [language, input.value.trim()]));
          changed = await api.call("PUT", path, { body });
        }
        stateLine.dataset.state = changed.state;
        stateLine.textContent = stateText({ ...changed, label: option.label });
        listStatus.textContent = `${product.label}, ${attribute.label}, ${option.label}: saved.`;
      } catch (error) {
        if (refused(error)) return;
        const detail = error.problem?.errors?.map((e) => e.detail).join(" ") || "";
        stateLine.textContent = `Not saved: ${error.message} ${detail}`.trim();
        stateLine.dataset.state = "error";
        select.focus();
      } finally {
        save.disabled = false;
      }
    });
    return h("li", {}, form);
  }

  function productSection(product) {
    const headingId = `product-${product.product_key}`;
    return h("section", { class: "availability-product", "aria-labelledby": headingId },
      h("h2", { id: headingId }, product.label),
      ...product.attributes.map((attribute) => h("fieldset", { class: "availability-attribute" },
        h("legend", {}, attribute.label),
        h("ul", { class: "availability-options" }, ...attribute.options.map((option) => optionRow(product, attribute, option))))));
  }

  async function show() {
    list.replaceChildren();
    listStatus.textContent = "Loading…";
    const query = filter.value ? `?product=${enc(filter.value)}` : "";
    try {
      const found = await api.get(`/api/v1/admin/availability${query}`);
      languages = found.languages.length ? found.languages : ["en"];
      if (!filter.value && filter.options.length === 1) {
        filter.append(...found.items.map((p) => h("option", { value: p.product_key }, p.label)));
      }
      list.append(...found.items.map(productSection));
      const off = found.items.flatMap((p) => p.attributes.flatMap((a) => a.options)).filter((o) => !o.available).length;
      listStatus.textContent = off ? `${off} option${off === 1 ? "" : "s"} off sale.` : "Every option is on sale.";
    } catch (error) {
      if (refused(error)) return;
      listStatus.textContent = error.message;
    }
  }

  async function begin(token) {
    api = new AdminApi(token);
    tokenForm.hidden = true;
    work.hidden = false;
    status.textContent = "";
    await show();
  }

  tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = String(new FormData(tokenForm).get("token") || "").trim();
    if (!token) return;
    adminToken.set(token);
    tokenForm.reset();
    await begin(token);
  });
  filter.addEventListener("change", show);
  root.querySelector("[data-forget]").addEventListener("click", () => askToken("The token is forgotten."));

  const saved = adminToken.get();
  if (saved) begin(saved);
  else askToken();
}

start();
