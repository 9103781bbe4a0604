// The configurator UI, used by the product page and by the partner widget alike. Every answer it shows
// (the design that is priced, what is possible, why not, the price, what is wrong with a text) comes from
// the configure endpoint; the page only keeps the shopper's own picks.

import { ApiError, openCart } from "./api.js";
import { announce, graphemeCount, h, money, plural, uid } from "./dom.js";
import { recorder } from "./consent.js";

const TYPING_DELAY = 250;
// A number with this few possible values is picked among them like a choice (and can carry badges).
const NUMBER_OPTIONS_MAX = 7;
// The longest side of the enlarged preview (one of the preview endpoint's sizes).
const ZOOM_SIZE = "1024";
const LIST_FORMAT = new Intl.ListFormat("en", { style: "long", type: "conjunction" });
// Where a shown value comes from, in the shopper's words (nothing for their own picks: those are plain).
const SOURCE_NOTES = {
  default: "Our suggestion",
  forced: "The only option with your choices",
  adjusted: "Adjusted to fit your choices",
};

/**
 * Build the configurator for `product` into `root` (an element or a shadow root's container).
 * options: client (from createClient), product, headingLevel (1 on the page, 2 in a widget),
 * initialPicks, remixOf (a design id: saving makes a remix of it), cartUrl(token),
 * emit(name, detail) for "ready", "change", "saved" (a design was saved), "add-to-cart" and "error".
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
  }

  async start() {
    this.root.setAttribute("aria-busy", "true");
    try {
      this.spec = await this.client.product(this.productKey);
    } catch (error) {
      this.fail(error, "This product could not be loaded.");
      return;
    }
    this.currency = this.spec.currencies[0];
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
    this.startButton = h("button", { type: "button", class: "atelier-button atelier-secondary atelier-start", hidden: true }, "Start from the most popular design");
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
            h(`h${this.headingLevel}`, { id: titleId, class: "atelier-title" }, spec.label),
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
        const unit = attribute.unit ? ` ${attribute.unit}` : "";
        return this.buildChoice({ ...attribute, options: values.map((value) => ({ key: value, label: `${value}${unit}` })) });
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
    const clash = h("span", { class: "atelier-clash", hidden: true }, "Clashes with another choice");
    const clear = h("button", { type: "button", class: "atelier-clear", hidden: true, "aria-label": `Clear ${attribute.label}` }, "Clear");
    clear.addEventListener("click", () => this.clear(attribute.key));
    fieldset.classList.add("atelier-has-tools");
    fieldset.append(clear);
    return {
      marks: [note, clash],
      show: (domain, value) => {
        const source = this.sourceOf(attribute.key);
        fieldset.dataset.source = source;
        const text = SOURCE_NOTES[source];
        note.textContent = text && hasValue(value) ? text : "";
        note.hidden = !note.textContent;
        note.dataset.source = source;
        const clashes = this.clashes(attribute.key);
        clash.hidden = !clashes;
        fieldset.classList.toggle("atelier-conflict", clashes);
        clear.hidden = !(attribute.key in this.picks);
      },
    };
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
          markOption(item.input, badges(advice?.recommended === item.option.key, popular.has(item.option.key)));
        }
      },
      update: (domain) => {
        const value = this.valueOf(attribute.key);
        current.textContent = value === null || value === undefined ? "" : `: ${this.optionLabel(attribute, value)}`;
        tools.show(domain, value);
        const states = new Map((domain?.options ?? []).map((o) => [o.key, o]));
        for (const item of items) {
          item.input.checked = item.option.key === value;
          const state = states.get(item.option.key);
          // The value in the design is never shown greyed: it is what is priced. (An answer without a
          // design only knows the picks and defaults, which may be out of reach: those stay greyed.)
          const blocked = state && !state.available && !(item.input.checked && this.answer?.design);
          item.tip.set(blocked ? state.reason?.text || "Not possible with your choices." : null);
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
        const limits = [];
        if (attribute.min_count) limits.push(`at least ${attribute.min_count}`);
        if (attribute.max_count !== null && attribute.max_count !== undefined) limits.push(`up to ${attribute.max_count}`);
        counter.textContent = `(${chosen.size} chosen${limits.length ? `, ${limits.join(", ")}` : ""})`;
        const states = new Map((domain?.options ?? []).map((o) => [o.key, o]));
        for (const item of items) {
          item.input.checked = chosen.has(item.option.key);
          const state = states.get(item.option.key);
          const blocked = !item.input.checked && state && !state.available;
          item.tip.set(blocked ? state.reason?.text || "Not possible with your choices." : null);
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
        tip.set(other && !other.available ? other.reason?.text || "Not possible with your choices." : null);
        message(this.violationText(attribute.key));
      },
    };
  }

  buildNumber(attribute) {
    const id = uid("atelier-number");
    const hintId = uid("atelier-hint");
    const unit = attribute.unit ? ` ${attribute.unit}` : "";
    const input = h("input", {
      id,
      type: "number",
      inputmode: "numeric",
      min: attribute.minimum,
      max: attribute.maximum,
      step: attribute.step ?? 1,
      class: "atelier-input atelier-number",
      "aria-describedby": hintId,
    });
    const hint = h("p", { class: "atelier-help", id: hintId },
      attribute.help ? `${attribute.help} ` : "",
      `From ${attribute.minimum}${unit} to ${attribute.maximum}${unit}${attribute.step > 1 ? `, in steps of ${attribute.step}` : ""}.`);
    const fieldset = h("div", { class: "atelier-field", dataset: { attribute: attribute.key } });
    const tools = this.fieldTools(attribute, fieldset);
    fieldset.prepend(
      h("div", { class: "atelier-field-head" }, h("label", { for: id, class: "atelier-label" }, attribute.label), ...tools.marks),
      h("div", { class: "atelier-number-row" }, input, attribute.unit ? h("span", { class: "atelier-unit", "aria-hidden": "true" }, attribute.unit) : null),
      hint);
    if (attribute.unit) input.setAttribute("aria-label", `${attribute.label} (${attribute.unit})`);
    const message = this.fieldMessage(fieldset, () => [input]);
    const send = () => {
      const value = Number.parseInt(input.value, 10);
      if (Number.isNaN(value)) return;
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
      perChar ? h("p", { class: "atelier-help" }, `${money(perChar, this.currency)} per character`) : null));
    if (help) input.setAttribute("aria-describedby", `${help.id} ${counterId}`);
    const message = this.fieldMessage(fieldset, () => [input]);
    let limit = attribute.text?.max_length ?? 0;
    const count = () => {
      const used = graphemeCount(input.value);
      const left = limit - used;
      counter.textContent = left >= 0
        ? `${plural(left, "character", "characters")} left of ${limit}`
        : `${plural(-left, "character", "characters")} too many (at most ${limit})`;
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
    const [xLabel, xRange] = slider("Move the image left or right");
    const [yLabel, yRange] = slider("Move the image up or down");
    const position = h("div", { class: "atelier-position", hidden: true }, xLabel, xRange, yLabel, yRange);
    const remove = h("button", { type: "button", class: "atelier-button atelier-secondary", hidden: true }, "Remove the image");
    const fieldset = h("div", { class: "atelier-field", dataset: { attribute: attribute.key } },
      h("label", { for: id, class: "atelier-label" }, attribute.label),
      attribute.help ? h("p", { class: "atelier-help" }, attribute.help) : null,
      input, status, warning, position, remove,
      price ? h("p", { class: "atelier-help" }, `${money(price, this.currency, { signed: true })} with an image`) : null);
    const message = this.fieldMessage(fieldset, () => [input]);
    let uploadId = "";
    const describe = () => {
      xRange.setAttribute("aria-valuetext", `${xRange.value}% from the left`);
      yRange.setAttribute("aria-valuetext", `${yRange.value}% from the top`);
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
      status.textContent = `Uploading ${file.name}…`;
      message(null);
      try {
        const uploaded = await uploadImage(this.client, file);
        uploadId = uploaded.id;
        xRange.value = 50;
        yRange.value = 50;
        describe();
        status.textContent = `${file.name}: ${uploaded.width}×${uploaded.height} px`;
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
    this.previewStale = h("p", { class: "atelier-preview-note atelier-preview-stale", hidden: true }, "Preview of your last valid design");
    this.previewLoading = h("p", { class: "atelier-preview-note atelier-preview-loading", hidden: true, "aria-hidden": "true" }, "Updating the picture…");
    this.previewFailed = h("p", { class: "atelier-preview-note atelier-preview-failed", hidden: true }, "The picture could not be updated just now");
    this.zoomButton = h("button", { type: "button", class: "atelier-zoom-button", hidden: true, "aria-label": "Enlarge the preview" }, "Enlarge");
    this.zoomButton.addEventListener("click", () => this.openZoom());
    this.preview = h(
      "figure",
      { class: "atelier-preview", "aria-label": `Preview of your ${label}` },
      this.previewImage,
      this.previewName,
      this.previewStale,
      this.previewLoading,
      this.previewFailed,
      this.zoomButton,
    );
    this.viewList = h("div", { class: "atelier-views", role: "group", "aria-label": "Views", hidden: true });
    return h("div", { class: "atelier-visual" }, this.preview, this.viewList);
  }

  buildToolbar() {
    this.undoButton = h("button", { type: "button", class: "atelier-tool", disabled: true }, "Undo");
    this.undoButton.addEventListener("click", () => this.undo());
    this.resetButton = h("button", { type: "button", class: "atelier-tool", disabled: true }, "Start over");
    this.resetButton.addEventListener("click", () => this.startOver());
    return h("div", { class: "atelier-toolbar", role: "group", "aria-label": "Your changes" }, this.undoButton, this.resetButton);
  }

  buildSummary() {
    const detailsId = uid("atelier-details");
    this.choiceList = h("dl", { class: "atelier-summary-choices" });
    this.lines = h("dl", { class: "atelier-lines" });
    this.total = h("p", { class: "atelier-total" });
    this.problems = h("ul", { class: "atelier-problems", hidden: true });
    const quantityId = uid("atelier-quantity");
    this.quantityInput = h("input", { id: quantityId, type: "number", min: 1, max: 1000, value: 1, inputmode: "numeric", class: "atelier-input atelier-quantity" });
    this.quantityInput.addEventListener("input", () => {
      const value = Number.parseInt(this.quantityInput.value, 10);
      if (value >= 1 && value <= 1000) {
        this.quantity = value;
        this.schedule(TYPING_DELAY);
      }
    });
    this.saveButton = h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => this.save() }, "Save & share");
    this.cartButton = h("button", { type: "button", class: "atelier-button", onclick: () => this.addToCart() }, "Add to cart");
    // On a phone the summary is a bar at the bottom: its details open on demand.
    this.detailsButton = h("button", { type: "button", class: "atelier-details-toggle", "aria-expanded": "false", "aria-controls": detailsId }, "Details");
    const shareId = uid("atelier-share");
    this.shareInput = h("input", { id: shareId, type: "url", readonly: true, class: "atelier-input" });
    this.shareLink = h("a", { class: "atelier-link" }, "Open the shared design");
    this.share = h("div", { class: "atelier-share", hidden: true },
      h("label", { for: shareId, class: "atelier-label" }, "Share link"),
      h("div", { class: "atelier-share-row" }, this.shareInput,
        h("button", { type: "button", class: "atelier-button atelier-secondary", onclick: () => this.copy() }, "Copy link")),
      this.shareLink);
    this.added = h("p", { class: "atelier-added", hidden: true });
    this.summary = h(
      "section",
      { class: "atelier-summary", "aria-label": "Price and actions" },
      h("div", { class: "atelier-summary-details", id: detailsId },
        h("h2", { class: "atelier-summary-title" }, "Your design"),
        this.choiceList,
        h("h3", { class: "atelier-summary-subtitle" }, "Price"),
        this.lines,
        h("div", { class: "atelier-quantity-row" }, h("label", { for: quantityId, class: "atelier-label" }, "Quantity"), this.quantityInput)),
      h("div", { class: "atelier-bar" },
        h("div", { class: "atelier-total-row" }, this.total, this.detailsButton),
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
    this.dialogConfirm = h("button", { type: "button", class: "atelier-button", value: "confirm" }, "Yes, switch");
    this.dialogCancel = h("button", { type: "button", class: "atelier-button atelier-secondary", value: "cancel" }, "Cancel");
    this.dialogOthers = h("div", { class: "atelier-alternatives", hidden: true });
    this.dialog = h(
      "dialog",
      { class: "atelier-dialog", "aria-labelledby": titleId, "aria-describedby": bodyId },
      h("h2", { id: titleId, class: "atelier-dialog-title" }, "Change your choices?"),
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
    this.zoomImage = h("img", { class: "atelier-zoom-image", alt: `Enlarged preview of your ${this.spec.label}`, decoding: "async" });
    this.zoomViews = h("div", { class: "atelier-views", role: "group", "aria-label": "Views" });
    const close = h("button", { type: "button", class: "atelier-button atelier-secondary" }, "Close");
    this.zoom = h(
      "dialog",
      { class: "atelier-dialog atelier-zoom", "aria-labelledby": titleId },
      h("h2", { id: titleId, class: "atelier-dialog-title" }, `Your ${this.spec.label}`),
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
      this.say(`${label} cleared.`);
    });
  }

  undo() {
    const before = this.history.pop();
    if (before === undefined) return;
    this.typing = null;
    this.picks = JSON.parse(before);
    this.refresh().then(() => this.say("Last change undone."));
  }

  startOver() {
    if (!Object.keys(this.picks).length) return;
    this.remember();
    this.picks = {};
    this.refresh().then(() => this.say("Started over from our suggestions."));
  }

  /** Announce `text` with the price that now holds. */
  say(text) {
    const price = this.answer?.price;
    announce(this.live, price ? `${text} Price now ${money(price.total, price.currency)}.` : text);
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
      this.alert.textContent = problem.detail || problem.title || "Something went wrong.";
      this.alert.hidden = false;
    }
    announce(this.live, problem.detail || problem.title);
    this.emit("error", { problem });
  }

  update(before) {
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
    const total = money(answer.price.total, answer.price.currency);
    if (!before || before.price.total !== answer.price.total) messages.push(`Price now ${total}.`);
    const oldRefusals = new Set((before?.violations ?? []).map((v) => v.message));
    for (const violation of answer.violations) {
      if (!oldRefusals.has(violation.message) && violation.kind !== "missing") messages.push(violation.message);
    }
    if (conflict?.message && conflict.message !== before?.conflict?.message) messages.push(conflict.message);
    if (before) announce(this.live, messages.join(" "));
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
    const each = price.quantity > 1 ? ` (${price.quantity} × ${money(price.unit_price, price.currency)})` : "";
    this.total.replaceChildren(
      h("span", {}, "Total"),
      " ",
      h("strong", { class: "atelier-amount" }, money(price.total, price.currency)),
      h("span", { class: "atelier-each" }, each),
      price.tax_included ? h("span", { class: "atelier-tax" }, " VAT included") : null,
    );
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
      const note = source !== "picked" && SOURCE_NOTES[source] && hasValue(this.valueOf(attribute.key)) ? h("span", { class: "atelier-source-inline" }, ` (${SOURCE_NOTES[source].toLowerCase()})`) : null;
      rows.push(h("dt", {}, attribute.label), h("dd", {}, shown, note));
    }
    this.choiceList.replaceChildren(...rows);
  }

  describeValue(attribute, value) {
    switch (attribute.kind) {
      case "multi":
        return value?.length ? LIST_FORMAT.format(value.map((key) => this.optionLabel(attribute, key))) : `No ${lower(attribute.label)}`;
      case "boolean":
        return value ? "Yes" : "No";
      case "text":
        return value ? `“${value}”` : null; // an optional extra left out is not a choice to list
      case "image":
        return value ? "Your photo" : null;
      case "number":
        return value === null || value === undefined ? null : `${value}${attribute.unit ? ` ${attribute.unit}` : ""}`;
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
      this.previewImage.alt = `Preview of your ${this.spec.label}${views.length > 1 ? `, ${view.label}` : ""}`;
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
    this.zoomImage.alt = `Enlarged preview of your ${this.spec.label}${views.length > 1 ? `, ${view.label}` : ""}`;
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
      this.dialogQuestion.textContent = "This option cannot be chosen in this product.";
      this.dialogConfirm.hidden = true;
      this.dialogCancel.textContent = "OK";
    } else {
      const first = alternatives?.[0] ?? repair;
      this.dialogQuestion.textContent = describeChanges(first.changes ?? [], this.spec);
      if (alternatives) {
        this.dialogPrice.textContent = priceChange(first, this.currency);
        this.dialogPrice.hidden = !this.dialogPrice.textContent;
      }
      this.dialogConfirm.hidden = false;
      this.dialogConfirm.textContent = "Yes, switch";
      this.dialogCancel.textContent = "Cancel";
      if (alternatives && alternatives.length > 1) {
        this.dialogOthers.append(
          h("p", { class: "atelier-alternatives-title" }, "Or instead:"),
          ...alternatives.slice(1).map((alternative, index) => {
            const button = h("button", { type: "button", class: "atelier-alternative" },
              h("span", {}, describeChanges(alternative.changes ?? [], this.spec).replace(/\?$/, "")),
              h("span", { class: "atelier-alternative-price" }, priceChange(alternative, this.currency)));
            button.addEventListener("click", () => this.acceptRepair(`alternative:${index + 1}`));
            return button;
          }),
        );
        this.dialogOthers.hidden = false;
      }
    }
    this.dialog.returnValue = "";
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
      announce(this.live, "Your choices were kept.");
      (this.fields.get(attribute.key)?.controlFor?.(value) ?? control)?.focus();
      return;
    }
    this.remember();
    let taken = repair;
    if (alternatives) {
      // Whatever an answer offers, the next request accepts: the alternative's picks go as they are.
      taken = alternatives[choice === "confirm" ? 0 : Number(choice.split(":")[1])];
      this.picks = structuredClone(taken.picks);
    } else {
      // Only what the repair changes: anything picked or typed while the question was open stays.
      for (const change of repair.changes) this.picks[change.attribute] = change.new;
      this.picks[attribute.key] = repair.picks[attribute.key];
    }
    await this.refresh();
    announce(this.live, `${sentence(taken.changes ?? [])} Price now ${money(this.answer.price.total, this.answer.price.currency)}.`);
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
    if (this.answer) announce(this.live, `Started from the most popular design. Price now ${money(this.answer.price.total, this.answer.price.currency)}.`);
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
      announce(this.live, "Design saved. Its share link is ready to copy.");
      this.shareInput.focus();
      this.shareInput.select();
    });
  }

  async copy() {
    if (this.saved) this.record({ type: "design_shared", product: this.productKey, design: this.saved.design.id });
    const url = this.shareInput.value;
    try {
      await navigator.clipboard.writeText(url);
      announce(this.live, "Link copied.");
    } catch {
      this.shareInput.focus();
      this.shareInput.select();
      announce(this.live, "Select the link and copy it.");
    }
  }

  async addToCart() {
    if (this.cartButton.dataset.busy) return;
    await this.busy(this.cartButton, async () => {
      await this.refresh();
      if (!this.answer?.valid) {
        const first = this.answer?.violations[0];
        announce(this.live, first ? `Not added: ${first.message}` : "Not added: finish your choices first.");
        if (first) this.fields.get(first.attributes[0])?.focusTarget?.()?.focus();
        return;
      }
      const design = await this.design();
      const cart = await openCart(this.client, this.currency);
      const updated = await this.client.addLine(cart.id, design.id, this.quantity);
      const count = updated.lines.reduce((sum, line) => sum + line.quantity, 0);
      const link = h("a", { href: this.cartUrl(updated.id), class: "atelier-link" }, `View cart (${plural(count, "item", "items")})`);
      this.added.replaceChildren("Added to your cart. ", link);
      this.added.hidden = false;
      announce(this.live, `Added to your cart. Cart total ${money(updated.total, updated.currency)}.`);
      this.emit("add-to-cart", { design: design.id, cart: updated.id, quantity: this.quantity, total: updated.total });
    });
  }
}

