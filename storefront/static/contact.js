// The shopper's contact details and shipping address, as checkout asks for them and as a pre-order
// does: the same fields, the same countries first, the same messages shown at the same moments.

import { h } from "./dom.js";
import { language, t } from "./i18n.js";
import { client, field, showFieldError } from "./page.js";

// Shipping and tax follow the country; these are offered first, the rest of the world after them.
const COUNTRIES = ["FR", "BE", "DE", "ES", "IT", "LU", "NL", "AT", "PT", "IE", "MC", "GB", "CH", "US", "CA", "AU", "JP", "SE", "DK", "NO", "PL"];

// What a required field needs, in the shopper's words.
const MISSING = {
  email: () => t("Enter your email address."),
  name: () => t("Enter your full name."),
  line1: () => t("Enter the street and number."),
  postal_code: () => t("Enter the postal code."),
  city: () => t("Enter the city."),
  country: () => t("Choose your country."),
  region: () => t("Choose your state, province or region."),
};

/** The shopper's mistake in a control, or null; checked in the browser before the shop answers. */
function controlProblem(control) {
  if (control.validity.valueMissing || (control.required && !control.value.trim())) {
    return MISSING[control.id]?.() ?? t("This is required.");
  }
  if (control.validity.typeMismatch && control.type === "email") {
    // Translators: keep the example address as it is.
    return t("Enter an email address such as name@example.org.");
  }
  if (control.validity.rangeUnderflow || control.validity.rangeOverflow || control.validity.badInput) {
    return t("Enter a number from {min} to {max}.", { min: Number(control.min), max: Number(control.max) });
  }
  return null;
}

/**
 * Field errors appear once the shopper has left a field they were in (touched) or submitted the form,
 * never on arrival; a shown error follows what they type and goes as soon as the value is right.
 */
export function validateWhenTouched(form) {
  const touched = new Set();
  form.addEventListener("focusout", (event) => {
    const control = event.target;
    if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement) || !control.id) return;
    touched.add(control.id);
    showFieldError(form, control, controlProblem(control));
  });
  form.addEventListener("input", (event) => {
    const control = event.target;
    if (touched.has(control.id) || control.hasAttribute("aria-invalid")) showFieldError(form, control, controlProblem(control));
  });
  return {
    /** On submit: every field counts as touched; the first control in error, or null. */
    checkAll() {
      let first = null;
      for (const control of form.querySelectorAll("input[id], select[id]")) {
        touched.add(control.id);
        const problem = controlProblem(control);
        showFieldError(form, control, problem);
        if (problem) first ??= control;
      }
      return first;
    },
  };
}

/**
 * The "Contact" and "Shipping address" fieldsets, filled with what the shop already has.
 * `countryRefused`: the saved country is none the shop accepts (UK, saved before countries were
 * checked), so none is chosen for the shopper, who is told what to correct.
 */
export function contactFieldsets(contact = {}, { countryRefused = false } = {}) {
  const names = new Intl.DisplayNames([language], { type: "region" });
  const address = contact.address ?? {};
  const chosen = countryRefused ? "" : (address.country ?? "FR");
  // A country the API took that this list lacks (given through the API) stays offered, and chosen.
  const offered = chosen && !COUNTRIES.includes(chosen) ? [...COUNTRIES, chosen] : COUNTRIES;
  const countries = [...offered].sort((a, b) => names.of(a).localeCompare(names.of(b), language));
  const input = (id, attributes) => h("input", { id, name: id, class: "atelier-input", ...attributes });
  return [
    // Translators: the heading of the e-mail address and name at checkout.
    h("fieldset", {}, h("legend", {}, t("Contact")),
      field(t("Email"), input("email", { type: "email", autocomplete: "email", required: true, value: contact.email ?? "" })),
      field(t("Full name"), input("name", { autocomplete: "name", required: true, value: contact.name ?? "" }))),
    h("fieldset", {}, h("legend", {}, t("Shipping address")),
      // Translators: the street and number of the shipping address.
      field(t("Address"), input("line1", { autocomplete: "address-line1", required: true, value: address.line1 ?? "" })),
      field(t("Address line 2 (optional)"), input("line2", { autocomplete: "address-line2", value: address.line2 ?? "" })),
      h("div", { class: "form-row" },
        field(t("Postal code"), input("postal_code", { autocomplete: "postal-code", required: true, value: address.postal_code ?? "" })),
        field(t("City"), input("city", { autocomplete: "address-level2", required: true, value: address.city ?? "" }))),
      field(t("Country"), h("select", { id: "country", name: "country", class: "atelier-input", autocomplete: "country", required: true },
        chosen ? null : h("option", { value: "", selected: true }, t("Choose…")),
        ...countries.map((code) => h("option", { value: code, selected: chosen === code }, names.of(code)))),
        t("Shipping and tax follow the country.")),
      regionField(address.region)),
  ];
}

// The region select, hidden until a country whose tax depends on it is chosen (watchDestination).
function regionField(saved) {
  const select = h("select", { id: "region", name: "region", class: "atelier-input", autocomplete: "address-level1", disabled: true, "data-saved": saved ?? "" });
  const wrapper = field(t("State, province or region"), select, t("Tax here depends on it."));
  wrapper.hidden = true;
  wrapper.dataset.regionField = "";
  return wrapper;
}

/**
 * Keep the region select in step with the country: the shop says, per country, whether its tax
 * depends on the region and which to offer (named in the shopper's language, sorted as they read).
 * `onDestination(country, region)` is called once the select is ready, and after each change.
 */
export function watchDestination(form, onDestination = () => {}) {
  const country = form.elements.country;
  const region = form.elements.region;
  const wrapper = form.querySelector("[data-region-field]");
  let asked = 0;
  const changed = () => onDestination(country.value, wrapper.hidden ? null : region.value || null);
  async function fill() {
    const mine = ++asked;
    let answer = { required: false, regions: [] };
    if (country.value) {
      try {
        answer = await client.regions(country.value);
      } catch {
        // The shop could not be reached: the form stays usable, and the shop checks the address.
      }
    }
    if (mine !== asked) return; // the shopper chose another country meanwhile
    const keep = region.value || region.dataset.saved;
    region.dataset.saved = "";
    const sorted = [...answer.regions].sort((a, b) => a.name.localeCompare(b.name, language));
    region.replaceChildren(
      h("option", { value: "" }, t("Choose…")),
      ...sorted.map((r) => h("option", { value: r.code, selected: r.code === keep }, r.name)),
    );
    wrapper.hidden = !answer.required;
    region.required = answer.required;
    region.disabled = !answer.required;
    if (!answer.required) showFieldError(form, region, null);
    await changed();
  }
  country.addEventListener("change", fill);
  region.addEventListener("change", changed);
  return fill();
}

/** The contact the API takes, from a form holding contactFieldsets. */
export function contactFrom(form) {
  const value = (id) => form.elements[id].value.trim();
  return {
    email: value("email"),
    name: value("name"),
    address: {
      country: value("country"),
      region: form.elements.region.disabled ? null : value("region") || null,
      postal_code: value("postal_code"),
      city: value("city"),
      line1: value("line1"),
      line2: value("line2") || null,
    },
  };
}
