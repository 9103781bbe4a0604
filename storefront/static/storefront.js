// The shop's own pages. Each reads and writes through the public JSON API; the configurator module is
// the same one the partner widget uses.

import { ApiError, cartToken, openCart } from "./api.js";
import { campaignPage, campaignsPage, preorderOf, preorderPanel } from "./campaigns.js";
import { creditLine, entryPage, galleryPage, ideaPage, ideasPage, publishSection } from "./community.js";
import { mountConfigurator } from "./configurator.js";
import { contactFieldsets, contactFrom, validateWhenTouched, watchDestination } from "./contact.js";
import { h, money, nodes, quoted, withUnit } from "./dom.js";
import { chooseCurrency, chooseLanguage, currencyFrom, currencyName, list, number, t } from "./i18n.js";
import {
  client,
  loadStripe,
  main,
  pageTitle,
  previewBox,
  problemText,
  productSpec,
  savedDesigns,
  say,
  showError,
  showFieldError,
  showFieldErrors,
} from "./page.js";

// The currencies the shop sells in (the page lists them, its default first) and the one the shopper
// sees prices in: new carts are opened in it.
const offeredCurrencies = (document.body.dataset.currencies ?? "").split(" ").filter(Boolean);
const shopCurrency = () => currencyFrom(offeredCurrencies);

/** "Glaze: Sage green · Engraving: “For Sam”" from a design's choices, in the product's words. */
function describeChoices(spec, choices) {
  const parts = [];
  for (const attribute of spec.attributes) {
    const value = choices[attribute.key];
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
    const label = (key) => attribute.options.find((o) => o.key === key)?.label ?? String(key);
    let shown;
    if (attribute.kind === "text") shown = quoted(value);
    else if (attribute.kind === "boolean") shown = value ? t("Yes") : t("No");
    else if (attribute.kind === "number") shown = withUnit(value, attribute.unit);
    else if (Array.isArray(value)) shown = list(value.map(label));
    else shown = label(value);
    parts.push({ label: attribute.label, value: shown });
  }
  return parts;
}

function choiceList(spec, choices) {
  return h(
    "dl",
    { class: "choice-list" },
    ...describeChoices(spec, choices).flatMap((p) => [h("dt", {}, p.label), h("dd", {}, p.value)]),
  );
}

function summaryList(lines, currency) {
  return h(
    "dl",
    { class: "summary-list" },
    ...lines.flatMap((line) => [
      h("dt", { class: `summary-${line.kind}` }, line.label || { subtotal: t("Subtotal"), total: t("Total") }[line.kind] || line.kind),
      h("dd", { class: `summary-${line.kind}` }, money(line.amount, currency)),
    ]),
  );
}

async function updateCartCount() {
  const badge = document.querySelector("[data-cart-count]");
  const token = cartToken.get(client);
  if (!badge || !token) return;
  try {
    const cart = await client.cart(token);
    const count = cart.status === "open" ? cart.lines.reduce((sum, line) => sum + line.quantity, 0) : 0;
    badge.textContent = count ? ` (${number(count)})` : "";
  } catch {
    badge.textContent = "";
  }
}

// --- pages ------------------------------------------------------------------------------------------

async function catalogPage() {
  const list = document.querySelector("[data-products]");
  let data;
  try {
    data = await client.products();
  } catch (error) {
    showError(list, error, t("The products could not be loaded."));
    return;
  }
  const currency = currencyFrom(data.brand.currencies);
  const pictures = [];
  list.replaceChildren(
    ...data.products.map((product) => {
      // The frame keeps its size while the picture loads into it: nothing below it moves.
      const picture = h("div", { class: "product-picture" });
      pictures.push([product, picture]);
      return h(
        "li",
        { class: "product-card" },
        picture,
        h("h2", {}, h("a", { href: `/products/${encodeURIComponent(product.key)}` }, product.label)),
        product.description ? h("p", {}, product.description) : null,
        // Translators: a product's lowest price in the catalog, e.g. "From €14.00".
        h("p", { class: "product-price" }, ...nodes(t("From {price}"), { price: h("strong", {}, money(product.from_price[currency], currency)) })),
      );
    }),
  );
  list.removeAttribute("aria-busy");
  await Promise.all(pictures.map(([product, picture]) => showDefaultPicture(product, picture)));
}

