// The configurator UI, used by the product page and by the partner widget alike. Every answer it shows
// (the design that is priced, what is possible, why not, the price, what is wrong with a text) comes from
// the configure endpoint; the page only keeps the shopper's own picks.

import { ApiError, openCart } from "./api.js";
import { announce, day, graphemeCount, h, money, quoted, uid, withUnit } from "./dom.js";
import { recorder } from "./consent.js";
import {
  chooseCurrency,
  currencyFrom,
  currencyName,
  direction,
  language,
  languages,
  list,
  number,
  onLanguageChange,
  switchLanguage,
  t,
  tn,
} from "./i18n.js";

const TYPING_DELAY = 250;
// A number with this few possible values is picked among them like a choice (and can carry badges).
const NUMBER_OPTIONS_MAX = 7;
// The longest side of the enlarged preview (one of the preview endpoint's sizes).
const ZOOM_SIZE = "1024";
// Where a shown value comes from, in the shopper's words (nothing for their own picks: those are plain):
// beside the field, and in brackets after the value in the summary.
const SOURCE_NOTES = {
  default: () => t("Our suggestion"),
  forced: () => t("The only option with your choices"),
  adjusted: () => t("Adjusted to fit your choices"),
};
const SOURCE_NOTES_INLINE = {
  // Translators: after a value in the design's summary, e.g. "Snow white (our suggestion)".
  default: () => t("(our suggestion)"),
  // Translators: after a value in the design's summary, e.g. "Ceramic (the only option with your choices)".
  forced: () => t("(the only option with your choices)"),
  // Translators: after a value in the design's summary, e.g. "Standard (adjusted to fit your choices)".
  adjusted: () => t("(adjusted to fit your choices)"),
};

/**
 * Build the configurator for `product` into `root` (an element or a shadow root's container).
 * options: client (from createClient), product, headingLevel (1 on the page, 2 in a widget),
 * initialPicks, remixOf (a design id: saving makes a remix of it), cartUrl(token),
 * emit(name, detail) for "ready", "change", "saved" (a design was saved), "add-to-cart" and "error";
 * menu: true in the partner widget, which offers its own language and currency menu (the shop's pages
 * have theirs in the header). Prices are shown in the shopper's currency (i18n.js's currencyFrom).
 * On the shop's own product page the root carries data-layout="page": the summary and the preview then
 * stay in sight while the shopper picks (a side column on a wide screen, a bottom bar on a phone).
 */
export async function mountConfigurator(root, options) {
  const ui = new Configurator(root, options);
  await ui.start();
  return ui;
}

class Configurator {
  constructor(root, options) {
    this.root = root;
    this.client = options.client;
    this.productKey = options.product;
    this.headingLevel = options.headingLevel ?? 1;
    this.remixOf = options.remixOf ?? null;
    this.cartUrl = options.cartUrl ?? ((token) => this.client.url(`/cart?cart=${encodeURIComponent(token)}`));
    this.emit = options.emit ?? (() => {});
    this.record = options.record ?? recorder(this.client); // a no-op until the shopper consents
    this.picks = { ...(options.initialPicks ?? {}) };
    this.quantity = 1;
    this.answer = null;
    this.domains = new Map();
    this.sequence = 0;
    this.timer = null;
    this.saved = null; // {picks: JSON of the picks saved, design}
    this.fields = new Map(); // attribute key -> {spec, element, update(domain, answer), ...}
    this.history = []; // earlier picks (JSON), for Undo
    this.typing = null; // the text or number attribute being typed into: one Undo step per burst
    this.lastPreview = null; // the last preview answered for a valid design: shown while one is invalid
    this.previewWanted = null; // the picture URL asked for last
    this.previewShown = null; // the last picture URL that arrived: shown again if a newer one fails
    this.viewKey = null;
    this.menu = options.menu ?? false;
    // Another widget on the page (or this one's menu) switched the language: speak it too.
    this.stopListening = onLanguageChange(() => this.redraw({ respec: true }));
  }

  async start() {
    this.root.setAttribute("aria-busy", "true");
    try {
      this.spec = await this.client.product(this.productKey);
    } catch (error) {
      this.fail(error, t("This product could not be loaded."));
      return;
    }
    this.currency = currencyFrom(this.spec.currencies);
    this.record({ type: "product_viewed", product: this.productKey });
    // The page is drawn once the first answer (and the first advice) is in: nothing moves after it.
    const sequence = ++this.sequence;
    const [answer, advice] = await Promise.all([
      this.ask().catch((error) => ({ error })),
      fetchRecommendations(this.client, this.productKey, this.picks).catch(() => null),
    ]);
    this.render();
    if (answer.error) {
      this.showProblem(answer.error);
    } else {
      this.answer = answer;
      this.update(null);
    }
    if (sequence === this.sequence) this.showRecommendations(advice);
    this.root.removeAttribute("aria-busy");
    this.emit("ready", { product: this.productKey, label: this.spec.label });
  }

  fail(error, message) {
    const problem = error instanceof ApiError ? error.problem : { title: String(error), status: 0 };
    this.root.removeAttribute("aria-busy");
    this.root.replaceChildren(
      h("div", { class: "atelier-alert", role: "alert" }, h("p", {}, message), h("p", {}, problem.detail || problem.title || "")),
    );
    this.emit("error", { problem });
  }

  // --- building ----------------------------------------------------------------------------------

  render() {
    const spec = this.spec;
    // The widget speaks its own language on a page that may speak another.
    if (this.root instanceof Element) {
      this.root.lang = language;
      this.root.dir = direction;
    }
    const titleId = uid("atelier-title");
    const page = this.root.dataset?.layout === "page";
    this.live = h("div", { class: "atelier-visually-hidden", role: "status", "aria-live": "polite" });
    this.alert = h("div", { class: "atelier-alert", role: "alert", hidden: true });
    this.conflictNote = h("p", { class: "atelier-conflict-message", role: "alert", hidden: true });
    const form = h("form", { class: "atelier-form", "aria-labelledby": titleId, novalidate: true });
    form.addEventListener("submit", (event) => event.preventDefault());
    for (const attribute of spec.attributes) {
      const field = this.buildField(attribute);
      this.fields.set(attribute.key, field);
      form.append(field.element);
    }
    // Late advice lands after the options, never above them: nothing the shopper is looking at moves.
    // (A clash between picks is explained in the summary, which stays in sight, for the same reason.)
    this.startButton = h("button", { type: "button", class: "atelier-button atelier-secondary atelier-start", hidden: true }, t("Start from the most popular design"));
    this.startButton.addEventListener("click", () => this.startFrom());
    this.root.replaceChildren(
      h(
        "article",
        { class: `atelier${page ? " atelier-page" : ""}`, "aria-labelledby": titleId },
        h(
          "div",
          { class: "atelier-layout" },
          this.buildVisual(),
          h(
            "div",
            { class: "atelier-panel" },
            h("div", { class: "atelier-panel-head" },
              h(`h${this.headingLevel}`, { id: titleId, class: "atelier-title" }, spec.label),
              this.buildMenu()),
            spec.description ? h("p", { class: "atelier-description" }, spec.description) : null,
            this.buildToolbar(),
            form,
            this.startButton,
          ),
          this.buildSummary(),
        ),
        this.buildDialog(),
        this.buildZoom(),
        this.live,
      ),
    );
  }

