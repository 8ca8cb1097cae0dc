/* The month table: sort, search, and the 1,000 / all views.
 * The server renders the top 100; this script takes over on the first
 * interaction and then draws only the rows in view (a few dozen DOM rows,
 * reused while scrolling), so 15,000 rows cost one JSON.parse and no bindings.
 * Data only ever reaches the page through textContent and setAttribute. */
(() => {
  "use strict";
  const table = document.getElementById("top");
  if (!table) return;
  const body = document.getElementById("rows");
  const status = document.getElementById("status");
  const search = document.getElementById("q");
  const controls = document.getElementById("controls");
  const base = table.dataset.base || "";
  const hasPrev = table.dataset.prev === "1";
  const ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const SPARK = 12;
  const SVG = "http://www.w3.org/2000/svg";
  const nf = new Intl.NumberFormat("en-US");
  const fmt = (n) => nf.format(n);
  const DEFAULT_DIR = { r: 1, n: 1, d: -1, c: -1 };
  const PYPI = "https://pypi.org/project/";
  // Bidi controls in a name are shown as [U+202E]; the cell isolates the rest (site.css).
  const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const shown = (s) =>
    s.replace(BIDI, (c) => "[U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "]");

  let data = null; // columns: n names, d downloads, p previous rank (0 new, -1 unknown), s sparks
  let lower = null;
  let full = false;
  let loading = null;
  let view = [];
  let limit = 100;
  let key = "r";
  let dir = 1;
  let query = "";
  let rowH = 0;
  let top = null;
  let bottom = null;
  const pool = [];
  let pending = false;
  let measured = false;

  function fromPage() {
    const n = [], d = [], p = [];
    let s = "";
    for (const tr of body.rows) {
      // The real name, from the link: the text shows bidi controls as [U+202E].
      n.push(decodeURIComponent(tr.cells[1].firstElementChild.getAttribute("href").slice(PYPI.length, -1)));
      d.push(Number(tr.cells[2].textContent.replace(/,/g, "")));
      p.push(hasPrev ? Number(tr.dataset.p) : -1);
      s += tr.dataset.s;
    }
    return { n, d, p, s };
  }

  function load() {
    if (full) return Promise.resolve();
    if (!loading) {
      table.setAttribute("aria-busy", "true");
      status.textContent = "Loading the full list…";
      loading = fetch(table.dataset.src)
        .then((r) => {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then((j) => {
          data = j;
          lower = null;
          full = true;
        })
        .catch((e) => {
          loading = null;
          status.textContent = "Could not load the full list (" + e.message + ").";
          throw e;
        })
        .finally(() => table.removeAttribute("aria-busy"));
    }
    return loading;
  }

  function change(i) {
    const p = data.p[i];
    if (p < 0) return -Infinity;
    if (p === 0) return Infinity; // new entries lead the climbers
    return p - (i + 1);
  }

  function compute() {
    const n = data.n.length;
    let idx;
    if (query) {
      if (!lower) lower = data.n.map((x) => x.toLowerCase());
      idx = [];
      for (let i = 0; i < n; i++) if (lower[i].includes(query)) idx.push(i);
    } else {
      const m = limit === "all" ? n : Math.min(limit, n);
      idx = new Array(m);
      for (let i = 0; i < m; i++) idx[i] = i;
    }
    if (key === "n") {
      if (!lower) lower = data.n.map((x) => x.toLowerCase());
      idx.sort((a, b) => (lower[a] < lower[b] ? -dir : lower[a] > lower[b] ? dir : a - b));
    } else if (key === "d") {
      idx.sort((a, b) => dir * (data.d[a] - data.d[b]) || a - b);
    } else if (key === "c") {
      idx.sort((a, b) => {
        const x = change(a), y = change(b);
        return x === y ? a - b : x < y ? -dir : dir;
      });
    } else if (dir < 0) {
      idx.reverse();
    }
    view = idx;
    const total = n;
    if (query) {
      status.textContent = fmt(view.length) + " of " + fmt(total) + " projects match “" + query + "”.";
    } else if (limit === "all") {
      status.textContent = "All " + fmt(view.length) + " projects.";
    } else {
      status.textContent = "Top " + fmt(view.length) + " of " + fmt(total) + " projects.";
    }
    table.setAttribute("aria-rowcount", String(view.length + 1));
    takeOver();
    const r = body.getBoundingClientRect();
    if (r.top < 0) window.scrollBy(0, r.top - table.tHead.offsetHeight - 8);
    paint();
    table.dataset.shown = String(view.length);
  }

  function spacer() {
    const tr = document.createElement("tr");
    tr.className = "sp";
    tr.setAttribute("aria-hidden", "true");
    const td = document.createElement("td");
    td.colSpan = 5;
    tr.appendChild(td);
    return tr;
  }

  function takeOver() {
    if (top) return;
    rowH = body.rows.length ? body.rows[0].getBoundingClientRect().height : 34;
    body.textContent = "";
    table.classList.add("live"); // a sticky header only for the long views: it slows the first paint
    top = spacer();
    bottom = spacer();
    body.append(top, bottom);
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule, { passive: true });
  }

  function makeRow() {
    const tr = document.createElement("tr");
    const rank = document.createElement("td");
    rank.className = "num";
    const name = document.createElement("td");
    name.className = "name";
    const link = document.createElement("a");
    name.appendChild(link);
    const dl = document.createElement("td");
    dl.className = "num";
    const chg = document.createElement("td");
    const arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    const word = document.createElement("span");
    word.className = "vh";
    const amount = document.createTextNode("");
    chg.append(arrow, word, amount);
    const spark = document.createElement("td");
    spark.className = "spark";
    const hist = document.createElement("a");
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 110 20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG, "path");
    svg.appendChild(path);
    hist.appendChild(svg);
    spark.appendChild(hist);
    tr.append(rank, name, dl, chg, spark);
    tr._c = { rank, link, dl, chg, arrow, word, amount, hist, path };
    return tr;
  }

  function sparkPath(levels) {
    let out = "";
    let down = false;
    for (let i = 0; i < levels.length; i++) {
      const c = levels[i];
      if (c === ".") {
        down = false;
        continue;
      }
      const y = 18 - Math.round((16 * ALPHA.indexOf(c)) / 61);
      out += down ? "L" + i * 10 + " " + y : "M" + i * 10 + " " + y + "h0";
      down = true;
    }
    return out;
  }

  function fill(tr, i, pos) {
    const c = tr._c;
    const name = data.n[i];
    const enc = encodeURIComponent(name);
    tr.setAttribute("aria-rowindex", String(pos + 2));
    c.rank.textContent = fmt(i + 1);
    c.link.href = PYPI + enc + "/";
    c.link.textContent = shown(name);
    c.dl.textContent = fmt(data.d[i]);
    const p = data.p[i];
    let cls = "chg", arrow = "", word = "", amount = "";
    if (p < 0) amount = "–";
    else if (p === 0) { cls += " new"; amount = "new"; }
    else {
      const delta = p - (i + 1);
      if (delta > 0) { cls += " up"; arrow = "▲"; word = "up "; amount = fmt(delta); }
      else if (delta < 0) { cls += " down"; arrow = "▼"; word = "down "; amount = fmt(-delta); }
      else { cls += " same"; arrow = "="; word = "same"; }
    }
    c.chg.className = cls;
    c.arrow.textContent = arrow;
    c.word.textContent = word;
    c.amount.data = amount;
    c.hist.href = base + "project.html?p=" + enc;
    c.hist.setAttribute("aria-label", "History of " + name);
    c.path.setAttribute("d", sparkPath(data.s.substr(i * SPARK, SPARK)));
  }

  function paint() {
    pending = false;
    const n = view.length;
    const y = -body.getBoundingClientRect().top;
    let first = Math.max(0, Math.floor(y / rowH) - 10);
    if (first > n) first = n;
    const last = Math.min(n, first + Math.ceil(window.innerHeight / rowH) + 20);
    top.hidden = first === 0;
    top.style.height = first * rowH + "px";
    bottom.hidden = last === n;
    bottom.style.height = (n - last) * rowH + "px";
    const want = last - first;
    while (pool.length < want) pool.push(makeRow());
    const frag = document.createDocumentFragment();
    for (let k = 0; k < want; k++) {
      fill(pool[k], view[first + k], first + k);
      if (pool[k].parentNode !== body) frag.appendChild(pool[k]);
    }
    for (let k = want; k < pool.length; k++) if (pool[k].parentNode) pool[k].remove();
    body.insertBefore(frag, bottom);
    if (!measured && want) {
      // Rows drawn here may differ from the server's by a fraction of a pixel,
      // which adds up over 15,000 rows: measure once and place by the real height.
      measured = true;
      const h = pool[0].getBoundingClientRect().height;
      if (h && Math.abs(h - rowH) > 0.01) {
        rowH = h;
        paint();
      }
    }
  }

  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(paint);
    }
  }

  function run(needFull) {
    if (!data) data = fromPage();
    if (needFull && !full) {
      load().then(compute, () => {});
    } else {
      compute();
    }
  }

  for (const b of controls.querySelectorAll("button[data-n]")) {
    b.addEventListener("click", () => {
      limit = b.dataset.n === "all" ? "all" : Number(b.dataset.n);
      for (const o of controls.querySelectorAll("button[data-n]")) {
        o.setAttribute("aria-pressed", String(o === b));
      }
      run(limit !== 100);
    });
  }

  search.addEventListener("input", () => {
    query = search.value.trim().toLowerCase();
    run(query !== "");
  });

  for (const th of table.tHead.querySelectorAll("th[data-k]")) {
    const b = document.createElement("button");
    b.type = "button";
    b.append(...th.childNodes);
    th.appendChild(b);
    b.addEventListener("click", () => {
      const k = th.dataset.k;
      dir = k === key ? -dir : DEFAULT_DIR[k];
      key = k;
      for (const o of table.tHead.querySelectorAll("th[data-k]")) o.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      run(false);
    });
  }

  controls.hidden = false;
  if (search.value) {
    query = search.value.trim().toLowerCase();
    run(true);
  }
})();
