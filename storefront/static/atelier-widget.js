// <atelier-configurator product="engraved-mug" key="pk_…" api="https://shop.example">: the shop's
// configurator on a partner's page. One classic script tag defines the element; the UI itself is the
// same ES module the shop's product page uses, imported from the shop's own origin. So is the privacy
// panel (consent.js): asked above the configurator once it is ready, reopened by "Privacy choices"
// below it; nothing is recorded before a yes given here, for this partner.
//
// It speaks the shopper's language (i18n.js: their choice in its menu, remembered in this browser, else
// their browser's languages), whatever the host page speaks, and shows prices in their currency.
(() => {
  "use strict";

  const script = document.currentScript;
  const scriptUrl = script && script.src ? new URL(script.src) : new URL(window.location.href);
  const assets = new URL(".", scriptUrl);
  const EVENTS = ["ready", "change", "add-to-cart", "error"];

  class AtelierConfigurator extends HTMLElement {
    static get observedAttributes() {
      return ["product", "key", "api"];
    }

    connectedCallback() {
      if (this.shadowRoot) return;
      const shadow = this.attachShadow({ mode: "open" });
      // Every style of the shadow root, :host's included, comes from the shop's stylesheet: no inline
      // <style>, so pages with a strict style-src (the embed page's is 'self') show it as designed.
      const sheet = document.createElement("link");
      sheet.rel = "stylesheet";
      sheet.href = new URL("configurator.css", assets).href;
      this.container = document.createElement("div");
      this.container.className = "atelier-root";
      // "Loading…" is written as soon as the shopper's language is known (the first module to arrive).
      this.loading = document.createElement("p");
      this.loading.className = "atelier-loading";
      this.container.append(this.loading);
      // The privacy panel and its opener live beside the configurator, which replaces its own content.
      this.privacy = document.createElement("div");
      this.privacy.className = "atelier-root atelier-privacy";
      this.privacyOpener = document.createElement("button");
      this.privacyOpener.type = "button";
      this.privacyOpener.className = "privacy-open";
      this.privacyOpener.hidden = true;
      this.footer = document.createElement("p");
      this.footer.className = "atelier-root atelier-privacy-footer";
      this.footer.append(this.privacyOpener);
      shadow.append(sheet, this.privacy, this.container, this.footer);
      this.mount();
    }

    attributeChangedCallback(name, before, after) {
      if (this.container && before !== after && name === "product") this.mount();
    }

    get api() {
      const given = this.getAttribute("api");
      return (given ? new URL(given, window.location.href).origin : scriptUrl.origin).replace(/\/$/, "");
    }

    emit(name, detail) {
      this.dispatchEvent(new CustomEvent(`atelier:${name}`, { detail, bubbles: true, composed: true }));
    }

    /** The widget's own texts, and its parts' language and direction, in the language of the moment. */
    speak(i18n) {
      for (const part of [this.container, this.privacy, this.footer]) {
        part.lang = i18n.language;
        part.dir = i18n.direction;
      }
      this.loading.textContent = i18n.t("Loading…");
      this.privacyOpener.textContent = i18n.t("Privacy choices");
    }

    async mount() {
      const product = this.getAttribute("product");
      // Problems in events are for the host page's developer, not for shoppers: in English.
      if (!product) {
        this.emit("error", { problem: { title: "No product", status: 0, detail: 'Set the "product" attribute.' } });
        return;
      }
      let i18n = null;
      try {
        const languageKnown = import(new URL("i18n.js", assets).href).then((loaded) => {
          i18n = loaded;
          this.speak(loaded);
        });
        const [, { createClient }, { mountConfigurator }, { mountPrivacy }] = await Promise.all([
          languageKnown,
          import(new URL("api.js", assets).href),
          import(new URL("configurator.js", assets).href),
          import(new URL("consent.js", assets).href),
        ]);
        const client = createClient({ base: this.api, key: this.getAttribute("key") });
        const headingLevel = Number(this.getAttribute("heading-level")) || 2;
        // The privacy panel in the language of the moment; its opener is made anew each time, so that
        // it opens the one panel shown.
        const askPrivacy = () => {
          const opener = this.privacyOpener.cloneNode(true);
          this.privacyOpener.replaceWith(opener);
          this.privacyOpener = opener;
          mountPrivacy(this.privacy, client, { openers: [opener], headingLevel });
        };
        // Another language chosen in this widget's menu (or another widget's on the page): the
        // configurator draws itself again; the widget's own texts and the privacy panel follow here.
        i18n.onLanguageChange(() => {
          this.speak(i18n);
          if (this.privacyMounted) askPrivacy();
        });
        // The configurator prices its first design before it says it is ready; the host page is
        // promised "ready" first, so changes wait for it and follow it in their order.
        let ready = false;
        const waiting = [];
        this.ui = await mountConfigurator(this.container, {
          client,
          product,
          headingLevel,
          menu: true,
          emit: (name, detail) => {
            if (name === "change" && !ready) {
              waiting.push(detail);
              return;
            }
            // Asked once the shop answered (a refused key or origin has nothing to ask about).
            if (name === "ready" && !this.privacyMounted) {
              this.privacyMounted = true;
              askPrivacy();
            }
            if (EVENTS.includes(name)) this.emit(name, detail);
            if (name === "ready") {
              ready = true;
              for (const change of waiting.splice(0)) this.emit("change", change);
            }
          },
        });
      } catch (error) {
        // In the shopper's language when it is known: the shop may not have answered at all.
        const t = i18n ? i18n.t : (message) => message;
        this.container.textContent = t("The configurator could not be loaded.");
        this.emit("error", { problem: { title: "Widget not loaded", status: 0, detail: String(error) } });
      }
    }
  }

  if (!window.customElements.get("atelier-configurator")) {
    window.customElements.define("atelier-configurator", AtelierConfigurator);
  }
})();