/** The preview of the product's default design, as the configure answer links it; none without views. */
async function showDefaultPicture(product, picture) {
  let preview;
  try {
    preview = (await client.configure(product.key, { picks: {} })).preview;
  } catch {
    return; // the card reads well without its picture
  }
  if (!preview?.url) return;
  picture.append(h("img", { src: preview.url, width: preview.width, height: preview.height, alt: "", decoding: "async" }));
}

async function productPage() {
  const container = document.querySelector("[data-configurator]");
  const params = new URLSearchParams(window.location.search);
  const remixOf = params.get("remix");
  let initialPicks = {};
  if (remixOf) {
    try {
      const design = await client.design(remixOf);
      initialPicks = Object.fromEntries(Object.entries(design.choices).filter(([, value]) => value !== null));
    } catch (error) {
      showError(container, error, t("The design to copy could not be loaded."));
      return;
    }
  }
  await mountConfigurator(container, {
    client,
    product: main.dataset.product,
    headingLevel: 1,
    initialPicks,
    remixOf,
    cartUrl: () => "/cart",
    emit: (name, detail) => {
      container.dispatchEvent(new CustomEvent(`atelier:${name}`, { detail, bubbles: true }));
      if (name === "ready") document.title = pageTitle(detail.label);
      if (name === "saved") savedDesigns.add(detail.design);
      if (name === "add-to-cart") updateCartCount();
    },
  });
}

async function designPage() {
  const container = document.querySelector("[data-design-view]");
  const id = main.dataset.design;
  let design;
  let spec;
  try {
    design = await client.design(id, shopCurrency());
    spec = await productSpec(design.product);
  } catch (error) {
    showError(container, error, t("This design could not be found."));
    return;
  }
  document.title = pageTitle(t("{product}, a shared design", { product: spec.label }));
  const status = h("p", { class: "design-status", role: "status" });
  const valid = design.live.valid;
  const addButton = h("button", { type: "button", class: "atelier-button" }, t("Add to cart"));
  addButton.addEventListener("click", async () => {
    if (addButton.getAttribute("aria-disabled") === "true") return;
    addButton.setAttribute("aria-disabled", "true");
    try {
      const cart = await openCart(client, shopCurrency());
      await client.addLine(cart.id, design.id, 1);
      window.location.assign("/cart");
    } catch (error) {
      status.textContent = problemText(error);
      addButton.removeAttribute("aria-disabled");
    }
  });
  container.replaceChildren(
    h(
      "article",
      { class: "design-view" },
      h("div", { class: "design-visual" }, previewBox(spec.label, design.preview)),
      h(
        "div",
        { class: "design-panel" },
        h("p", { class: "eyebrow" }, t("A shared design")),
        h("h1", {}, spec.label),
        creditLine(design.credits, { design: design.id }),
        choiceList(spec, design.choices),
        design.price
          ? h("p", { class: "atelier-total" }, h("span", {}, t("Price")), " ", h("strong", { class: "atelier-amount" }, money(design.price.total, design.price.currency)))
          : null,
        valid
          ? null
          : h("div", { class: "atelier-alert", role: "alert" }, h("p", {}, t("This design no longer fits the current options:")),
            h("ul", {}, ...design.live.violations.map((v) => h("li", {}, v.message)))),
        h(
          "div",
          { class: "atelier-actions" },
          valid ? addButton : null,
          h("a", { class: "atelier-button atelier-secondary", href: `/products/${encodeURIComponent(design.product)}?remix=${encodeURIComponent(design.id)}` }, t("Edit a copy")),
        ),
        status,
        // Whoever saved it in this browser may offer it to the gallery (the shop checks it is theirs).
        valid && savedDesigns.has(design.id) ? publishSection(design) : null,
      ),
    ),
  );
  container.removeAttribute("aria-busy");
}

async function cartPage() {
  const container = document.querySelector("[data-cart-view]");
  const params = new URLSearchParams(window.location.search);
  if (params.get("cart")) {
    // A partner's widget hands its cart over in the address; keep it here and drop it from the URL.
    cartToken.set(client, params.get("cart"));
    window.history.replaceState(null, "", "/cart");
  }
  const token = cartToken.get(client);
  const empty = () => emptyCart(container);
  if (!token) {
    empty();
    return;
  }
  let cart;
  try {
    cart = await client.cart(token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      cartToken.clear(client);
      empty();
      return;
    }
    showError(container, error, t("Your cart could not be loaded."));
    return;
  }
  if (cart.status !== "open") {
    cartToken.clear(client);
    empty();
    return;
  }
  await renderCart(container, cart);
}