  /**
   * The widget's language and currency menu: one select each, offered when there is a choice. A pick
   * with the pointer, or from the open list, applies at once; arrow keys on a closed list apply once
   * they rest (each switch asks the shop again).
   */
  buildMenu() {
    const offered = languages ?? [];
    const currencies = this.spec.currencies ?? [];
    if (!this.menu || (offered.length < 2 && currencies.length < 2)) return null;
    const select = (name, label, options, value, choose) => {
      const id = uid(`atelier-${name}`);
      const control = h("select", { id, class: "atelier-input atelier-menu-select", dataset: { menu: name } },
        ...options.map((option) => h("option", { value: option.code, lang: option.lang, selected: option.code === value }, option.name)));
      let keyed = false;
      let timer = null;
      control.addEventListener("keydown", () => {
        keyed = true;
        window.setTimeout(() => {
          keyed = false;
        });
      });
      control.addEventListener("change", () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(() => choose(control.value), keyed ? 800 : 0);
      });
      return h("div", { class: "atelier-menu-field" }, h("label", { for: id, class: "atelier-menu-label" }, label), control);
    };
    return h("div", { class: "atelier-menu", role: "group", "aria-label": t("Language and currency") },
      offered.length > 1
        ? select("language", t("Language"), offered.map((entry) => ({ code: entry.code, name: entry.name, lang: entry.code })), language,
          (code) => code !== language && switchLanguage(code))
        : null,
      currencies.length > 1
        ? select("currency", t("Currency"), currencies.map((code) => ({ code, name: currencyLabel(code) })), this.currency,
          (code) => this.pickCurrency(code))
        : null);
  }

  pickCurrency(code) {
    if (code === this.currency) return;
    chooseCurrency(code);
    this.currency = code;
    this.redraw();
  }

  /**
   * Draw everything again (another language, another currency), keeping the shopper's picks, then ask
   * the shop for the design in them; the menu control that had the focus has it again.
   */
  async redraw({ respec = false } = {}) {
    if (!this.spec || !this.summary) return;
    if (!this.summary.isConnected) {
      this.stopListening(); // replaced (the widget's product changed): another configurator speaks now
      return;
    }
    const focused = this.root.getRootNode().activeElement?.dataset?.menu;
    if (respec) {
      try {
        this.spec = await this.client.product(this.productKey);
      } catch (error) {
        this.showProblem(error);
        return;
      }
    }
    this.fields = new Map();
    this.previewWanted = null;
    this.previewShown = null;
    this.render();
    if (focused) this.root.querySelector(`[data-menu="${focused}"]`)?.focus();
    if (this.answer) this.update(null, { quiet: true }); // the last answer, until the new one is in
    await this.refresh();
  }

  optionLabel(attribute, key) {
    return attribute.options.find((o) => o.key === key)?.label ?? String(key);
  }

  delta(option) {
    const amount = option.price?.[this.currency];
    return amount && Number.parseFloat(amount) !== 0 ? money(amount, this.currency, { signed: true }) : null;
  }

  buildField(attribute) {
    switch (attribute.kind) {
      case "colour":
      case "choice":
        return this.buildChoice(attribute);
      case "multi":
        return this.buildMulti(attribute);
      case "number": {
        const values = numberValues(attribute);
        if (!values) return this.buildNumber(attribute);
        return this.buildChoice({ ...attribute, options: values.map((value) => ({ key: value, label: withUnit(value, attribute.unit) })) });
      }
      case "boolean":
        return this.buildBoolean(attribute);
      case "text":
        return this.buildText(attribute);
      case "image":
        return this.buildImage(attribute);
      default:
        return { element: h("p", {}, attribute.label), update() {} };
    }
  }

  /** A reason shown on hover and focus, and read as the option's description. */
  withTip(control, wrapper) {
    const tip = h("span", { class: "atelier-tip", role: "tooltip", id: uid("atelier-tip") });
    wrapper.append(tip);
    return {
      set(reason) {
        tip.textContent = reason ?? "";
        wrapper.classList.toggle("atelier-blocked", Boolean(reason));
        if (reason) {
          control.setAttribute("aria-disabled", "true");
          control.setAttribute("aria-describedby", tip.id);
        } else {
          control.removeAttribute("aria-disabled");
          control.removeAttribute("aria-describedby");
        }
      },
    };
  }

  fieldMessage(fieldset, describedControls) {
    const message = h("p", { class: "atelier-field-message", id: uid("atelier-msg"), hidden: true });
    fieldset.append(message);
    return (text) => {
      message.textContent = text ?? "";
      message.hidden = !text;
      for (const control of describedControls()) {
        const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== message.id);
        if (text) ids.push(message.id);
        if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
        else control.removeAttribute("aria-describedby");
        control.toggleAttribute("aria-invalid", Boolean(text));
      }
    };
  }

  /** The merchant's help text for an attribute, when it has one. */
  help(attribute) {
    return attribute.help ? h("p", { class: "atelier-help atelier-merchant-help" }, attribute.help) : null;
  }

  /**
   * What every field shows beside its name: where its value comes from ("Our suggestion"…), whether it
   * clashes with another pick, and a button clearing the shopper's own pick.
   */
  fieldTools(attribute, fieldset) {
    const note = h("span", { class: "atelier-source", hidden: true });
    const clash = h("span", { class: "atelier-clash", hidden: true }, t("Clashes with another choice"));
    const clear = h("button", {
      type: "button",
      class: "atelier-clear",
      hidden: true,
      // Translators: a button taking back the shopper's pick of one option, e.g. "Clear Glaze".
      "aria-label": t("Clear {attribute}", { attribute: attribute.label }),
      // Translators: a small button beside an attribute taking back the shopper's own pick.
    }, t("Clear"));
    clear.addEventListener("click", () => this.clear(attribute.key));
    fieldset.classList.add("atelier-has-tools");
    // The merchant's warnings the design breaks (`severity: warning`): said, never blocking.
    const advice = h("p", { class: "atelier-warning", role: "status", hidden: true });
    fieldset.append(clear, advice);
    return {
      marks: [note, clash],
      show: (domain, value) => {
        const source = this.sourceOf(attribute.key);
        fieldset.dataset.source = source;
        // A value the merchant's `set:` rule gave says why in the merchant's words.
        const setBy = source !== "picked" ? domain?.set_by?.message : null;
        const text = setBy || SOURCE_NOTES[source]?.();
        note.textContent = text && hasValue(value) ? text : "";
        note.hidden = !note.textContent;
        note.dataset.source = source;
        const warned = (this.answer?.warnings ?? []).filter((w) => w.code === "rule" && w.attribute === attribute.key);
        advice.textContent = warned.map((w) => w.message).join(" ");
        advice.hidden = !warned.length;
        const clashes = this.clashes(attribute.key);
        clash.hidden = !clashes;
        fieldset.classList.toggle("atelier-conflict", clashes);
        clear.hidden = !(attribute.key in this.picks);
      },
    };
  }

  /** An option's picture (a wood, a stone, a fabric), sharp on dense screens; its label says what it is. */
  picture(option) {
    if (!option.image) return null;
    const small = new URL(this.client.url(option.image));
    const large = new URL(small);
    large.searchParams.set("size", "192");
    return h("img", {
      class: "atelier-picture", src: small.href, srcset: `${small.href} 1x, ${large.href} 2x`,
      alt: "", width: 48, height: 48, loading: "lazy", decoding: "async",
    });
  }

  buildChoice(attribute) {
    const name = uid(`atelier-${attribute.key}`);
    const current = h("span", { class: "atelier-current" });
    const list = h("div", { class: `atelier-choices${attribute.kind === "colour" ? " atelier-swatches" : ""}` });
    const fieldset = h("fieldset", { class: "atelier-field", dataset: { attribute: attribute.key } });
    const tools = this.fieldTools(attribute, fieldset);
    fieldset.prepend(h("legend", {}, attribute.label, current, " ", ...tools.marks));
    fieldset.append(...present(list, this.help(attribute)));
    const items = attribute.options.map((option) => {
      const input = h("input", { type: "radio", name, value: option.key, class: "atelier-radio" });
      const delta = this.delta(option);
      const label = h(
        "label",
        { class: "atelier-choice" },
        input,
        h(
          "span",
          { class: "atelier-choice-face" },
          option.swatch ? h("span", { class: "atelier-dot", style: { backgroundColor: option.swatch }, "aria-hidden": "true" }) : null,
          this.picture(option),
          h("span", { class: "atelier-choice-label" }, option.label),
          delta ? h("span", { class: "atelier-delta" }, delta) : null,
        ),
      );
      const wrapper = h("div", { class: "atelier-option" }, label);
      const tip = this.withTip(input, wrapper);
      list.append(wrapper);
      return { option, input, tip, wrapper };
    });
    const inputs = () => items.map((i) => i.input);
    const message = this.fieldMessage(fieldset, () => []);
    // Arrow keys move between options without choosing them: each choice asks the shop again, and a
    // greyed option asks before changing anything. Space or Enter chooses.
    list.addEventListener("keydown", (event) => {
      const index = inputs().indexOf(event.target);
      if (index < 0) return;
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      if (step) {
        event.preventDefault();
        const all = inputs();
        all[(index + step + all.length) % all.length].focus();
      } else if (event.key === "Enter") {
        event.preventDefault();
        event.target.click();
      }
    });
    for (const item of items) {
      item.input.addEventListener("click", (event) => {
        if (item.input.getAttribute("aria-disabled") === "true") {
          event.preventDefault(); // keep the current choice checked until the shopper agrees to a repair
          this.insist(attribute, item.option.key, item.input);
          return;
        }
        if (this.picks[attribute.key] !== item.option.key) this.pick(attribute.key, item.option.key);
      });
    }
    return {
      element: fieldset,
      focusTarget: () => items.find((i) => i.input.checked)?.input ?? items[0]?.input,
      controlFor: (value) => items.find((i) => i.option.key === value)?.input,
      markAdvice: (advice) => {
        const popular = new Set(advice?.popular ?? []);
        for (const item of items) {
          const ours = advice?.ours?.option === item.option.key ? advice.ours : null;
          markOption(item.input, badges(advice?.recommended === item.option.key, popular.has(item.option.key), ours !== null), ours?.message);
        }
      },
      update: (domain) => {
        const value = this.valueOf(attribute.key);
        // Translators: after an attribute's name, the option chosen, e.g. "Glaze: Sage green".
        current.textContent = value === null || value === undefined ? "" : t(": {option}", { option: this.optionLabel(attribute, value) });
        tools.show(domain, value);
        const states = new Map((domain?.options ?? []).map((o) => [o.key, o]));
        for (const item of items) {
          item.input.checked = item.option.key === value;
          const state = states.get(item.option.key);
          // The value in the design is never shown greyed: it is what is priced. (An answer without a
          // design only knows the picks and defaults, which may be out of reach: those stay greyed.)
          const blocked = state && !state.available && !(item.input.checked && this.answer?.design);
          item.tip.set(blocked ? state.reason?.text || t("Not possible with your choices.") : null);
        }
        message(this.violationText(attribute.key));
      },
    };
  }

  buildMulti(attribute) {
    const counter = h("span", { class: "atelier-counter", "aria-live": "off" });
    const list = h("div", { class: "atelier-choices atelier-chips" });
    const fieldset = h("fieldset", { class: "atelier-field", dataset: { attribute: attribute.key } });
    const tools = this.fieldTools(attribute, fieldset);
    fieldset.prepend(h("legend", {}, attribute.label, " ", counter, " ", ...tools.marks));
    fieldset.append(...present(list, this.help(attribute)));
    const items = attribute.options.map((option) => {
      const input = h("input", { type: "checkbox", value: option.key, class: "atelier-check" });
      const delta = this.delta(option);
      const wrapper = h(
        "div",
        { class: "atelier-option" },
        h("label", { class: "atelier-choice atelier-chip" }, input,
          h("span", { class: "atelier-choice-face" },
            option.swatch ? h("span", { class: "atelier-dot", style: { backgroundColor: option.swatch }, "aria-hidden": "true" }) : null,
            this.picture(option),
            h("span", { class: "atelier-choice-label" }, option.label),
            delta ? h("span", { class: "atelier-delta" }, delta) : null)),
      );
      const tip = this.withTip(input, wrapper);
      list.append(wrapper);
      input.addEventListener("click", (event) => {
        const chosen = new Set(this.valueOf(attribute.key) ?? []);
        if (!chosen.has(option.key) && input.getAttribute("aria-disabled") === "true") {
          event.preventDefault();
          this.insist(attribute, option.key, input);
          return;
        }
        if (chosen.has(option.key)) chosen.delete(option.key);
        else chosen.add(option.key);
        this.pick(attribute.key, [...chosen]);
      });
      return { option, input, tip };
    });
    const message = this.fieldMessage(fieldset, () => []);
    return {
      element: fieldset,
      focusTarget: () => items[0]?.input,
      controlFor: (value) => items.find((i) => i.option.key === value)?.input,
      // Advice on a multi attribute is about whole sets: the options of the recommended set are
      // recommended; an option of a popular set is popular (it is chosen at least as often as the set).
      markAdvice: (advice) => {
        const recommended = new Set(advice?.recommended ?? []);
        const popular = new Set((advice?.popular ?? []).flat());
        for (const item of items) {
          markOption(item.input, badges(recommended.has(item.option.key), popular.has(item.option.key)));
        }
      },
      update: (domain) => {
        const value = this.valueOf(attribute.key) ?? [];
        const chosen = new Set(value);
        tools.show(domain, value);
        counter.textContent = countText(chosen.size, attribute.min_count, attribute.max_count);
        const states = new Map((domain?.options ?? []).map((o) => [o.key, o]));
        for (const item of items) {
          item.input.checked = chosen.has(item.option.key);
          const state = states.get(item.option.key);
          const blocked = !item.input.checked && state && !state.available;
          item.tip.set(blocked ? state.reason?.text || t("Not possible with your choices.") : null);
        }
        message(this.violationText(attribute.key));
      },
    };
  }

  buildBoolean(attribute) {
    const input = h("input", { type: "checkbox", class: "atelier-check" });
    const price = this.spec.adjustments.find((a) => a.when === attribute.key)?.add?.[this.currency];
    const fieldset = h("div", { class: "atelier-field", dataset: { attribute: attribute.key } });
    const tools = this.fieldTools(attribute, fieldset);
    const wrapper = h(
      "div",
      { class: "atelier-option atelier-toggle" },
      h("label", { class: "atelier-choice" }, input,
        h("span", { class: "atelier-choice-face" },
          h("span", { class: "atelier-choice-label" }, attribute.label),
          price ? h("span", { class: "atelier-delta" }, money(price, this.currency, { signed: true })) : null)),
    );
    const tip = this.withTip(input, wrapper);
    fieldset.prepend(wrapper, h("p", { class: "atelier-field-head" }, ...tools.marks));
    fieldset.append(...present(this.help(attribute)));
    input.addEventListener("click", (event) => {
      const next = !this.valueOf(attribute.key);
      if (input.getAttribute("aria-disabled") === "true") {
        event.preventDefault();
        this.insist(attribute, next, input);
        return;
      }
      this.pick(attribute.key, next);
    });
    const message = this.fieldMessage(fieldset, () => [input]);
    return {
      element: fieldset,
      focusTarget: () => input,
      controlFor: () => input,
      // The box stands for "yes": it is marked when shoppers take it, never for leaving it unticked.
      markAdvice: (advice) => markOption(input, badges(advice?.recommended === true, (advice?.popular ?? []).includes(true))),
      update: (domain) => {
        const value = Boolean(this.valueOf(attribute.key));
        input.checked = value;
        tools.show(domain, value);
        const other = (domain?.options ?? []).find((o) => o.key === !value);
        tip.set(other && !other.available ? other.reason?.text || t("Not possible with your choices.") : null);
        message(this.violationText(attribute.key));
      },
    };
  }

  buildNumber(attribute) {
    const id = uid("atelier-number");
    const hintId = uid("atelier-hint");
    const input = h("input", {
      id,
      type: "number",
      inputmode: Number.isInteger(attribute.step ?? 1) && Number.isInteger(attribute.minimum) ? "numeric" : "decimal",
      min: attribute.minimum,
      max: attribute.maximum,
      step: attribute.step ?? 1,
      class: "atelier-input atelier-number",
      "aria-describedby": hintId,
    });
    const range = { min: withUnit(attribute.minimum, attribute.unit), max: withUnit(attribute.maximum, attribute.unit) };
    const hint = h("p", { class: "atelier-help", id: hintId },
      attribute.help ? `${attribute.help} ` : "",
      (attribute.step ?? 1) !== 1
        ? t("From {min} to {max}, in steps of {step}.", { ...range, step: withUnit(attribute.step, attribute.unit) })
        : t("From {min} to {max}.", range));
    const fieldset = h("div", { class: "atelier-field", dataset: { attribute: attribute.key } });
    const tools = this.fieldTools(attribute, fieldset);
    fieldset.prepend(
      h("div", { class: "atelier-field-head" }, h("label", { for: id, class: "atelier-label" }, attribute.label), ...tools.marks),
      h("div", { class: "atelier-number-row" }, input, attribute.unit ? h("span", { class: "atelier-unit", "aria-hidden": "true" }, attribute.unit) : null),
      hint);
    // Translators: a number box's name with its unit, e.g. "Width (cm)".
    if (attribute.unit) input.setAttribute("aria-label", t("{attribute} ({unit})", { attribute: attribute.label, unit: attribute.unit }));
    const message = this.fieldMessage(fieldset, () => [input]);
    const send = () => {
      // The box's value is written with a point whatever the language ("18.5"); a half size stays one.
      const value = Number.parseFloat(input.value);
      if (!Number.isFinite(value)) return;
      this.pick(attribute.key, value, { delay: TYPING_DELAY });
    };
    input.addEventListener("input", send);
    return {
      element: fieldset,
      focusTarget: () => input,
      controlFor: () => input,
      setError: (text) => message(text),
      update: (domain) => {
        const value = this.valueOf(attribute.key);
        tools.show(domain, value);
        if (this.root.getRootNode().activeElement !== input) input.value = value ?? "";
        const picked = (domain?.options ?? []).find((o) => o.key === value);
        message(this.violationText(attribute.key) || (picked && !picked.available ? picked.reason?.text : null));
      },
    };
  }

  buildText(attribute) {
    const id = uid("atelier-text");
    const counterId = uid("atelier-counter");
    const lines = attribute.text?.max_lines ?? 1;
    const input = lines > 1
      ? h("textarea", { id, rows: lines, class: "atelier-input atelier-text", "aria-describedby": counterId, spellcheck: "false" })
      : h("input", { id, type: "text", class: "atelier-input atelier-text", "aria-describedby": counterId, spellcheck: "false" });
    const counter = h("p", { class: "atelier-counter", id: counterId });
    const perChar = attribute.text?.price_per_char?.[this.currency];
    const fieldset = h("div", { class: "atelier-field", dataset: { attribute: attribute.key } });
    const tools = this.fieldTools(attribute, fieldset);
    const help = this.help(attribute);
    if (help) help.id = uid("atelier-help");
    fieldset.prepend(...present(
      h("div", { class: "atelier-field-head" }, h("label", { for: id, class: "atelier-label" }, attribute.label), ...tools.marks),
      help,
      input, counter,
      perChar ? h("p", { class: "atelier-help" }, t("{price} per character", { price: money(perChar, this.currency) })) : null));
    if (help) input.setAttribute("aria-describedby", `${help.id} ${counterId}`);
    const message = this.fieldMessage(fieldset, () => [input]);
    let limit = attribute.text?.max_length ?? 0;
    const count = () => {
      const used = graphemeCount(input.value);
      const left = limit - used;
      counter.textContent = left >= 0
        ? tn("{n} character left of {limit}", "{n} characters left of {limit}", left, { limit })
        : tn("{n} character too many (at most {limit})", "{n} characters too many (at most {limit})", -left, { limit });
      counter.classList.toggle("atelier-over", left < 0);
    };
    count();
    input.addEventListener("input", () => {
      count();
      this.pick(attribute.key, input.value, { delay: TYPING_DELAY });
    });
    return {
      element: fieldset,
      focusTarget: () => input,
      controlFor: () => input,
      setError: (text) => message(text),
      update: (domain) => {
        const value = this.valueOf(attribute.key) ?? "";
        tools.show(domain, value);
        // Never rewrite what the shopper is typing; a repair changes the text while they are elsewhere.
        if (input.value !== value && this.root.getRootNode().activeElement !== input) input.value = value;
        if (domain?.text) limit = domain.text.max_length;
        count();
        const refused = this.violationText(attribute.key);
        message(refused || (domain?.text && !domain.text.may_be_present ? domain.text.reason?.text : null));
      },
    };
  }

  /** A file input that uploads the shopper's image, then two sliders placing it within its zone. */
  buildImage(attribute) {
    const id = uid("atelier-image");
    const formats = attribute.image?.formats ?? ["png", "jpeg", "webp"];
    const input = h("input", { id, type: "file", accept: formats.map((f) => `image/${f}`).join(","), class: "atelier-input atelier-file" });
    const status = h("p", { class: "atelier-help", role: "status" });
    const warning = h("p", { class: "atelier-warning", role: "status", hidden: true });
    const price = attribute.image?.price?.[this.currency];
    const slider = (text) => {
      const sliderId = uid("atelier-position");
      const range = h("input", { id: sliderId, type: "range", min: 0, max: 100, step: 1, value: 50, class: "atelier-range" });
      return [h("label", { for: sliderId, class: "atelier-label" }, text), range];
    };
    const [xLabel, xRange] = slider(t("Move the image left or right"));
    const [yLabel, yRange] = slider(t("Move the image up or down"));
    const position = h("div", { class: "atelier-position", hidden: true }, xLabel, xRange, yLabel, yRange);
    const remove = h("button", { type: "button", class: "atelier-button atelier-secondary", hidden: true }, t("Remove the image"));
    const fieldset = h("div", { class: "atelier-field", dataset: { attribute: attribute.key } },
      h("label", { for: id, class: "atelier-label" }, attribute.label),
      attribute.help ? h("p", { class: "atelier-help" }, attribute.help) : null,
      input, status, warning, position, remove,
      price ? h("p", { class: "atelier-help" }, t("{price} with an image", { price: money(price, this.currency, { signed: true }) })) : null);
    const message = this.fieldMessage(fieldset, () => [input]);
    let uploadId = "";
    const describe = () => {
      const share = (range) => number(range.value / 100, { style: "percent" });
      xRange.setAttribute("aria-valuetext", t("{percent} from the left", { percent: share(xRange) }));
      yRange.setAttribute("aria-valuetext", t("{percent} from the top", { percent: share(yRange) }));
    };
    const place = () => {
      describe();
      if (uploadId) this.pick(attribute.key, `${uploadId}@${xRange.value},${yRange.value}`, { delay: TYPING_DELAY });
    };
    xRange.addEventListener("input", place);
    yRange.addEventListener("input", place);
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      if (!file) return;
      status.textContent = t("Uploading {file}…", { file: file.name });
      message(null);
      try {
        const uploaded = await uploadImage(this.client, file);
        uploadId = uploaded.id;
        xRange.value = 50;
        yRange.value = 50;
        describe();
        // Translators: an uploaded photo's name and size in pixels, e.g. "cat.jpg: 1200×800 px".
        status.textContent = t("{file}: {width}×{height} px", { file: file.name, width: uploaded.width, height: uploaded.height });
        this.pick(attribute.key, uploadId);
      } catch (error) {
        status.textContent = "";
        message(error instanceof ApiError ? error.problem?.detail || error.message : String(error));
      }
    });
    remove.addEventListener("click", () => {
      uploadId = "";
      input.value = "";
      status.textContent = "";
      this.clear(attribute.key);
      input.focus();
    });
    return {
      element: fieldset,
      focusTarget: () => input,
      controlFor: () => input,
      setError: (text) => message(text),
      update: (domain, answer) => {
        const picked = /^([A-Za-z0-9_-]{1,64})(?:@([0-9.]+),([0-9.]+))?$/.exec(this.valueOf(attribute.key) || "");
        uploadId = picked ? picked[1] : "";
        position.hidden = !uploadId;
        remove.hidden = !uploadId;
        const active = this.root.getRootNode().activeElement;
        // Never move a slider under the shopper's hand; a shared design brings its own position.
        if (picked && active !== xRange && active !== yRange) {
          xRange.value = picked[2] ?? 50;
          yRange.value = picked[3] ?? 50;
        }
        describe();
        const warnings = (answer?.warnings ?? []).filter((w) => w.attribute === attribute.key).map((w) => w.message);
        warning.textContent = warnings.join(" ");
        warning.hidden = !warnings.length;
        message(this.violationText(attribute.key));
      },
    };
  }


  /** The preview: a box of fixed size, the views the answer offers, and a way to look closer. */
  buildVisual() {
    const label = this.spec.label;
    this.previewImage = h("img", { class: "atelier-preview-image", alt: "", hidden: true, decoding: "async" });
    this.previewImage.addEventListener("load", () => this.previewArrived());
    this.previewImage.addEventListener("error", () => this.previewMissing());
    this.previewImage.addEventListener("click", () => this.openZoom());
    this.previewName = h("span", { class: "atelier-preview-name" }, label);
    this.previewStale = h("p", { class: "atelier-preview-note atelier-preview-stale", hidden: true }, t("Preview of your last valid design"));
    this.previewLoading = h("p", { class: "atelier-preview-note atelier-preview-loading", hidden: true, "aria-hidden": "true" }, t("Updating the picture…"));
    this.previewFailed = h("p", { class: "atelier-preview-note atelier-preview-failed", hidden: true }, t("The picture could not be updated just now"));
    this.zoomButton = h("button", { type: "button", class: "atelier-zoom-button", hidden: true, "aria-label": t("Enlarge the preview") }, t("Enlarge"));
    this.zoomButton.addEventListener("click", () => this.openZoom());
    this.preview = h(
      "figure",
      { class: "atelier-preview", "aria-label": t("Preview of your {product}", { product: label }) },
      this.previewImage,
      this.previewName,
      this.previewStale,
      this.previewLoading,
      this.previewFailed,
      this.zoomButton,
    );
    // Translators: the group of buttons showing the product from different sides (front, back…).
    this.viewList = h("div", { class: "atelier-views", role: "group", "aria-label": t("Views"), hidden: true });
    return h("div", { class: "atelier-visual" }, this.preview, this.viewList);
  }

  buildToolbar() {
    // Translators: a button taking back the shopper's last change of their design.
    this.undoButton = h("button", { type: "button", class: "atelier-tool", disabled: true }, t("Undo"));
    this.undoButton.addEventListener("click", () => this.undo());
    this.resetButton = h("button", { type: "button", class: "atelier-tool", disabled: true }, t("Start over"));
    this.resetButton.addEventListener("click", () => this.startOver());
    return h("div", { class: "atelier-toolbar", role: "group", "aria-label": t("Your changes") }, this.undoButton, this.resetButton);
  }

  buildSummary() {
    const detailsId = uid("atelier-details");
    this.choiceList = h("dl", { class: "atelier-summary-choices" });
    this.lines = h("dl", { class: "atelier-lines" });
    this.total = h("p", { class: "atelier-total" });
    this.problems = h("ul", { class: "atelier-problems", hidden: true });
    this.ships = h("p", { class: "atelier-ships", hidden: true });
    const quantityId = uid("atelier-quantity");
    this.quantityInput = h("input", { id: quantityId, type: "number", min: 1, max: 1000, value: 1, inputmode: "numeric", class: "atelier-input atelier-quantity" });
    this.quantityInput.addEventListener("input", () => {
      const value = Number.parseInt(this.quantityInput.value, 10);
      if (value >= 1 && value <= 1000) {
        this.quantity = value;
        this.schedule(TYPING_DELAY);
      }
    });
    this.saveButton = h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => this.save() }, t("Save & share"));
    this.cartButton = h("button", { type: "button", class: "atelier-button", onclick: () => this.addToCart() }, t("Add to cart"));
    // On a phone the summary is a bar at the bottom: its details open on demand.
    // Translators: a phone's button opening the design's summary and price lines.
    this.detailsButton = h("button", { type: "button", class: "atelier-details-toggle", "aria-expanded": "false", "aria-controls": detailsId }, t("Details"));
    const shareId = uid("atelier-share");
    this.shareInput = h("input", { id: shareId, type: "url", readonly: true, class: "atelier-input" });
    this.shareLink = h("a", { class: "atelier-link" }, t("Open the shared design"));
    this.share = h("div", { class: "atelier-share", hidden: true },
      h("label", { for: shareId, class: "atelier-label" }, t("Share link")),
      h("div", { class: "atelier-share-row" }, this.shareInput,
        h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => this.copy() }, t("Copy link"))),
      this.shareLink);
    this.added = h("p", { class: "atelier-added", hidden: true });
    this.summary = h(
      "section",
      { class: "atelier-summary", "aria-label": t("Price and actions") },
      h("div", { class: "atelier-summary-details", id: detailsId },
        h("h2", { class: "atelier-summary-title" }, t("Your design")),
        this.choiceList,
        h("h3", { class: "atelier-summary-subtitle" }, t("Price")),
        this.lines,
        h("div", { class: "atelier-quantity-row" }, h("label", { for: quantityId, class: "atelier-label" }, t("Quantity")), this.quantityInput)),
      h("div", { class: "atelier-bar" },
        h("div", { class: "atelier-total-row" }, this.total, this.detailsButton),
        this.ships,
        this.conflictNote,
        this.problems,
        this.alert,
        h("div", { class: "atelier-actions" }, this.cartButton, this.saveButton),
        this.added,
        this.share),
    );
    this.detailsButton.addEventListener("click", () => {
      const open = !this.summary.classList.contains("atelier-open");
      this.summary.classList.toggle("atelier-open", open);
      this.detailsButton.setAttribute("aria-expanded", String(open));
    });
    return this.summary;
  }

  buildDialog() {
    const titleId = uid("atelier-dialog-title");
    const bodyId = uid("atelier-dialog-body");
    this.dialogReason = h("p", { class: "atelier-dialog-reason" });
    this.dialogQuestion = h("p", { class: "atelier-dialog-question", id: bodyId });
    this.dialogPrice = h("p", { class: "atelier-dialog-price", hidden: true });
    this.dialogConfirm = h("button", { type: "button", class: "atelier-button", value: "confirm" }, t("Yes, switch"));
    this.dialogCancel = h("button", { type: "button", class: "atelier-button atelier-secondary", value: "cancel" }, t("Cancel"));
    this.dialogOthers = h("div", { class: "atelier-alternatives", hidden: true });
    this.dialog = h(
      "dialog",
      { class: "atelier-dialog", "aria-labelledby": titleId, "aria-describedby": bodyId },
      h("h2", { id: titleId, class: "atelier-dialog-title" }, t("Change your choices?")),
      this.dialogReason,
      this.dialogQuestion,
      this.dialogPrice,
      h("div", { class: "atelier-actions" }, this.dialogConfirm, this.dialogCancel),
      this.dialogOthers,
    );
    this.dialogConfirm.addEventListener("click", () => this.acceptRepair("confirm"));
    this.dialogCancel.addEventListener("click", () => this.dialog.close("cancel"));
    return this.dialog;
  }

  /** Accepting a repair is a change: the summary is busy from the click (the dialog's close event comes later). */
  acceptRepair(choice) {
    this.pending(true);
    this.dialog.close(choice);
  }

  /** The preview enlarged: opened by the preview or its button, closed by Escape or Close. */
  buildZoom() {
    const titleId = uid("atelier-zoom-title");
    this.zoomImage = h("img", { class: "atelier-zoom-image", alt: t("Enlarged preview of your {product}", { product: this.spec.label }), decoding: "async" });
    this.zoomViews = h("div", { class: "atelier-views", role: "group", "aria-label": t("Views") });
    const close = h("button", { type: "button", class: "atelier-button atelier-secondary" }, t("Close"));
    this.zoom = h(
      "dialog",
      { class: "atelier-dialog atelier-zoom", "aria-labelledby": titleId },
      // Translators: the title of the enlarged preview, e.g. "Your Engraved mug".
      h("h2", { id: titleId, class: "atelier-dialog-title" }, t("Your {product}", { product: this.spec.label })),
      h("div", { class: "atelier-zoom-frame" }, this.zoomImage),
      this.zoomViews,
      h("div", { class: "atelier-actions" }, close),
    );
    close.addEventListener("click", () => this.zoom.close());
    // A click on the backdrop (outside the box) closes it too.
    this.zoom.addEventListener("click", (event) => {
      if (event.target === this.zoom) this.zoom.close();
    });
    this.zoom.addEventListener("close", () => this.zoomButton.focus());
    return this.zoom;
  }

  // --- state ---------------------------------------------------------------------------------------

  /** The shopper's pick, else the merchant's default: what the page shows when an answer says no more. */
  effective(key) {
    return key in this.picks ? this.picks[key] : this.spec.defaults[key];
  }

  /** The value of `key` in the design that is shown and priced. */
  valueOf(key) {
    const design = this.answer?.design;
    if (design && typeof design === "object" && key in design) return design[key];
    const domain = this.domains.get(key);
    if (domain && "value" in domain) return domain.value;
    return this.effective(key);
  }

  /** Where the shown value of `key` comes from: picked, default, forced, adjusted, set_aside, not_applicable. */
  sourceOf(key) {
    const domain = this.domains.get(key);
    if (typeof domain?.source === "string") return domain.source;
    const applies = domain?.applies !== false;
    if (key in this.picks) return applies ? "picked" : "set_aside";
    return applies ? "default" : "not_applicable";
  }

  /** Whether the control of `key` is shown: exactly when it applies in the shown design. */
  applies(key) {
    const applies = this.domains.get(key)?.applies;
    return typeof applies === "boolean" ? applies : true;
  }

  clashes(key) {
    const domain = this.domains.get(key);
    if (typeof domain?.conflict === "boolean") return domain.conflict;
    return Boolean(this.answer?.conflict?.picks?.includes(key));
  }

  /** Keep the picks as they are before a change, for Undo; typing into one field is one change. */
  remember({ typing = null } = {}) {
    if (typing && this.typing === typing) return;
    this.typing = typing;
    const now = JSON.stringify(this.picks);
    if (this.history.at(-1) !== now) this.history.push(now);
    this.updateTools();
  }

  pick(key, value, { delay = 0 } = {}) {
    this.recordPick(key, value);
    this.remember({ typing: delay ? key : null });
    this.picks[key] = value;
    this.updateTools();
    this.schedule(delay);
  }

  /** Take back the shopper's pick: the design falls back on the merchant's suggestion. */
  clear(key) {
    if (!(key in this.picks)) return;
    this.remember();
    delete this.picks[key];
    const label = this.spec.attributes.find((a) => a.key === key)?.label ?? key;
    // The control takes the focus once it shows the suggestion again (a focused text box is never rewritten).
    this.refresh().then(() => {
      this.fields.get(key)?.focusTarget?.()?.focus();
      this.say(t("{attribute} cleared.", { attribute: label }));
    });
  }

  undo() {
    const before = this.history.pop();
    if (before === undefined) return;
    this.typing = null;
    this.picks = JSON.parse(before);
    this.refresh().then(() => this.say(t("Last change undone.")));
  }

  startOver() {
    if (!Object.keys(this.picks).length) return;
    this.remember();
    this.picks = {};
    this.refresh().then(() => this.say(t("Started over from our suggestions.")));
  }

  /** Announce `text` with the price that now holds. */
  say(text) {
    const price = this.answer?.price;
    announce(this.live, price ? [text, priceNow(price)].join(" ") : text);
  }

  updateTools() {
    if (!this.undoButton) return;
    this.undoButton.disabled = this.history.length === 0;
    this.resetButton.disabled = Object.keys(this.picks).length === 0;
  }

  schedule(delay) {
    window.clearTimeout(this.timer);
    this.pending(true);
    this.timer = window.setTimeout(() => this.refresh(), delay);
  }

  /** The price and actions are busy from a change until the answer to the latest one is shown. */
  pending(busy) {
    if (busy) this.summary?.setAttribute("aria-busy", "true");
    else this.summary?.removeAttribute("aria-busy");
  }

  violationText(key) {
    const messages = (this.answer?.violations ?? []).filter((v) => v.attributes.includes(key)).map((v) => v.message);
    return messages.length ? [...new Set(messages)].join(" ") : null;
  }

  ask() {
    return this.client.configure(this.productKey, { picks: this.picks, currency: this.currency, quantity: this.quantity });
  }

  async refresh() {
    window.clearTimeout(this.timer);
    this.timer = null;
    this.pending(true);
    const sequence = ++this.sequence;
    let answer;
    try {
      answer = await this.ask();
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.pending(this.timer !== null);
      this.showProblem(error);
      return;
    }
    // A slower answer to an older question must not overwrite a newer one.
    if (sequence !== this.sequence) return;
    this.pending(this.timer !== null);
    const before = this.answer;
    this.answer = answer;
    this.alert.hidden = true;
    for (const field of this.fields.values()) field.setError?.(null);
    this.update(before);
    this.recommend(sequence);
  }

  showProblem(error) {
    const problem = error instanceof ApiError ? error.problem : { detail: String(error) };
    const fieldErrors = (problem.errors ?? []).filter((e) => e.field?.startsWith("picks."));
    for (const fieldError of fieldErrors) {
      const field = this.fields.get(fieldError.field.slice("picks.".length));
      if (field?.setError) field.setError(fieldError.detail);
    }
    if (!fieldErrors.length || fieldErrors.some((e) => !this.fields.get(e.field.slice(6))?.setError)) {
      this.alert.textContent = problem.detail || problem.title || t("Something went wrong.");
      this.alert.hidden = false;
    }
    announce(this.live, problem.detail || problem.title);
    this.emit("error", { problem });
  }

  update(before, { quiet = false } = {}) {
    const answer = this.answer;
    this.domains = new Map(answer.domains.map((d) => [d.key, d]));
    for (const [key, field] of this.fields) {
      const domain = this.domains.get(key);
      // A pick that does not apply now is set aside: its control goes, the pick stays and comes back.
      field.element.hidden = !this.applies(key);
      field.update(domain, answer);
    }
    const conflict = answer.conflict;
    this.conflictNote.textContent = conflict?.message ?? "";
    this.conflictNote.hidden = !conflict?.message;
    this.updateTools();
    this.renderPrice(answer);
    this.renderChoices();
    this.renderPreview(answer.preview);
    const messages = [];
    if (!before || before.price.total !== answer.price.total) messages.push(priceNow(answer.price));
    const oldRefusals = new Set((before?.violations ?? []).map((v) => v.message));
    for (const violation of answer.violations) {
      if (!oldRefusals.has(violation.message) && violation.kind !== "missing") messages.push(violation.message);
    }
    if (conflict?.message && conflict.message !== before?.conflict?.message) messages.push(conflict.message);
    if (before) announce(this.live, messages.join(" "));
    if (quiet) return;
    this.emit("change", {
      design: { product: this.productKey, picks: structuredClone(this.picks), choices: structuredClone(answer.design ?? {}) },
      price: answer.price,
      valid: answer.valid,
      complete: answer.complete,
    });
  }

  renderPrice(answer) {
    const { price } = answer;
    this.lines.replaceChildren(
      ...price.lines.flatMap((line) => [
        h("dt", {}, line.label),
        h("dd", {}, money(line.amount, price.currency, { signed: line.kind !== "base" })),
      ]),
    );
    const each = price.quantity > 1
      // Translators: after the total when several are ordered: how many, and the price of one, e.g. "(2 × €14.00)".
      ? [" ", t("({quantity} × {price})", { quantity: price.quantity, price: money(price.unit_price, price.currency) })].join("")
      : "";
    this.total.replaceChildren(
      h("span", {}, t("Total")),
      " ",
      h("strong", { class: "atelier-amount" }, money(price.total, price.currency)),
      h("span", { class: "atelier-each" }, each),
      price.tax_included ? h("span", { class: "atelier-tax" }, " ", t("VAT included")) : null,
    );
    // Made to order: the day a design ordered today is made and sent, when the product says it.
    const shipsBy = answer.valid ? answer.production?.ships_by : null;
    this.ships.hidden = !shipsBy;
    // Translators: under the total, e.g. "Made for you and sent by 19 January 2027".
    this.ships.textContent = shipsBy ? t("Made for you and sent by {date}", { date: day(shipsBy) }) : "";
    // A clash is explained once, in its own words (its rule's message is often the same sentence).
    const blocking = answer.violations.filter((v) => v.kind !== "missing" && v.message !== answer.conflict?.message);
    this.problems.replaceChildren(...blocking.map((v) => h("li", {}, v.message)));
    this.problems.hidden = blocking.length === 0;
  }

  /** The design in words: every attribute that applies, with its value, suggestions marked as such. */
  renderChoices() {
    const rows = [];
    for (const attribute of this.spec.attributes) {
      if (!this.applies(attribute.key)) continue;
      const shown = this.describeValue(attribute, this.valueOf(attribute.key));
      if (shown === null) continue;
      const source = this.sourceOf(attribute.key);
      // A value the merchant's `set:` rule gave is explained in the merchant's words.
      const setBy = source !== "picked" ? this.answer?.domains?.find((d) => d.key === attribute.key)?.set_by : null;
      const said = setBy ? `(${setBy.message})` : SOURCE_NOTES_INLINE[source]?.();
      const note = source !== "picked" && said && hasValue(this.valueOf(attribute.key))
        ? h("span", { class: "atelier-source-inline" }, " ", said)
        : null;
      rows.push(h("dt", {}, attribute.label), h("dd", {}, shown, note));
    }
    this.choiceList.replaceChildren(...rows);
  }

  describeValue(attribute, value) {
    switch (attribute.kind) {
      case "multi":
        // Translators: a multiple choice with nothing chosen, in the design's summary ("Toppings: Nothing chosen").
        return value?.length ? list(value.map((key) => this.optionLabel(attribute, key))) : t("Nothing chosen");
      case "boolean":
        return value ? t("Yes") : t("No");
      case "text":
        return value ? quoted(value) : null; // an optional extra left out is not a choice to list
      case "image":
        return value ? t("Your photo") : null;
      case "number":
        return value === null || value === undefined ? null : withUnit(value, attribute.unit);
      default:
        return value === null || value === undefined ? null : this.optionLabel(attribute, value);
    }
  }

  // --- the preview ----------------------------------------------------------------------------------

  /** Show the answer's picture; while the design is invalid (no picture), the last one stays, marked. */
  renderPreview(preview) {
    if (preview?.url) this.lastPreview = preview;
    const shown = preview?.url ? preview : this.lastPreview;
    this.preview.classList.toggle("atelier-stale", Boolean(shown && !preview?.url));
    this.previewStale.hidden = !(shown && !preview?.url);
    if (!shown) {
      this.previewImage.hidden = true;
      this.previewImage.removeAttribute("src");
      this.previewName.hidden = false;
      this.zoomButton.hidden = true;
      this.viewList.hidden = true;
      return;
    }
    const views = previewViews(shown);
    if (!views.some((view) => view.key === this.viewKey)) this.viewKey = views[0].key;
    this.renderViews(this.viewList, views, (key) => {
      this.viewKey = key;
      this.renderPreview(this.answer?.preview);
    });
    const view = views.find((v) => v.key === this.viewKey);
    const url = this.client.url(view.url);
    if (this.previewImage.getAttribute("src") !== url) {
      // The box keeps its size whatever the image does: no layout jump while it loads.
      this.previewImage.width = shown.width;
      this.previewImage.height = shown.height;
      this.previewImage.alt = previewAlt(this.spec.label, views.length > 1 ? view.label : null);
      this.preview.dataset.loading = "true";
      this.previewLoading.hidden = false;
      this.previewWanted = url;
      this.previewImage.src = url;
    }
    this.previewImage.hidden = false;
    this.previewName.hidden = true;
    this.zoomButton.hidden = false;
    if (this.zoom.open) this.showZoom();
  }

  previewLoaded() {
    delete this.preview.dataset.loading;
    this.previewLoading.hidden = true;
  }

  previewArrived() {
    const src = this.previewImage.getAttribute("src");
    this.previewShown = src;
    if (src === this.previewWanted) this.previewFailed.hidden = true;
    this.previewLoaded();
  }

  /** A picture that does not come (the shop is busy, the network drops) never leaves a broken image:
   * the last one shown comes back, marked, and the next answer asks again. */
  previewMissing() {
    this.previewLoaded();
    const last = this.previewShown;
    this.previewFailed.hidden = false;
    if (last && this.previewImage.getAttribute("src") !== last) {
      this.previewImage.src = last;
    } else {
      // Not even the last picture: the product's name stands in its box rather than a broken image.
      // Without its address the next answer asks for the picture again instead of showing it broken.
      this.previewShown = null;
      this.previewImage.removeAttribute("src");
      this.previewImage.hidden = true;
      this.previewName.hidden = false;
    }
  }

  /** One button per view (its label), the shown one pressed; drawn again only when the views change. */
  renderViews(list, views, choose) {
    list.hidden = views.length < 2;
    const keys = views.map((v) => v.key).join(" ");
    if (list.dataset.views !== keys) {
      list.dataset.views = keys;
      list.replaceChildren(
        ...views.map((view) => {
          const button = h("button", { type: "button", class: "atelier-view", dataset: { view: view.key } }, view.label || view.key);
          button.addEventListener("click", () => choose(view.key));
          return button;
        }),
      );
    }
    for (const button of list.children) button.setAttribute("aria-pressed", String(button.dataset.view === this.viewKey));
  }

  openZoom() {
    if (!this.lastPreview) return;
    this.showZoom();
    if (!this.zoom.open) this.zoom.showModal();
  }

  showZoom() {
    const views = previewViews(this.answer?.preview?.url ? this.answer.preview : this.lastPreview);
    const view = views.find((v) => v.key === this.viewKey) ?? views[0];
    this.renderViews(this.zoomViews, views, (key) => {
      this.viewKey = key;
      this.renderPreview(this.answer?.preview);
    });
    const large = new URL(this.client.url(view.url));
    if (large.searchParams.has("size")) large.searchParams.set("size", ZOOM_SIZE);
    if (this.zoomImage.getAttribute("src") !== large.href) {
      this.zoomImage.width = Number(ZOOM_SIZE);
      this.zoomImage.height = Number(ZOOM_SIZE);
      this.zoomImage.src = large.href;
    }
    this.zoomImage.alt = views.length > 1
      // Translators: the enlarged picture's text, with the side shown, e.g. "Enlarged preview of your Engraved mug, Back".
      ? t("Enlarged preview of your {product}, {view}", { product: this.spec.label, view: view.label })
      : t("Enlarged preview of your {product}", { product: this.spec.label });
  }

  // --- insisting on a greyed option ------------------------------------------------------------------

  async insist(attribute, value, control) {
    this.recordRefusal(attribute.key, value);
    let repair;
    try {
      repair = await this.client.repair(this.productKey, { picks: this.picks, attribute: attribute.key, value });
    } catch (error) {
      this.showProblem(error);
      return;
    }
    const domain = this.domains.get(attribute.key);
    const state = domain?.options.find((o) => o.key === value);
    const reason = state?.reason?.text ?? "";
    // Ranked ways to get there: the first is offered as "Yes, switch", the others listed below it.
    const alternatives = Array.isArray(repair.alternatives) && repair.alternatives.length ? repair.alternatives : null;
    const possible = Boolean(alternatives) || repair.possible;
    this.dialogReason.textContent = reason;
    this.dialogOthers.replaceChildren();
    this.dialogOthers.hidden = true;
    this.dialogPrice.hidden = true;
    if (!possible) {
      this.dialogQuestion.textContent = t("This option cannot be chosen in this product.");
      this.dialogConfirm.hidden = true;
      this.dialogCancel.textContent = t("OK");
    } else {
      const first = alternatives?.[0] ?? repair;
      this.dialogQuestion.textContent = describeChanges(first.changes ?? [], this.spec);
      if (alternatives) {
        this.dialogPrice.textContent = priceChange(first, this.currency);
        this.dialogPrice.hidden = !this.dialogPrice.textContent;
      }
      this.dialogConfirm.hidden = false;
      this.dialogConfirm.textContent = t("Yes, switch");
      this.dialogCancel.textContent = t("Cancel");
      if (alternatives && alternatives.length > 1) {
        this.dialogOthers.append(
          h("p", { class: "atelier-alternatives-title" }, t("Or instead:")),
          ...alternatives.slice(1).map((alternative, index) => {
            const button = h("button", { type: "button", class: "atelier-alternative" },
              h("span", {}, describeChanges(alternative.changes ?? [], this.spec, { question: false })),
              h("span", { class: "atelier-alternative-price" }, priceChange(alternative, this.currency)));
            button.addEventListener("click", () => this.acceptRepair(`alternative:${index + 1}`));
            return button;
          }),
        );
        this.dialogOthers.hidden = false;
      }
    }
    this.dialog.returnValue = "";
    const asked = JSON.stringify(this.picks);
    this.dialog.showModal();
    (possible ? this.dialogConfirm : this.dialogCancel).focus();
    const choice = await new Promise((resolve) => {
      this.dialog.addEventListener("close", () => resolve(this.dialog.returnValue), { once: true });
    });
    const accepted = possible && (choice === "confirm" || choice.startsWith("alternative:"));
    if (possible) {
      this.record({ type: accepted ? "repair_accepted" : "repair_declined", product: this.productKey, attribute: attribute.key, option: value });
    }
    if (!accepted) {
      announce(this.live, t("Your choices were kept."));
      (this.fields.get(attribute.key)?.controlFor?.(value) ?? control)?.focus();
      return;
    }
    this.remember();
    let taken = repair;
    if (alternatives) {
      // Whatever an answer offers, the next request accepts: the alternative's picks go as they are.
      taken = alternatives[choice === "confirm" ? 0 : Number(choice.split(":")[1])];
      // The alternative's picks, and what the shopper picked or typed since the question was asked
      // (the dialog's close reaches us after the keys that follow it) on attributes it leaves alone.
      const before = JSON.parse(asked);
      const changed = new Set((taken.changes ?? []).map((change) => change.attribute));
      const since = Object.entries(this.picks).filter(
        ([key, value]) => !changed.has(key) && JSON.stringify(before[key]) !== JSON.stringify(value));
      this.picks = { ...structuredClone(taken.picks), ...Object.fromEntries(since) };
    } else {
      // Only what the repair changes: anything picked or typed while the question was open stays.
      for (const change of repair.changes) this.picks[change.attribute] = change.new;
      this.picks[attribute.key] = repair.picks[attribute.key];
    }
    await this.refresh();
    announce(this.live, [sentence(taken.changes ?? []), priceNow(this.answer.price)].filter(Boolean).join(" "));
    const need = taken.needs_input?.[0];
    if (need) {
      // The shopper's own words are theirs to shorten: the field says the limit and waits for them.
      const field = this.fields.get(need.attribute);
      field?.setError?.(need.message || limitText(need));
      field?.focusTarget?.()?.focus();
      return;
    }
    (this.fields.get(attribute.key)?.controlFor?.(value) ?? control)?.focus();
  }

  // --- recommendations ------------------------------------------------------------------------------

  /** Ask what shoppers with similar picks ordered; a failure only leaves the badges off. */
  async recommend(sequence) {
    let advice;
    try {
      advice = await fetchRecommendations(this.client, this.productKey, this.picks);
    } catch {
      advice = null;
    }
    if (sequence !== this.sequence) return;
    this.showRecommendations(advice);
  }

  /**
   * "Recommended" and "Popular" as text beside the options, also read as each option's description:
   * on every control that shows options (choices, colours, booleans, multi options, and numbers shown
   * as options); a number typed into a box has no option to mark.
   */
  showRecommendations(advice) {
    const byAttribute = new Map((advice?.attributes ?? []).map((a) => [a.attribute, a]));
    for (const [key, field] of this.fields) field.markAdvice?.(byAttribute.get(key) ?? null);
    this.showStartFrom(advice?.start_from ?? null);
  }

  showStartFrom(picks) {
    this.startPicks = picks;
    this.startButton.hidden = !picks;
  }

  /** Take the most popular design's options; what the shopper typed or uploaded stays. */
  async startFrom() {
    if (!this.startPicks) return;
    const own = Object.fromEntries(
      Object.entries(this.picks).filter(([key]) => ["text", "image"].includes(this.spec.attributes.find((a) => a.key === key)?.kind)),
    );
    this.remember();
    this.picks = { ...this.startPicks, ...own };
    await this.refresh();
    if (this.answer) announce(this.live, [t("Started from the most popular design."), priceNow(this.answer.price)].join(" "));
  }

  // --- recording (consent.js keeps nothing unless the shopper said yes) ---------------------------------

  /** Options picked, never typed text, numbers or images: those can say who the shopper is. */
  recordPick(key, value) {
    const kind = this.spec.attributes.find((a) => a.key === key)?.kind;
    if (kind === "multi") {
      const before = new Set(this.valueOf(key) ?? []);
      for (const option of value) {
        if (!before.has(option)) this.record({ type: "option_picked", product: this.productKey, attribute: key, option });
      }
    } else if (kind === "choice" || kind === "colour" || kind === "boolean") {
      this.record({ type: "option_picked", product: this.productKey, attribute: key, option: value });
    }
  }

  /** The shopper wanted an option the rules exclude: which option, and every rule of the conflict. */
  recordRefusal(key, value) {
    const state = this.answer?.domains.find((d) => d.key === key)?.options.find((o) => o.key === value);
    const rules = (state?.reason?.rules ?? []).map((r) => r.id).filter(Boolean);
    if (rules.length) {
      this.record({ type: "option_refused", product: this.productKey, attribute: key, option: value, rule: rules[0], rules });
    }
  }

  // --- saving, sharing, buying ---------------------------------------------------------------------

  /** The saved design for the current picks: saved once, again only when the picks change. */
  async design() {
    const picks = JSON.stringify(this.picks);
    if (this.saved?.picks === picks) return this.saved.design;
    const design = this.remixOf
      ? await this.client.remix(this.remixOf, this.picks)
      : await this.client.saveDesign(this.productKey, this.picks);
    this.saved = { picks, design };
    this.emit("saved", { design: design.id, product: this.productKey });
    return design;
  }

  async busy(button, work) {
    button.setAttribute("aria-disabled", "true");
    button.dataset.busy = "true";
    try {
      await work();
    } catch (error) {
      this.showProblem(error);
    } finally {
      button.removeAttribute("aria-disabled");
      delete button.dataset.busy;
    }
  }

  async save() {
    if (this.saveButton.dataset.busy) return;
    await this.busy(this.saveButton, async () => {
      await this.refresh();
      const design = await this.design();
      const url = this.client.url(design.links.share);
      this.shareInput.value = url;
      this.shareLink.href = url;
      this.share.hidden = false;
      announce(this.live, t("Design saved. Its share link is ready to copy."));
      this.shareInput.focus();
      this.shareInput.select();
    });
  }

  async copy() {
    if (this.saved) this.record({ type: "design_shared", product: this.productKey, design: this.saved.design.id });
    const url = this.shareInput.value;
    try {
      await navigator.clipboard.writeText(url);
      announce(this.live, t("Link copied."));
    } catch {
      this.shareInput.focus();
      this.shareInput.select();
      announce(this.live, t("Select the link and copy it."));
    }
  }

  async addToCart() {
    if (this.cartButton.dataset.busy) return;
    await this.busy(this.cartButton, async () => {
      await this.refresh();
      if (!this.answer?.valid) {
        const first = this.answer?.violations[0];
        announce(this.live, first ? t("Not added: {reason}", { reason: first.message }) : t("Not added: finish your choices first."));
        if (first) this.fields.get(first.attributes[0])?.focusTarget?.()?.focus();
        return;
      }
      const design = await this.design();
      const cart = await openCart(this.client, this.currency);
      const updated = await this.client.addLine(cart.id, design.id, this.quantity);
      const count = updated.lines.reduce((sum, line) => sum + line.quantity, 0);
      const link = h("a", { href: this.cartUrl(updated.id), class: "atelier-link" }, tn("View cart ({n} item)", "View cart ({n} items)", count));
      // A cart keeps the currency it was opened in: say so when it is not the one prices are shown in.
      const kept = updated.currency !== this.currency
        ? t("Your cart stays in {currency}, the currency it was opened in.", { currency: currencyName(updated.currency) })
        : null;
      this.added.replaceChildren(t("Added to your cart."), " ", ...(kept ? [kept, " "] : []), link);
      this.added.hidden = false;
      announce(this.live, t("Added to your cart. Cart total {total}.", { total: money(updated.total, updated.currency) }));
      this.emit("add-to-cart", { design: design.id, cart: updated.id, quantity: this.quantity, total: updated.total });
    });
  }
}

