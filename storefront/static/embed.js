// The embed page's side of its conversation with the partner page that frames it.
//
// Messages go to the parent only with an exact target origin, one of the partner's origins; messages
// are accepted only from the parent window and only when event.origin is exactly one of them (the
// parent's own, once known). The origins come from the page's JSON island, the same list as its
// frame-ancestors policy.
//
// window.AtelierEmbed = { product, key, keyHeader, api, origins, parentOrigin, post(type, detail),
//                         on(type, handler) } for the widget; the widget's events are forwarded.
const config = JSON.parse(document.getElementById("atelier-embed").textContent);
const allowed = Object.freeze([...config.origins]);

// The parent's origin, when it is one of the allowed ones; null when it is not or cannot be known.
function findParentOrigin() {
  if (window.parent === window) return null;
  const seen = [];
  if (window.location.ancestorOrigins && window.location.ancestorOrigins.length > 0) {
    seen.push(window.location.ancestorOrigins[0]);
  } else if (document.referrer) {
    try {
      seen.push(new URL(document.referrer).origin);
    } catch {
      // an unreadable referrer tells nothing
    }
  }
  if (seen.length > 0) return allowed.includes(seen[0]) ? seen[0] : null;
  // No hint (a no-referrer policy): with one origin, the frame-ancestors policy says it is that one.
  return allowed.length === 1 ? allowed[0] : null;
}

const parentOrigin = findParentOrigin();
const handlers = new Map();

function post(type, detail = {}) {
  if (parentOrigin === null) return false;
  window.parent.postMessage({ source: "atelier", type, detail }, parentOrigin);
  return true;
}

function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, []);
  handlers.get(type).push(handler);
}

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !allowed.includes(event.origin)) return;
  if (parentOrigin !== null && event.origin !== parentOrigin) return;
  const data = event.data;
  if (data === null || typeof data !== "object" || typeof data.type !== "string") return;
  for (const handler of handlers.get(data.type) || []) handler(data.detail, event.origin);
});

window.AtelierEmbed = Object.freeze({
  product: config.product,
  key: config.key,
  keyHeader: config.keyHeader,
  api: config.api,
  origins: allowed,
  parentOrigin,
  post,
  on,
});

if (parentOrigin === null && window.parent !== window) {
  console.warn("Atelier embed: the framing page is not one of the partner's origins; no messages are sent.");
}
// The configurator's own events (ready, change, add-to-cart, error) go to the partner page as messages.
for (const type of ["atelier:ready", "atelier:change", "atelier:add-to-cart", "atelier:error"]) {
  document.addEventListener(type, (event) => post(type, JSON.parse(JSON.stringify(event.detail ?? {}))));
}