function emptyCart(container) {
  container.removeAttribute("aria-busy");
  container.replaceChildren(h("p", {}, t("Your cart is empty."), " ", h("a", { href: "/" }, t("Browse the products"))));
}

async function renderCart(container, cart, focusLine = null) {
  if (!cart.lines.length) {
    emptyCart(container);
    return;
  }
  const labels = await Promise.all(cart.lines.map((line) => productSpec(line.product)));
  // Contact details are asked for at checkout: their absence is no error of the cart's (yet).
  const cartProblems = cart.problems.filter((p) => !(p.field ?? "").startsWith("contact"));
  // `message(total)`: what is said once the change is made, with the cart's new total.
  const apply = async (work, message, lineId) => {
    try {
      const updated = await work();
      await renderCart(container, updated, lineId);
      say(message(money(updated.total, updated.currency)));
      updateCartCount();
    } catch (error) {
      say(problemText(error));
      container.querySelector("[data-cart-error]").textContent = problemText(error);
    }
  };
  const rows = cart.lines.map((line, index) => {
    const spec = labels[index];
    const quantityId = `quantity-${line.id}`;
    const quantity = h("input", { id: quantityId, type: "number", min: 1, max: 1000, value: line.quantity, inputmode: "numeric", class: "atelier-input atelier-quantity", dataset: { line: line.id } });
    quantity.addEventListener("change", () => {
      const value = Number.parseInt(quantity.value, 10);
      if (value >= 1) {
        apply(() => client.setQuantity(cart.id, line.id, value),
          (total) => t("{product}: quantity {quantity}. Cart total {total}.", { product: spec.label, quantity: value, total }), line.id);
      }
    });
    return h(
      "li",
      { class: "cart-line" },
      h("div", { class: "cart-line-main" },
        h("h2", {}, h("a", { href: `/designs/${encodeURIComponent(line.design)}` }, spec.label)),
        creditLine(line.credits, { design: line.design }),
        choiceList(spec, line.choices),
        line.personalised ? personalNote() : null,
        line.problems.length
          ? h("ul", { class: "atelier-problems" }, ...line.problems.map((p) => h("li", {}, p.message)))
          : null),
      h("div", { class: "cart-line-side" },
        // Seen: "Quantity"; heard: "Quantity of Engraved mug".
        h("label", { for: quantityId, class: "atelier-label" }, h("span", { "aria-hidden": "true" }, t("Quantity")),
          h("span", { class: "atelier-visually-hidden" }, t("Quantity of {product}", { product: spec.label }))),
        quantity,
        h("p", { class: "cart-line-total" }, money(line.total, cart.currency),
          line.quantity > 1 ? h("span", { class: "atelier-each" }, " ", t("({price} each)", { price: money(line.unit_price, cart.currency) })) : null),
        h("button", {
          type: "button",
          class: "atelier-button atelier-secondary",
          onclick: () => apply(() => client.removeLine(cart.id, line.id),
            (total) => t("{product} removed. Cart total {total}.", { product: spec.label, total }), null),
        // Translators: the button taking a line out of the cart.
        }, h("span", { "aria-hidden": "true" }, t("Remove")),
        h("span", { class: "atelier-visually-hidden" }, t("Remove {product}", { product: spec.label })))),
    );
  });
  // A cart keeps the currency it was opened in, whatever the shopper chose since.
  const chosen = shopCurrency();
  const currencyNote = chosen && cart.currency !== chosen
    ? h("p", { class: "atelier-notice cart-currency" },
      t("Your cart stays in {currency}, the currency it was opened in; the products are shown in {chosen}.",
        { currency: currencyName(cart.currency), chosen: currencyName(chosen) }))
    : null;
  container.replaceChildren(
    ...[currencyNote].filter(Boolean),
    h("ul", { class: "cart-lines" }, ...rows),
    h("section", { class: "cart-summary", "aria-label": t("Order summary") },
      summaryList(cart.summary, cart.currency),
      cart.prices_include_tax ? h("p", { class: "atelier-help" }, t("Prices include VAT. Shipping and tax follow your country, chosen at checkout.")) : null,
      h("p", { class: "atelier-alert", role: "alert", "data-cart-error": "" }),
      cartProblems.length ? h("ul", { class: "atelier-problems" }, ...cartProblems.map((p) => h("li", {}, p.detail))) : null,
      h("a", { class: "atelier-button", href: "/checkout" }, t("Checkout"))),
  );
  container.removeAttribute("aria-busy");
  if (focusLine !== null) container.querySelector(`[data-line="${focusLine}"]`)?.focus();
}