/** A currency in the widget's compact menu: "EUR (€)". */
function currencyLabel(code) {
  const symbol = new Intl.NumberFormat(language, { style: "currency", currency: code, currencyDisplay: "narrowSymbol" })
    .formatToParts(0)
    .find((part) => part.type === "currency")?.value;
  return symbol && symbol !== code ? `${code} (${symbol})` : code;
}

/** "Price now €17.50." */
function priceNow(price) {
  return t("Price now {price}.", { price: money(price.total, price.currency) });
}

/** The picture's text: the product, and the side shown when there are several. */
function previewAlt(product, view) {
  return view
    // Translators: a preview's text with the side shown, e.g. "Preview of your Engraved mug, Back".
    ? t("Preview of your {product}, {view}", { product, view })
    : t("Preview of your {product}", { product });
}

/** What a multiple choice's counter says: "(2 chosen, at least 1, up to 3)". */
function countText(chosen, min, max) {
  const hasMax = max !== null && max !== undefined;
  if (min && hasMax) return tn("({n} chosen, at least {min}, up to {max})", "({n} chosen, at least {min}, up to {max})", chosen, { min, max });
  if (min) return tn("({n} chosen, at least {min})", "({n} chosen, at least {min})", chosen, { min });
  if (hasMax) return tn("({n} chosen, up to {max})", "({n} chosen, up to {max})", chosen, { max });
  return tn("({n} chosen)", "({n} chosen)", chosen);
}

