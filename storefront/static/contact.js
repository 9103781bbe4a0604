// The shopper's contact details and shipping address, as checkout asks for them and as a pre-order
// does: the same fields, the same countries first, the same messages shown at the same moments.

import { h } from "./dom.js";
import { language, t } from "./i18n.js";
import { field, showFieldError } from "./page.js";

// Shipping and tax follow the country; these are offered first, the rest of the world after them.
const COUNTRIES = ["FR", "BE", "DE", "ES", "IT", "LU", "NL", "AT", "PT", "IE", "MC", "GB", "CH", "US", "CA", "AU", "JP", "SE", "DK", "NO", "PL"];

// What a required field needs, in the shopper's words.
const MISSING = {
  email: () => t("Enter your email address."),
  name: () => t("Enter your full name."),
  line1: () => t("Enter the street and number."),
  postal_code: () => t("Enter the postal code."),
  city: () => t("Enter the city."),
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
    if (!(control instanceof HTMLInputElement) || !control.id) return;
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
      for (const control of form.querySelectorAll("input[id]")) {
        touched.add(control.id);
        const problem = controlProblem(control);
        showFieldError(form, control, problem);
        if (problem) first ??= control;
      }
      return first;
    },
  };
}

/** The "Contact" and "Shipping address" fieldsets, filled with what the shop already has. */
export function contactFieldsets(contact = {}) {
  const names = new Intl.DisplayNames([language], { type: "region" });
  const countries = [...COUNTRIES].sort((a, b) => names.of(a).localeCompare(names.of(b), language));
  const address = contact.address ?? {};
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
        ...countries.map((code) => h("option", { value: code, selected: (address.country ?? "FR") === code }, names.of(code)))),
        t("Shipping and tax follow the country."))),
  ];
}

/** The contact the API takes, from a form holding contactFieldsets. */
export function contactFrom(form) {
  const value = (id) => form.elements[id].value.trim();
  return {
    email: value("email"),
    name: value("name"),
    address: { country: value("country"), postal_code: value("postal_code"), city: value("city"), line1: value("line1"), line2: value("line2") || null },
  };
}