function lower(label) {
  return label ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

function changePhrase(change, spec) {
  const kind = spec.attributes.find((a) => a.key === change.attribute)?.kind;
  if (kind === "text") {
    return change.new ? `shorten ${lower(change.label)} to “${change.new}”` : `remove the ${lower(change.label)}`;
  }
  if (kind === "multi") return `change ${lower(change.label)} to ${change.new_label || "none"}`;
  return `switch ${lower(change.label)} to ${change.new_label ?? "nothing"}`;
}

function describeChanges(changes, spec) {
  if (!changes.length) return "Choose it?";
  const text = LIST_FORMAT.format(changes.map((change) => changePhrase(change, spec)));
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}?`;
}

function sentence(changes) {
  const text = LIST_FORMAT.format(changes.map((c) => `${c.label} is now ${c.new_label ?? "empty"}`));
  return changes.length ? `${text}.` : "";
}

/** POST a file to the uploads endpoint as a form; the answer carries the id to pick. */
async function uploadImage(client, file) {
  const body = new FormData();
  body.append("file", file);
  const headers = { Accept: "application/json" };
  if (client.key) headers["X-Atelier-Key"] = client.key;
  let response;
  try {
    response = await fetch(`${client.base}/api/v1/uploads`, { method: "POST", headers, body, credentials: "omit" });
  } catch {
    throw new ApiError({ title: "Network error", status: 0, detail: "The image could not be sent. Check your connection and try again." }, 0);
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
    ? "Same price"
    : money(alternative.price_change, currency, { signed: true });
  return alternative.total ? `${change}, total ${money(alternative.total, currency)}` : change;
}

/** The limit a text must keep, in words, when a repair leaves the shortening to the shopper. */
function limitText(need) {
  if (need.max_length !== undefined && need.max_length !== null) return `${need.label}: at most ${plural(need.max_length, "character", "characters")}.`;
  if (need.min_length !== undefined && need.min_length !== null) return `${need.label}: at least ${plural(need.min_length, "character", "characters")}.`;
  return `Edit ${lower(need.label)} to fit.`;
}

/** The values a number attribute can take, when they are few enough to show as options; else null. */
function numberValues(attribute) {
  const step = attribute.step || 1;
  const count = Math.floor((attribute.maximum - attribute.minimum) / step) + 1;
  if (!Number.isFinite(count) || count < 1 || count > NUMBER_OPTIONS_MAX) return null;
  return Array.from({ length: count }, (_, i) => attribute.minimum + i * step);
}

function badges(recommended, popular) {
  return [recommended ? "Recommended" : null, popular ? "Popular" : null].filter(Boolean);
}

/** Badges after an option, named in its aria-describedby beside what else describes it. */
function markOption(control, marks) {
  const wrapper = control?.closest(".atelier-option");
  if (!wrapper) return;
  wrapper.querySelector(".atelier-badges")?.remove();
  const others = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("atelier-badge"));
  const badges = marks.map((mark) => h("span", { class: `atelier-badge atelier-badge-${mark.toLowerCase()}`, id: uid("atelier-badge") }, mark));
  if (badges.length) wrapper.append(h("span", { class: "atelier-badges" }, ...badges));
  const ids = [...others, ...badges.map((badge) => badge.id)];
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
  else control.removeAttribute("aria-describedby");
}

/** The recommendations endpoint (beside configure: the same picks, answered from past orders). */
async function fetchRecommendations(client, product, picks) {
  const headers = { Accept: "application/json", "Content-Type": "application/json" };
  if (client.key) headers["X-Atelier-Key"] = client.key;
  const response = await fetch(`${client.base}/api/v1/products/${encodeURIComponent(product)}/recommendations`, {
    method: "POST",
    headers,
    body: JSON.stringify({ picks }),
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
