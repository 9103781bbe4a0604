// The insights dashboard: reads the admin API with a token kept in this tab, and draws each section
// as inline SVG next to a table with the same numbers (the table is the text alternative).

import { AdminApi, adminToken } from "./admin-api.js";

const SVG = "http://www.w3.org/2000/svg";
const STAGES = { viewed: "Viewed", configured: "Configured", saved: "Saved", carted: "In a cart", ordered: "Ordered" };
const METRICS = { viewed: "Product views", picked: "Option picks", refused: "Refused tries", orders: "Paid orders", units: "Units ordered" };
const BAR = "#3b6ea5";
const REFUSED = "#b5472f";

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

const percent = (value) => (value === null || value === undefined ? "–" : `${Math.round(value * 100)}%`);

/** Horizontal bars, one per row: label on the left, value at the end of the bar. */
function barChart(rows, { title, colour = BAR, width = 520 }) {
  const rowHeight = 22;
  const labelWidth = 170;
  const largest = Math.max(1, ...rows.map((row) => row.value));
  const height = rows.length * rowHeight + 4;
  const id = `chart-${Math.random().toString(36).slice(2)}`;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart", role: "img", "aria-labelledby": id });
  svg.append(s("title", { id }, title));
  rows.forEach((row, index) => {
    const y = index * rowHeight + 2;
    const length = ((width - labelWidth - 80) * row.value) / largest;
    svg.append(
      s("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end", "font-size": 12 }, row.label),
      s("rect", { x: labelWidth, y: y + 3, width: Math.max(0, length), height: rowHeight - 8, fill: row.colour || colour, rx: 2 }),
      s("text", { x: labelWidth + length + 6, y: y + 15, "font-size": 12 }, row.text ?? row.value),
    );
  });
  return svg;
}

/** A small line over the days of the window, the last point marked. */
function sparkline(points, title) {
  const width = 160;
  const height = 32;
  const largest = Math.max(1, ...points.map((p) => p.count));
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const coords = points.map((p, i) => [i * step, height - 2 - ((height - 4) * p.count) / largest]);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  svg.append(s("title", {}, title));
  svg.append(s("polyline", { points: coords.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "), fill: "none", stroke: BAR, "stroke-width": 1.5 }));
  const last = coords.at(-1);
  if (last) svg.append(s("circle", { cx: last[0], cy: last[1], r: 2.5, fill: BAR }));
  return svg;
}

function table(caption, header, rows, numeric = []) {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, header.map((cell) => h("th", { scope: "col" }, cell)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => h(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : { class: numeric.includes(i) ? "number" : null }, cell))))),
  );
}

function popularity(report) {
  const section = h("section", { "aria-labelledby": "popularity" }, h("h2", { id: "popularity" }, "Option popularity"));
  section.append(h("p", {}, `Ordered: paid order lines with the option (${report.designs} in the window). Picked and refused: consenting shoppers.`));
  for (const attribute of report.popularity.filter((a) => a.options.length)) {
    const rows = attribute.options.map((o) => ({ label: o.label, value: o.ordered, text: `${o.ordered} · ${percent(o.share)}` }));
    section.append(
      h("h3", {}, attribute.label),
      barChart(rows, { title: `${attribute.label}: paid order lines per option` }),
      table(`${attribute.label}: the numbers`, ["Option", "Picked", "Refused", "Ordered", "Share"],
        attribute.options.map((o) => [o.label, o.picked, o.refused, o.ordered, percent(o.share)]), [1, 2, 3, 4]),
    );
  }
  return section;
}

function pairs(report) {
  const section = h("section", { "aria-labelledby": "pairs" }, h("h2", { id: "pairs" }, "Options ordered together"));
  if (!report.pairs.length) {
    section.append(h("p", {}, "No pair was ordered together twice yet."));
    return section;
  }
  section.append(
    h("p", {}, "Lift above 1: ordered together more often than chance would have it."),
    table("Pairs by lift", ["Option", "With", "Designs", "Lift"],
      report.pairs.map((p) => [`${p.attribute_label}: ${p.option_label}`, `${p.other_attribute_label}: ${p.other_option_label}`, p.count, p.lift.toFixed(2)]), [2, 3]),
  );
  return section;
}

function funnel(item, title) {
  const rows = item.steps.map((step) => ({ label: STAGES[step.stage] || step.stage, value: step.shoppers, text: `${step.shoppers} · ${percent(step.rate)}` }));
  return h(
    "div",
    {},
    h("h3", {}, title),
    barChart(rows, { title: `${title}: shoppers at each stage` }),
    table(`${title}: the numbers (paid orders: ${item.orders})`, ["Stage", "Shoppers", "Of viewed"],
      item.steps.map((step) => [STAGES[step.stage] || step.stage, step.shoppers, percent(step.rate)]), [1, 2]),
  );
}