/** Under a line made to the shopper's specifications: it has no 14-day right of withdrawal. */
function personalNote() {
  // Translators: under a cart or order line with the shopper's name, photo or measurements.
  return h("p", { class: "cart-line-personal" }, t("Made for you: no 14-day return."));
}

async function checkoutPage() {
  const container = document.querySelector("[data-checkout-view]");
  const token = cartToken.get(client);
  const nothing = () => {
    container.removeAttribute("aria-busy");
    container.replaceChildren(h("p", {}, t("There is nothing to check out yet."), " ", h("a", { href: "/" }, t("Browse the products"))));
  };
  let cart;
  try {
    if (!token) {
      nothing();
      return;
    }
    cart = await client.cart(token);
  } catch {
    nothing();
    return;
  }
  if (cart.status !== "open") {
    await payStep(container, cart);
    return;
  }
  const form = h(
    "form",
    { class: "checkout-form", novalidate: true },
    ...contactFieldsets(cart.contact, {
      countryRefused: cart.problems.some((p) => p.field === "contact.address.country" && p.code === "country"),
    }),
    h("p", { class: "atelier-alert", role: "alert", "data-form-error": "" }),
    // Said before the shopper pays, as EU law asks (Directive 2011/83/EU, Art. 16(c)).
    cart.lines.some((line) => line.personalised)
      ? h("p", { class: "checkout-personal" },
        t("Items made to your specifications cannot be returned under the 14-day right of withdrawal."))
      : null,
    h("button", { type: "submit", class: "atelier-button" }, t("Continue to payment")),
  );
  const summary = h("section", { class: "cart-summary", "aria-label": t("Order summary") }, summaryList(cart.summary, cart.currency));
  const validation = validateWhenTouched(form);
  // An address saved before a rule changed (a country that is none, a region the shop's tax now
  // needs): the shop says what to correct, next to the field, from the start.
  for (const problem of cart.problems) {
    const name = (problem.field ?? "").startsWith("contact.address.") ? problem.field.split(".").pop() : null;
    const control = name ? form.elements[name] : null;
    if (control instanceof Element && control.id) showFieldError(form, control, problem.detail);
  }
  // Shipping and tax follow the address: the summary shows those of the country and region chosen,
  // priced by the shop, before anything is saved. Only the latest answer is shown.
  let quoted = 0;
  const requote = async (country, region) => {
    const mine = ++quoted;
    try {
      const priced = await client.cart(cart.id, { country, region });
      if (mine === quoted) summary.replaceChildren(summaryList(priced.summary, priced.currency));
    } catch {
      // The summary keeps the last prices; the shop prices the order again at checkout anyway.
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("[data-form-error]").textContent = "";
    const mistaken = validation.checkAll();
    if (mistaken) {
      mistaken.focus();
      return;
    }
    try {
      const updated = await client.setContact(cart.id, contactFrom(form));
      await payStep(container, updated);
    } catch (error) {
      const first = showFieldErrors(form, error);
      form.querySelector("[data-form-error]").textContent = problemText(error);
      (first ?? form.querySelector("[data-form-error]")).focus?.();
    }
  });
  container.replaceChildren(h("div", { class: "checkout-layout" }, form, summary));
  await watchDestination(form, requote);
  container.removeAttribute("aria-busy");
}