// Languages whose nouns keep their capital inside a sentence: a label stays as the merchant wrote it.
const CAPITALISED_NOUNS = new Set(["de", "lb"]);

/** A label inside a sentence: "switch material to Ceramic" (German keeps "Material"). */
function inSentence(label) {
  if (!label || CAPITALISED_NOUNS.has(language.split("-")[0])) return label;
  return label.charAt(0).toLocaleLowerCase(language) + label.slice(1);
}

/** The first letter in capital, as a sentence starts. */
function capitalised(text) {
  return text ? text.charAt(0).toLocaleUpperCase(language) + text.slice(1) : text;
}

/** One change a repair makes, as part of the question asking for it: "switch material to Ceramic". */
function changePhrase(change, spec) {
  const kind = spec.attributes.find((a) => a.key === change.attribute)?.kind;
  const attribute = inSentence(change.label);
  if (kind === "text") {
    return change.new
      ? t("shorten {attribute} to {text}", { attribute, text: quoted(change.new) })
      : t("remove the {attribute}", { attribute });
  }
  if (kind === "multi") {
    // Translators: the new options of a multiple choice when a repair takes them all away.
    return t("change {attribute} to {value}", { attribute, value: change.new_label || t("none") });
  }
  // Translators: when a repair leaves an attribute without a value.
  return t("switch {attribute} to {value}", { attribute, value: change.new_label ?? t("nothing") });
}