function funnels(report) {
  const section = h("section", { "aria-labelledby": "funnel" }, h("h2", { id: "funnel" }, "Funnel"));
  section.append(h("p", {}, `Distinct consenting shoppers. Paid orders, whatever the consent: ${report.funnel.orders}.`));
  section.append(funnel(report.funnel, report.partner ? `Through ${report.partner}` : "All channels"));
  if (!report.partner && report.funnel_by_partner.some((f) => f.partner)) {
    for (const item of report.funnel_by_partner) section.append(funnel(item, item.partner ? `Through ${item.partner}` : "The storefront"));
  }
  return section;
}

function blocked(report) {
  const section = h("section", { "aria-labelledby": "blocked" }, h("h2", { id: "blocked" }, "Blocked demand"));
  section.append(h("p", {}, "Options shoppers tried that a rule excluded, most tried first: the rules to relax or the options to add."));
  if (!report.blocked.length) {
    section.append(h("p", {}, "No option was refused."));
    return section;
  }
  section.append(
    barChart(report.blocked.slice(0, 10).map((b) => ({ label: `${b.attribute_label}: ${b.option_label}`, value: b.count, colour: REFUSED })), { title: "Refused tries per option" }),
    table("Refused tries", ["Option", "Tries", "Rule", "Message"],
      report.blocked.map((b) => [`${b.attribute_label}: ${b.option_label}`, b.count, b.rule || "–", b.message || ""]), [1]),
  );
  return section;
}

function trends(report) {
  const section = h("section", { "aria-labelledby": "trends" }, h("h2", { id: "trends" }, "Trends"));
  const rows = report.trends.map((t) => {
    const change = t.previous_total ? `${t.total >= t.previous_total ? "+" : ""}${Math.round(((t.total - t.previous_total) / t.previous_total) * 100)}%` : t.total ? "new" : "–";
    const name = METRICS[t.metric] || t.metric;
    return [name, t.total, change, sparkline(t.series, `${name} per day, ${t.series[0]?.day} to ${t.series.at(-1)?.day}`)];
  });
  section.append(table(`Per day over ${report.days} days, against the ${report.days} days before`, ["Metric", "Total", "Change", "Per day"], rows, [1, 2]));
  return section;
}

const ENTRY_STATUSES = { pending: "Waiting for approval", published: "Published", held: "Reported, held", rejected: "Rejected", unpublished: "Unpublished" };
const IDEA_STATUSES = { open: "Open", under_review: "Under review", planned: "Planned", made: "Made", declined: "Declined", removed: "Removed" };
const CAMPAIGN_STATUSES = { open: "Open", closed: "Closed", succeeded: "Made", failed: "Not made", cancelled: "Called off" };

function change(total, previous) {
  if (previous) return `${total >= previous ? "+" : ""}${Math.round(((total - previous) / previous) * 100)}%`;
  return total ? "new" : "–";
}

/** Counts by status as bars, with their table. */
function byStatus(heading, counts, words) {
  const rows = Object.entries(words).filter(([key]) => counts[key]).map(([key, label]) => ({ label, value: counts[key] }));
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (!total) return h("div", {}, h("h3", {}, heading), h("p", {}, "None yet."));
  return h(
    "div",
    {},
    h("h3", {}, heading),
    barChart(rows, { title: `${heading} by status` }),
    table(`${heading}: ${total} by status`, ["Status", "Count"], rows.map((row) => [row.label, row.value]), [1]),
  );
}

function ranked(caption, items, page, words) {
  if (!items.length) return h("p", {}, `${caption}: no vote in the window.`);
  return table(caption, ["Title", "By", "Votes", "Status"],
    items.map((item) => [h("a", { href: page(item.id) }, item.title), item.by ?? "–", item.votes, words[item.status] ?? item.status]), [2]);
}

function standing(campaign) {
  if (campaign.kind === "edition") {
    // A missed or called-off edition has released its pre-orders: none is reserved any more.
    if (campaign.status === "failed" || campaign.status === "cancelled") return `Not made (${campaign.threshold} needed): pre-orders released`;
    return `${campaign.reserved ?? 0} of ${campaign.threshold} reserved`;
  }
  if (!campaign.votes) return "No vote yet";
  return `${campaign.votes === 1 ? "1 vote" : `${campaign.votes} votes`}, leader: ${campaign.leader}`;
}

