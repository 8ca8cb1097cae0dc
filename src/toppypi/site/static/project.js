/* The project page: one HTML page, one small data shard per lookup.
 * The shard is chosen by FNV-1a of the normalised name, the same function
 * toppypi.site.data.shard_of runs when the site is built.
 * Data only ever reaches the page through textContent and setAttribute. */
(() => {
  "use strict";
  const out = document.getElementById("project");
  const input = document.getElementById("p");
  if (!out) return;
  const SVG = "http://www.w3.org/2000/svg";
  const nf = new Intl.NumberFormat("en-US");
  const fmt = (n) => nf.format(n);
  const shards = Number(out.dataset.shards);

  const key = (name) => name.trim().replace(/[-_.]+/g, "-").toLowerCase();

  function shardOf(k) {
    let h = 0x811c9dc5;
    for (const b of new TextEncoder().encode(k)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h % shards;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* A line chart over all archived months; a month without a rank breaks the line. */
  function chart(caption, months, points, invert, label) {
    // Drawn at the width it is shown, so labels keep their size on a phone.
    const W = Math.max(300, Math.min(1000, Math.round(out.clientWidth) || 640));
    const H = 200, L = 78, R = 12, T = 12, B = 26;
    const hi0 = Math.max(...points.map((p) => p[1]));
    // Honest axes: ranks from 1, downloads from 0.
    const lo = invert ? 1 : 0;
    const hi = invert ? Math.max(hi0, 10) : Math.max(hi0, 1);
    const n = months.length;
    const x = (mi) => (n === 1 ? L + (W - L - R) / 2 : L + (mi * (W - L - R)) / (n - 1));
    const y = (v) => {
      const f = (v - lo) / (hi - lo);
      return T + (invert ? f : 1 - f) * (H - T - B);
    };
    const fig = el("figure", undefined, "chart");
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": caption });
    s.append(
      svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "ax" }),
      svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "ax" }),
      svg("text", { x: L - 6, y: y(invert ? lo : hi) + 4, "text-anchor": "end" }, label(invert ? lo : hi)),
      svg("text", { x: L - 6, y: y(invert ? hi : lo) + 4, "text-anchor": "end" }, label(invert ? hi : lo)),
      svg("text", { x: L, y: H - 8 }, months[0]),
    );
    if (n > 1) s.append(svg("text", { x: W - R, y: H - 8, "text-anchor": "end" }, months[n - 1]));
    let d = "", prev = -2;
    for (const [mi, v] of points) {
      d += (mi === prev + 1 ? "L" : "M") + x(mi).toFixed(1) + " " + y(v).toFixed(1);
      prev = mi;
    }
    s.appendChild(svg("path", { d, class: "ln" }));
    for (const [mi, v] of points) {
      const c = svg("circle", { cx: x(mi).toFixed(1), cy: y(v).toFixed(1), r: 3, class: "pt" });
      c.appendChild(svg("title", {}, months[mi] + ": " + label(v)));
      s.appendChild(c);
    }
    fig.append(el("figcaption", caption), s);
    return fig;
  }

  function show(name, j) {
    const k = key(name);
    const entry = Object.prototype.hasOwnProperty.call(j.p, k) ? j.p[k] : null;
    out.textContent = "";
    if (!entry) {
      out.appendChild(el("p", "“" + name + "” is not in any archived month's list."));
      return;
    }
    const display = entry[0];
    const months = j.m;
    const ranks = [], dls = [];
    for (let i = 1; i < entry.length; i += 3) {
      ranks.push([entry[i], entry[i + 1]]);
      dls.push([entry[i], entry[i + 2]]);
    }
    document.title = display + " · " + document.title;
    const h = el("h2", display);
    const link = el("a", "PyPI page");
    link.href = "https://pypi.org/project/" + encodeURIComponent(display) + "/";
    const lastRank = ranks[ranks.length - 1];
    const summary = el(
      "p",
      "Ranked in " + ranks.length + " of " + months.length + " archived months; " +
        "rank " + fmt(lastRank[1]) + " in " + months[lastRank[0]] + ". ",
    );
    summary.appendChild(link);
    out.append(
      h,
      summary,
      chart("Rank by month (1 is the most downloaded)", months, ranks, true, fmt),
      chart("Downloads by month", months, dls, false, fmt),
    );
    const table = el("table", undefined, "mv");
    const cap = el("caption", "Rank and downloads of " + display + " by month", "vh");
    const head = el("thead");
    const hr = el("tr");
    for (const [t, c] of [["Month", ""], ["Rank", "num"], ["Downloads", "num"]]) {
      const th = el("th", t, c);
      th.scope = "col";
      hr.appendChild(th);
    }
    head.appendChild(hr);
    const tb = el("tbody");
    for (let i = ranks.length - 1; i >= 0; i--) {
      const tr = el("tr");
      const th = el("th", months[ranks[i][0]]);
      th.scope = "row";
      tr.append(th, el("td", fmt(ranks[i][1]), "num"), el("td", fmt(dls[i][1]), "num"));
      tb.appendChild(tr);
    }
    table.append(cap, head, tb);
    out.appendChild(table);
  }

  const name = new URLSearchParams(location.search).get("p");
  if (!name || !name.trim()) return;
  input.value = name;
  const hex = shardOf(key(name)).toString(16).padStart(2, "0");
  out.setAttribute("aria-busy", "true");
  out.textContent = "Loading…";
  fetch(out.dataset.src + hex + ".json")
    .then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then((j) => show(name, j))
    .catch((e) => {
      out.textContent = "Could not load the project history (" + e.message + ").";
    })
    .finally(() => out.removeAttribute("aria-busy"));
})();