/** The question a repair asks: "Switch material to Ceramic?"; as one choice among others, no "?". */
function describeChanges(changes, spec, { question = true } = {}) {
  if (!changes.length) return question ? t("Choose it?") : t("Choose it");
  const changed = capitalised(list(changes.map((change) => changePhrase(change, spec))));
  // Translators: a repair's changes asked as a question, e.g. "Switch material to Ceramic?".
  return question ? t("{changes}?", { changes: changed }) : changed;
}

/** What the shopper hears once a repair is made: "Material is now Ceramic." */
function sentence(changes) {
  return changes
    .map((c) => (c.new_label
      ? t("{attribute} is now {value}.", { attribute: c.label, value: c.new_label })
      : t("{attribute} is now empty.", { attribute: c.label })))
    .join(" ");
}

/** POST a file to the uploads endpoint as a form; the answer carries the id to pick. */
async function uploadImage(client, file) {
  const body = new FormData();
  body.append("file", file);
  const headers = client.headers();
  let response;
  try {
    response = await fetch(`${client.base}/api/v1/uploads`, { method: "POST", headers, body, credentials: "omit" });
  } catch {
    throw new ApiError({ title: t("Network error"), status: 0, detail: t("The image could not be sent. Check your connection and try again.") }, 0);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(data ?? { title: response.statusText, status: response.status }, response.status);
  return data;
}

/** The nodes given, without the absent ones (append would write "null"). */
function present(...nodes) {
  return nodes.filter((node) => node !== null && node !== undefined);
}

/** Whether a value says something worth marking (an empty text, set or unticked box does not). */
function hasValue(value) {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== "" && value !== false;
}

/** The views a preview offers (the main picture alone when it lists none). */
function previewViews(preview) {
  const views = (preview?.views ?? []).filter((view) => view?.url);
  return views.length ? views : [{ key: "main", label: "", url: preview.url }];
}

/** "+€3.00, total €21.50" for a repair alternative; "" when it says nothing about the price. */
function priceChange(alternative, currency) {
  if (alternative.price_change === undefined || alternative.price_change === null) return "";
  const change = Number.parseFloat(alternative.price_change) === 0
    ? t("Same price")
    : money(alternative.price_change, currency, { signed: true });
  return alternative.total ? t("{change}, total {total}", { change, total: money(alternative.total, currency) }) : change;
}

/** The limit a text must keep, in words, when a repair leaves the shortening to the shopper. */
function limitText(need) {
  if (need.max_length !== undefined && need.max_length !== null) {
    return tn("{attribute}: at most {n} character.", "{attribute}: at most {n} characters.", need.max_length, { attribute: need.label });
  }
  if (need.min_length !== undefined && need.min_length !== null) {
    return tn("{attribute}: at least {n} character.", "{attribute}: at least {n} characters.", need.min_length, { attribute: need.label });
  }
  return t("Change {attribute} to fit.", { attribute: need.label });
}

/** The values a number attribute can take, when they are few enough to show as options; else null.
 * Decimal steps are counted in whole units of their finest place, so 0.1 + 0.2 stays 0.3. */
function numberValues(attribute) {
  const step = attribute.step || 1;
  const scale = 10 ** Math.max(decimalPlaces(step), decimalPlaces(attribute.minimum));
  const [low, high, by] = [attribute.minimum, attribute.maximum, step].map((n) => Math.round(n * scale));
  const count = Math.floor((high - low) / by) + 1;
  if (!Number.isFinite(count) || count < 1 || count > NUMBER_OPTIONS_MAX) return null;
  return Array.from({ length: count }, (_, i) => (low + i * by) / scale);
}

function decimalPlaces(value) {
  const text = String(value);
  return text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
}

function badges(recommended, popular, ours = false) {
  return [ours ? "ours" : null, recommended ? "recommended" : null, popular ? "popular" : null].filter(Boolean);
}

/** Badges after an option, named in its aria-describedby beside what else describes it; `why` is the
 * shop's reason for its own pick, said with its badge. */
function markOption(control, marks, why = null) {
  const wrapper = control?.closest(".atelier-option");
  if (!wrapper) return;
  wrapper.querySelector(".atelier-badges")?.remove();
  const others = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("atelier-badge"));
  // Translators: badges beside an option: what the shop advises, what shoppers often choose.
  // Translators: a badge beside the option the shop itself suggests (its reason follows).
  const words = { ours: () => t("Our pick"), recommended: () => t("Recommended"), popular: () => t("Popular") };
  const badges = marks.map((mark) => h("span", { class: `atelier-badge atelier-badge-${mark}`, id: uid("atelier-badge") },
    words[mark](),
    mark === "ours" && why ? h("span", { class: "atelier-badge-why" }, ` ${why}`) : null));
  if (badges.length) wrapper.append(h("span", { class: "atelier-badges" }, ...badges));
  const ids = [...others, ...badges.map((badge) => badge.id)];
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
  else control.removeAttribute("aria-describedby");
}

/** The recommendations endpoint (beside configure: the same picks, answered from past orders). */
async function fetchRecommendations(client, product, picks) {
  const headers = { ...client.headers(), "Content-Type": "application/json" };
  const response = await fetch(`${client.base}/api/v1/products/${encodeURIComponent(product)}/recommendations`, {
    method: "POST",
    headers,
    body: JSON.stringify({ picks }),
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