async function payStep(container, cart) {
  let answer;
  try {
    answer = await client.checkout(cart.id);
  } catch (error) {
    showError(container, error, t("The order could not be made."));
    return;
  }
  const { order, payment } = answer;
  const heading = h("h2", { tabindex: "-1" }, t("Payment"));
  const status = h("p", { class: "atelier-alert", role: "alert" });
  const section = h("section", { class: "pay", "aria-labelledby": "pay-title" });
  heading.id = "pay-title";
  section.append(heading, summaryList(order.summary, order.currency),
    h("p", {}, t("Order {number}, to {name}, {email}.", { number: order.number, name: order.contact.name, email: order.contact.email })));
  if (order.status !== "pending") {
    window.location.assign(`/orders/${encodeURIComponent(order.token)}`);
    return;
  }
  if (payment.provider === "stripe" && payment.publishable_key && payment.client_secret) {
    await stripeForm(section, status, order, payment);
  } else {
    const pay = h("button", { type: "button", class: "atelier-button atelier-test-payment" }, t("Test payment — no money moves"));
    pay.addEventListener("click", async () => {
      pay.setAttribute("aria-disabled", "true");
      try {
        await client.completeOrder(order.token);
        cartToken.clear(client);
        window.location.assign(`/orders/${encodeURIComponent(order.token)}`);
      } catch (error) {
        status.textContent = problemText(error);
        pay.removeAttribute("aria-disabled");
      }
    });
    section.append(
      h("p", { class: "test-banner" }, h("strong", {}, t("Test mode.")), " ", t("This shop takes test payments only: nothing is charged.")),
      pay,
    );
  }
  section.append(status);
  container.replaceChildren(section);
  container.removeAttribute("aria-busy");
  heading.focus();
}

async function stripeForm(section, status, order, payment) {
  const mount = h("div", { class: "stripe-element" });
  const pay = h("button", { type: "button", class: "atelier-button" }, t("Pay {amount}", { amount: money(order.total, order.currency) }));
  section.append(mount, pay);
  let stripe;
  let elements;
  try {
    const Stripe = await loadStripe();
    stripe = Stripe(payment.publishable_key);
    elements = stripe.elements({ clientSecret: payment.client_secret });
    elements.create("payment").mount(mount);
  } catch (error) {
    status.textContent = problemText(error);
    return;
  }
  pay.addEventListener("click", async () => {
    pay.setAttribute("aria-disabled", "true");
    const { error } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: new URL(`/orders/${encodeURIComponent(order.token)}`, window.location.href).href },
    });
    // Only reached when the payment could not be confirmed; success leaves for the return URL.
    status.textContent = error?.message ?? t("The payment did not go through.");
    pay.removeAttribute("aria-disabled");
  });
}

// An order's status, after "Status:" (an order: "commande" is feminine in French).
const STATUS_WORDS = {
  reserved: () => t("Pre-ordered: nothing charged yet"),
  pending: () => t("Waiting for payment"),
  // Translators: an order's status.
  paid: () => t("Paid"),
  // Translators: an order's status.
  in_production: () => t("In production"),
  // Translators: an order's status.
  shipped: () => t("Shipped"),
  // Translators: an order's status.
  cancelled: () => t("Cancelled"),
  // Translators: an order's status.
  refunded: () => t("Refunded"),
};

const ORDER_HEADINGS = {
  reserved: () => t("Your pre-order is reserved"),
  pending: () => t("Your order is waiting for payment"),
  cancelled: () => t("This order was cancelled"),
  refunded: () => t("Your payment was refunded: this order will not be made"),
};

// Orders whose shopper was sent a confirmation (a refunded one never was, if it was never paid).
const CONFIRMED = new Set(["paid", "in_production", "shipped"]);

/** Back from a card payment, the cart kept here is checked out: forget it (a pre-order leaves it be). */
async function forgetCheckedOutCart() {
  const token = cartToken.get(client);
  if (!token) return;
  try {
    if ((await client.cart(token)).status !== "open") cartToken.clear(client);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) cartToken.clear(client);
  }
}

