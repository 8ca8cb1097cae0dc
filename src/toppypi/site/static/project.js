/* The project page: every archived snapshot of both windows, from two small files.
 * data/snapshots.json lists the snapshots (with the methodology changes and the
 * gaps); one of 256 shards, chosen by FNV-1a of the normalised name (the same
 * function toppypi.site.data.shard_of runs when the site is built), holds the
 * project's ranks. Data only ever reaches the page through textContent and
 * setAttribute; every name is shown isolated (<bdi>), bidi controls made visible. */
(() => {
  "use strict";
  const out = document.getElementById("project");
  const input = document.getElementById("p");
  if (!out) return;
  const SVG = "http://www.w3.org/2000/svg";
  const nf = new Intl.NumberFormat("en-US");
  const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
  const fmt = (n) => nf.format(n);
  const shards = Number(out.dataset.shards);
  const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const BADGE_KEY = /^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$/;
  const WINDOW_NAMES = { 30: "30-day window", 365: "365-day window" };
  // snapshots.json row: [window, label, as_of, start, end, days, source, installers, href]
  const W = 0, LABEL = 1, ASOF = 2, START = 3, END = 4, DAYS = 5, SRC = 6, INST = 7, HREF = 8;

  const shown = (s) =>
    s.replace(BIDI, (c) => "[U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "]");
  const key = (name) => name.trim().replace(/[-_.]+/g, "-").toLowerCase();
  const windowName = (w) => WINDOW_NAMES[w] || w + "-day window";
  const day = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 864e5;

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

  function bdi(name) {
    return el("bdi", shown(name));
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* Ticks for a linear axis from 0: 1, 2 or 5 times a power of ten, about four of them. */
  function linearTicks(max) {
    const raw = Math.max(max, 1) / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
    const ticks = [];
    for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(v);
    return ticks;
  }

  /* One chart over the whole archive: a line per window, methodology markers, gaps shaded. */
  function chart(o) {
    const width = Math.max(300, Math.min(1000, Math.round(out.clientWidth) || 640));
    const H = 230, L = 64, R = 14, T = 22, B = 24;
    const x0 = o.x0, x1 = Math.max(o.x1, o.x0 + 1);
    const x = (d) => L + ((d - x0) * (width - L - R)) / (x1 - x0);
    const y = o.y(T, H - B);
    const fig = el("figure", undefined, "chart");
    const s = svg("svg", { viewBox: `0 0 ${width} ${H}`, role: "img", "aria-label": o.caption });
    for (const g of o.gaps) {
      const a = x(o.asOf[g[1]]), b = x(o.asOf[g[2]]);
      const r = svg("rect", { x: a.toFixed(1), y: T, width: Math.max(b - a, 1).toFixed(1), height: H - T - B, class: "gap" });
      r.appendChild(svg("title", {}, "No snapshot for " + g[3] + " days (" + windowName(g[0]) + ")"));
      s.appendChild(r);
    }
    for (const v of o.ticks) {
      const yy = y(v).toFixed(1);
      s.append(
        svg("line", { x1: L, y1: yy, x2: width - R, y2: yy, class: "grid" }),
        svg("text", { x: L - 6, y: +yy + 4, "text-anchor": "end" }, o.tick(v)),
      );
    }
    const first = new Date(x0 * 864e5).getUTCFullYear() + 1;
    const last = new Date(x1 * 864e5).getUTCFullYear();
    const every = Math.max(1, Math.ceil(((last - first + 1) * 46) / (width - L - R)));
    for (let yr = first; yr <= last; yr += every) {
      const xx = x(Date.UTC(yr, 0, 1) / 864e5).toFixed(1);
      s.append(
        svg("line", { x1: xx, y1: H - B, x2: xx, y2: H - B + 4, class: "ax" }),
        svg("text", { x: xx, y: H - 6, "text-anchor": "middle" }, String(yr)),
      );
    }
    s.append(
      svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "ax" }),
      svg("line", { x1: L, y1: H - B, x2: width - R, y2: H - B, class: "ax" }),
    );
    for (const m of o.markers) {
      const xx = x(m.asOf).toFixed(1);
      const line = svg("line", { x1: xx, y1: T - 4, x2: xx, y2: H - B, class: "mk" });
      line.appendChild(svg("title", {}, m.n + ". " + m.label + ": " + m.title + ": " + m.text));
      s.append(line, svg("text", { x: xx, y: T - 8, "text-anchor": "middle", class: "mkn" }, String(m.n)));
    }
    // Points are round dots on one path per window (no element per point: 260
    // snapshots stay cheap); the nearest one is named on hover.
    const near = [];
    for (const ser of o.series) {
      let d = "", dots = "";
      let prev = null;
      for (const [i, v] of ser.pts) {
        const joined = prev !== null && i === prev + 1 && !o.broken.has(prev);
        const at = x(o.asOf[i]).toFixed(1) + " " + y(v).toFixed(1);
        d += (joined ? "L" : "M") + at;
        dots += "M" + at + "h0";
        near.push([x(o.asOf[i]), y(v), i]);
        prev = i;
      }
      s.append(
        svg("path", { d, class: "ln w" + ser.w }),
        svg("path", { d: dots, class: "pt w" + ser.w, "data-points": ser.pts.length }),
      );
    }
    const tip = svg("g", { class: "tip", visibility: "hidden" });
    const ring = svg("circle", { r: 4.5 });
    const label = svg("text", { y: T + 4 });
    tip.append(ring, label);
    s.appendChild(tip);
    s.addEventListener("pointermove", (e) => {
      const box = s.getBoundingClientRect();
      const px = ((e.clientX - box.left) * width) / box.width;
      const py = ((e.clientY - box.top) * H) / box.height;
      let best = null, dist = Infinity;
      for (const p of near) {
        const dd = (p[0] - px) ** 2 + ((p[1] - py) / 4) ** 2;
        if (dd < dist) [best, dist] = [p, dd];
      }
      if (!best) return;
      ring.setAttribute("cx", best[0].toFixed(1));
      ring.setAttribute("cy", best[1].toFixed(1));
      label.textContent = o.tip(best[2]);
      const right = best[0] > width / 2;
      label.setAttribute("x", (best[0] + (right ? -8 : 8)).toFixed(1));
      label.setAttribute("text-anchor", right ? "end" : "start");
      tip.setAttribute("visibility", "visible");
    });
    s.addEventListener("pointerleave", () => tip.setAttribute("visibility", "hidden"));
    fig.append(el("figcaption", o.caption), s);
    return fig;
  }

  function legend(windows, markers, gaps, S) {
    const box = el("div", undefined, "legend");
    const keys = el("ul", undefined, "keys");
    for (const w of windows) {
      const li = el("li");
      const sw = svg("svg", { viewBox: "0 0 24 8", width: 24, height: 8, "aria-hidden": "true" });
      sw.appendChild(svg("line", { x1: 0, y1: 4, x2: 24, y2: 4, class: "ln w" + w }));
      li.append(sw, " " + windowName(w));
      keys.appendChild(li);
    }
    if (gaps.length) {
      const li = el("li");
      li.append(el("span", undefined, "sw-gap"), " no snapshot taken: " +
        gaps.map((g) => S.s[g[1]][LABEL] + " → " + S.s[g[2]][LABEL] + " (" + g[3] + " days)").join("; "));
      keys.appendChild(li);
    }
    box.appendChild(keys);
    if (markers.length) {
      box.appendChild(el("p", "Changes in how downloads were counted (numbered on the charts):", "mkh"));
      const ol = el("ol", undefined, "markers");
      for (const m of markers) {
        const li = el("li");
        li.value = m.n;
        li.append(el("strong", m.label), " (" + windowName(m.w) + "): " + m.title + ": " + m.text);
        ol.appendChild(li);
      }
      box.appendChild(ol);
    }
    return box;
  }

  function table(w, pts, S, markers, gaps) {
    const t = el("table", undefined, "mv hist");
    t.dataset.window = String(w);
    t.appendChild(el("caption", windowName(w) + ": " + pts.length + " snapshots"));
    const head = el("thead");
    const hr = el("tr");
    for (const [text, c] of [["Snapshot", ""], ["Period", ""], ["Days", "num"], ["Source", ""],
      ["Rank", "num"], ["Downloads", "num"], ["Per day", "num"]]) {
      const th = el("th", text, c);
      th.scope = "col";
      hr.appendChild(th);
    }
    head.appendChild(hr);
    const tb = el("tbody");
    const notes = new Map();
    for (const m of markers) if (m.w === w) notes.set(m.index, (notes.get(m.index) || []).concat([m]));
    const gapAfter = new Map(gaps.filter((g) => g[0] === w).map((g) => [g[2], g]));
    for (let k = pts.length - 1; k >= 0; k--) {
      const [i, rank, dl] = pts[k];
      const r = S.s[i];
      const tr = el("tr", undefined, "snap");
      const th = el("th");
      th.scope = "row";
      const a = el("a", r[LABEL]);
      a.href = r[HREF];
      th.appendChild(a);
      tr.append(th, el("td", r[START] + " to " + r[END], "per"), el("td", String(r[DAYS]), "num"),
        el("td", r[SRC] + (r[INST] ? ", " + r[INST] : "")), el("td", fmt(rank), "num"),
        el("td", fmt(dl), "num"), el("td", fmt(Math.round(dl / r[DAYS])), "num"));
      tb.appendChild(tr);
      const below = k > 0 ? pts[k - 1][0] : -1;
      for (const m of notes.get(i) || []) {
        const n = el("tr", undefined, "mark");
        n.appendChild(el("td", "▲ " + m.n + ". " + m.title + " from " + m.label + ": " + m.text)).colSpan = 7;
        tb.appendChild(n);
      }
      const g = gapAfter.get(i);
      if (g && below === g[1]) {
        const n = el("tr", undefined, "gap");
        n.appendChild(el("td", "No snapshot for " + g[3] + " days")).colSpan = 7;
        tb.appendChild(n);
      }
    }
    t.append(head, tb);
    const wrap = el("div", undefined, "scroll");
    wrap.appendChild(t);
    return wrap;
  }

  function snippet(label, text) {
    const box = el("div", undefined, "snippet");
    const b = el("button", "Copy");
    b.type = "button";
    b.setAttribute("aria-label", "Copy " + label);
    b.addEventListener("click", () => {
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(() => (b.textContent = "Copied"), () => {});
    });
    box.append(el("h4", label), b, el("pre", text));
    return box;
  }

  function badge(k) {
    const base = new URL(".", location.href);
    const svgUrl = new URL("badges/" + k + ".svg", base).href;
    const jsonUrl = new URL("badges/" + k + ".json", base).href;
    const shields = "https://img.shields.io/endpoint?url=" + encodeURIComponent(jsonUrl);
    const page = new URL("project.html?p=" + encodeURIComponent(k), base).href;
    const sec = el("section", undefined, "badge");
    sec.setAttribute("aria-labelledby", "badge-h");
    const h = el("h3", "Badge for your README");
    h.id = "badge-h";
    const img = el("img", undefined, "badge");
    img.src = "badges/" + k + ".svg";
    img.alt = "PyPI rank badge";
    const p = el("p", " Updated with each month's list; a project that leaves the list shows \"unranked\". ");
    p.prepend(img);
    const rst = (url) => ".. image:: " + url + "\n   :target: " + page + "\n   :alt: PyPI rank";
    sec.append(h, p,
      snippet("Markdown, static SVG", "[![PyPI rank](" + svgUrl + ")](" + page + ")"),
      snippet("Markdown, Shields", "[![PyPI rank](" + shields + ")](" + page + ")"),
      snippet("reStructuredText, static SVG", rst(svgUrl)),
      snippet("reStructuredText, Shields", rst(shields)));
    return sec;
  }

  function show(name, S, j) {
    const k = key(name);
    const entry = Object.prototype.hasOwnProperty.call(j.p, k) ? j.p[k] : null;
    out.textContent = "";
    if (!entry) {
      const p = el("p", "“");
      p.append(bdi(name), "” is not in any archived list.");
      out.appendChild(p);
      return;
    }
    const display = entry[0];
    const snaps = S.s;
    const asOf = snaps.map((r) => day(r[ASOF]));
    const byW = new Map();
    for (let i = 1; i < entry.length; i += 3) {
      const w = snaps[entry[i]][W];
      if (!byW.has(w)) byW.set(w, []);
      byW.get(w).push([entry[i], entry[i + 1], entry[i + 2]]);
    }
    const windows = [...byW.keys()].sort((a, b) => a - b);
    const total = (w) => snaps.filter((r) => r[W] === w).length;
    const seen = new Set();
    const markers = [];
    for (const mk of S.k) {
      const id = mk[2] + "|" + mk[4] + "|" + snaps[mk[1]][ASOF];
      if (!byW.has(mk[0]) || seen.has(id)) continue;
      seen.add(id);
      markers.push({ w: mk[0], index: mk[1], title: mk[3], text: mk[4], label: snaps[mk[1]][LABEL], asOf: asOf[mk[1]] });
    }
    markers.sort((a, b) => a.asOf - b.asOf);
    markers.forEach((m, n) => (m.n = n + 1));
    // One shading per missed period, though both windows may have missed it.
    const gapIds = new Set();
    const gaps = S.g.filter((g) => {
      const id = snaps[g[1]][ASOF] + "|" + snaps[g[2]][ASOF];
      if (!byW.has(g[0]) || gapIds.has(id)) return false;
      gapIds.add(id);
      return true;
    }).sort((a, b) => asOf[a[1]] - asOf[b[1]]);
    const broken = new Set(S.g.map((g) => g[1]));

    document.title = "\u2068" + shown(display) + "\u2069 · " + document.title;
    const h = el("h2");
    h.appendChild(bdi(display));
    const counts = windows.map((w) => byW.get(w).length + " of " + total(w) + " snapshots of the " + windowName(w));
    const summary = el("p", "Ranked in " + counts.join(" and ") + ". ");
    const inLatest = S.latest >= 0 && (byW.get(snaps[S.latest][W]) || []).find((p) => p[0] === S.latest);
    if (inLatest) summary.append("Rank " + fmt(inLatest[1]) + " in the latest list, " + snaps[S.latest][LABEL] + ". ");
    const link = el("a", "PyPI page");
    link.href = "https://pypi.org/project/" + encodeURIComponent(display) + "/";
    summary.appendChild(link);
    let maxRank = 10, maxDay = 1;
    for (const pts of byW.values()) {
      for (const [i, r, d] of pts) {
        maxRank = Math.max(maxRank, r);
        maxDay = Math.max(maxDay, d / snaps[i][DAYS]);
      }
    }
    const top = Math.pow(10, Math.ceil(Math.log10(maxRank)));
    const rankTicks = [];
    for (let v = 1; v <= top; v *= 10) rankTicks.push(v);
    const dayTicks = linearTicks(maxDay);
    const dayTop = dayTicks[dayTicks.length - 1];
    const common = { x0: Math.min(...asOf), x1: Math.max(...asOf), asOf, markers, gaps, broken };
    const tipOf = (i, r, d) => snaps[i][LABEL] + " (" + windowName(snaps[i][W]) + "): rank " + fmt(r) + ", " + fmt(d) + " downloads in " + snaps[i][DAYS] + " days";
    const lookup = new Map();
    for (const pts of byW.values()) for (const p of pts) lookup.set(p[0], p);
    out.append(
      h,
      summary,
      chart({
        ...common,
        caption: "Rank (1 is the most downloaded; log scale)",
        series: windows.map((w) => ({ w, pts: byW.get(w).map((p) => [p[0], p[1]]) })),
        ticks: rankTicks,
        tick: fmt,
        y: (t, b) => (v) => t + (Math.log10(v) / Math.log10(top)) * (b - t),
        tip: (i) => tipOf(i, lookup.get(i)[1], lookup.get(i)[2]),
      }),
      chart({
        ...common,
        caption: "Downloads per day (each snapshot's downloads ÷ the days it covers)",
        series: windows.map((w) => ({ w, pts: byW.get(w).map((p) => [p[0], p[2] / snaps[p[0]][DAYS]]) })),
        ticks: dayTicks,
        tick: (v) => compact.format(v),
        y: (t, b) => (v) => b - (v / dayTop) * (b - t),
        tip: (i) => tipOf(i, lookup.get(i)[1], lookup.get(i)[2]),
      }),
      legend(windows, markers, gaps, S),
    );
    // The badge and the tables (hundreds of rows) wait for the frame after the
    // charts: the charts are what a visitor came for, and they paint first.
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (inLatest && BADGE_KEY.test(k)) out.appendChild(badge(k));
        for (const w of windows) out.appendChild(table(w, byW.get(w), S, markers, gaps));
        out.dataset.shown = String((entry.length / 3) | 0);
      }),
    );
  }

  const name = new URLSearchParams(location.search).get("p");
  if (!name || !name.trim()) return;
  input.value = name;
  const hex = shardOf(key(name)).toString(16).padStart(2, "0");
  const get = (url) =>
    fetch(url).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  out.setAttribute("aria-busy", "true");
  out.textContent = "Loading…";
  Promise.all([get(out.dataset.snaps), get(out.dataset.src + hex + ".json")])
    .then(([S, j]) => show(name, S, j))
    .catch((e) => {
      out.textContent = "Could not load the project history (" + e.message + ").";
    })
    .finally(() => out.removeAttribute("aria-busy"));
})();