function community(report) {
  const found = report.community;
  const section = h("section", { "aria-labelledby": "community" }, h("h2", { id: "community" }, "Community"));
  section.append(h("p", {}, "The gallery and the idea board around this product, votes per day, the most voted, and each campaign's standing. ",
    h("a", { href: "/admin/community" }, "Moderate"), " · ", h("a", { href: "/admin/campaigns" }, "Campaigns")));
  const votes = found.votes;
  const name = "Votes";
  section.append(
    h("div", { class: "community-counts" }, byStatus("Gallery entries", found.entries, ENTRY_STATUSES), byStatus("Ideas", found.ideas, IDEA_STATUSES)),
    h("h3", {}, "Votes"),
    table(`Votes per day over ${report.days} days, against the ${report.days} days before`, ["Metric", "Total", "Change", "Per day"],
      [[name, votes.total, change(votes.total, votes.previous_total), sparkline(votes.series, `${name} per day, ${votes.series[0]?.day} to ${votes.series.at(-1)?.day}`)]], [1, 2]),
    h("h3", {}, "Most voted"),
    ranked("Gallery entries with the most votes in the window", found.top_entries, (id) => `/gallery/${encodeURIComponent(id)}`, ENTRY_STATUSES),
    ranked("Ideas with the most votes in the window", found.top_ideas, (id) => `/ideas/${encodeURIComponent(id)}`, IDEA_STATUSES),
    h("h3", {}, "Campaigns"),
    found.campaigns.length
      ? table("Campaigns and where they stand", ["Campaign", "Kind", "Status", "Closes", "Standing"],
        found.campaigns.map((c) => [h("a", { href: `/campaigns/${encodeURIComponent(c.id)}` }, c.title), c.kind === "edition" ? "Limited edition" : "Vote",
          CAMPAIGN_STATUSES[c.status] ?? c.status, new Date(c.closes_at).toLocaleDateString(), standing(c)]))
      : h("p", {}, "No campaign for this product yet."),
  );
  return section;
}

function render(target, report) {
  const counted = report.counted_at
    ? `Counted at ${new Date(report.counted_at).toLocaleString()}, days up to ${report.last_counted || report.last_day}.`
    : "Nothing counted yet: the hourly task has not run (or run `atelier insights aggregate`).";
  target.replaceChildren(
    h("h2", {}, `${report.label}: ${report.first_day} to ${report.last_day}`),
    h("p", {}, counted),
    popularity(report),
    pairs(report),
    funnels(report),
    blocked(report),
    trends(report),
    ...(report.community ? [community(report)] : []),
  );
}

async function start() {
  const root = document.querySelector("[data-insights]");
  const tokenForm = root.querySelector("[data-token-form]");
  const filters = root.querySelector("[data-filters]");
  const status = root.querySelector("[data-status]");
  const target = root.querySelector("[data-report]");
  const csvLink = root.querySelector("[data-csv]");
  let api = null;
  let asked = 0; // answers to an older question (a product since changed) are dropped

  function askToken(message) {
    adminToken.clear();
    filters.hidden = true;
    tokenForm.hidden = false;
    status.textContent = message || "";
  }

  function query() {
    const data = new FormData(filters);
    const params = new URLSearchParams({ days: data.get("days") || "30" });
    const partner = String(data.get("partner") || "").trim();
    if (partner) params.set("partner", partner);
    return { product: String(data.get("product") || ""), params };
  }

  async function show() {
    const { product, params } = query();
    if (!product) return;
    status.textContent = "Loading…";
    const question = ++asked;
    try {
      const report = await api.get(`/api/v1/admin/insights/${encodeURIComponent(product)}?${params}`);
      if (question !== asked) return;
      render(target, report);
      csvLink.hidden = false;
      status.textContent = `Showing ${report.label}, ${report.days} days.`;
    } catch (error) {
      if (question !== asked) return;
      if (error.refusedToken) return askToken(`The token was refused: ${error.message}`);
      target.replaceChildren();
      status.textContent = error.message;
    }
  }

  async function begin(token) {
    api = new AdminApi(token);
    const response = await fetch("/api/v1/products", { headers: { Accept: "application/json" } });
    const products = response.ok ? (await response.json()).products : [];
    const select = filters.querySelector("select[name=product]");
    select.replaceChildren(...products.map((p) => h("option", { value: p.key }, p.label)));
    tokenForm.hidden = true;
    filters.hidden = false;
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
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  filters.addEventListener("change", (event) => {
    if (event.target.name !== "partner") show();
  });
  root.querySelector("[data-forget]").addEventListener("click", () => askToken("The token is forgotten."));
  csvLink.addEventListener("click", async (event) => {
    // A link cannot carry the token: fetch the file with it, then hand the browser the bytes.
    event.preventDefault();
    const { product, params } = query();
    try {
      const blob = await api.get(`/api/v1/admin/insights/${encodeURIComponent(product)}/export.csv?${params}`, "text/csv");
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: `insights-${product}-${params.get("days")}d.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    } catch (error) {
      status.textContent = error.message;
    }
  });

  const saved = adminToken.get();
  if (saved) await begin(saved);
  else askToken();
}

start();