async function orderPage() {
  const container = document.querySelector("[data-order-view]");
  const token = main.dataset.order;
  let order;
  try {
    order = await client.order(token);
    const params = new URLSearchParams(window.location.search);
    const returned = params.has("redirect_status");
    if (order.status === "pending" && (params.has("payment_intent") || returned)) {
      order = await client.completeOrder(token).catch(() => order);
    } else if (order.status === "reserved" && (params.has("setup_intent") || returned)) {
      // Back from the bank's check of a pre-order's card: the shop asks Stripe, then holds the place.
      await client.completePreorder(token).catch(() => null);
      order = await client.order(token);
    }
  } catch (error) {
    showError(container, error, t("This order could not be found."));
    return;
  }
  if (order.status !== "pending") forgetCheckedOutCart();
  const [specsByProduct, preorder] = await Promise.all([
    Promise.all(order.lines.map((line) => productSpec(line.product).catch(() => null))),
    preorderOf(order).catch(() => null),
  ]);
  const released = preorder !== null && order.status === "cancelled";
  const status = released ? t("Cancelled: the edition was not made") : STATUS_WORDS[order.status]?.() ?? order.status;
  document.title = pageTitle(t("Order {number}", { number: order.number }));
  container.replaceChildren(...[
    h("h1", {}, released ? t("The edition was not made: nothing was charged") : ORDER_HEADINGS[order.status]?.() ?? t("Thank you for your order")),
    h("p", { class: "order-number" }, ...nodes(t("Order number {number}"), { number: h("strong", {}, order.number) })),
    h("p", {}, ...nodes(t("Status: {status}"), { status: h("strong", { class: "order-status" }, status) })),
    preorder ? preorderPanel(order, preorder) : null,
    order.payment?.test && order.paid_at ? h("p", { class: "test-banner" }, t("Paid with a test payment: no money moved.")) : null,
    h("ul", { class: "cart-lines" }, ...order.lines.map((line, index) => {
      const spec = specsByProduct[index];
      const label = spec?.label ?? line.product;
      return h("li", { class: "cart-line order-line" },
        line.preview ? previewBox(label, line.preview) : null,
        h("div", { class: "cart-line-main" },
          // Translators: an order line's heading: the product and how many were ordered, e.g. "Engraved mug × 2".
          h("h2", {}, t("{product} × {quantity}", { product: label, quantity: line.quantity })),
          creditLine(line.credits),
          spec ? choiceList(spec, line.choices) : null,
          line.personalised ? personalNote() : null),
        h("p", { class: "cart-line-total" }, money(line.total, order.currency)));
    })),
    h("section", { class: "cart-summary", "aria-label": t("Totals") }, summaryList(order.summary, order.currency)),
    CONFIRMED.has(order.status) ? h("p", {}, t("A confirmation is on its way to {email}.", { email: order.contact.email })) : null,
  ].filter(Boolean));
  container.removeAttribute("aria-busy");
  say(t("Order {number}: {status}.", { number: order.number, status }));
}

const PAGES = {
  catalog: catalogPage,
  product: productPage,
  design: designPage,
  cart: cartPage,
  checkout: checkoutPage,
  order: orderPage,
  gallery: galleryPage,
  entry: entryPage,
  ideas: ideasPage,
  idea: ideaPage,
  campaigns: campaignsPage,
  campaign: campaignPage,
};

/**
 * The header's language and currency menu (base.html writes it, with the page's language chosen): a
 * choice is remembered in this browser and the page is loaded again in it. A pick with the pointer, or
 * from the open list, applies at once; arrow keys on a closed list only move through it (a page that
 * reloaded under them could never be left by keyboard): Enter, or its "Apply" button, which then shows,
 * applies them.
 */
function shopMenu() {
  const form = document.querySelector("[data-shop-menu]");
  if (!form) return;
  const languageSelect = form.elements.namedItem("language");
  const currencySelect = form.elements.namedItem("currency");
  const applyButton = form.querySelector("[data-shop-menu-apply]");
  // The page's own choices are the options written selected: a list may have moved before this ran.
  const written = (select) => [...(select?.options ?? [])].find((option) => option.defaultSelected)?.value;
  const current = { language: written(languageSelect), currency: shopCurrency() };
  if (currencySelect && current.currency && currencySelect.value === written(currencySelect)) {
    currencySelect.value = current.currency;
  }
  const apply = () => {
    if (languageSelect && languageSelect.value !== current.language) chooseLanguage(languageSelect.value);
    if (currencySelect && currencySelect.value !== current.currency) chooseCurrency(currencySelect.value);
    window.location.reload();
  };
  const changed = () => languageSelect?.value !== current.language || currencySelect?.value !== current.currency;
  let keyed = false;
  form.addEventListener("keydown", (event) => {
    if (!(event.target instanceof HTMLSelectElement)) return;
    if (event.key === "Enter" && changed()) {
      event.preventDefault(); // Enter on a list applies what the arrow keys chose
      apply();
      return;
    }
    keyed = true; // a change that follows in the same turn came from the keys
    window.setTimeout(() => {
      keyed = false;
    });
  });
  form.addEventListener("change", () => {
    if (!keyed) {
      apply();
      return;
    }
    if (applyButton) applyButton.hidden = !changed();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  if (applyButton) applyButton.hidden = !changed();
}

shopMenu();
updateCartCount();
PAGES[main.dataset.page]?.();

