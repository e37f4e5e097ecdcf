// newsweave web page: stories -> events -> claims and articles, timelines, compare, search.
//
// Article text is untrusted. Every value reaches the page as a DOM text node (h() below);
// nothing here assigns innerHTML, and the server's Content-Security-Policy forbids inline
// script, so even a stored "<script>" or "onerror=" payload stays inert text.
"use strict";

(function () {
  const view = document.getElementById("view");
  const stats = document.getElementById("stats");
  const SVG = "http://www.w3.org/2000/svg";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  let meta = null;
  let renderToken = 0;

  // ------------------------------------------------------------------ DOM helpers

  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "href") node.setAttribute("href", safeHref(value));
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else if (child instanceof Node) node.appendChild(child);
      else node.appendChild(document.createTextNode(String(child)));
    }
    return node;
  }

  function s(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Only in-page routes and http(s) links may become hrefs (no javascript: URLs).
  function safeHref(value) {
    const text = String(value);
    if (text.startsWith("#") || text.startsWith("/api/")) return text;
    try {
      const url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch (e) { /* not a URL */ }
    return "#";
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function route(path, params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== "") qs.set(k, v);
    const tail = qs.toString();
    return "#/" + path.split("/").map(encodeURIComponent).join("/") + (tail ? "?" + tail : "");
  }

  // ------------------------------------------------------------------ formatting

  function humanDate(value) {
    if (!value) return "undated";
    let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (m) return `${+m[3]} ${MONTHS[+m[2] - 1]} ${m[1]}`;
    m = /^(\d{4})-(\d{2})$/.exec(value);
    if (m) return `${MONTHS[+m[2] - 1]} ${m[1]}`;
    m = /^(\d{4})-Q([1-4])$/.exec(value);
    if (m) return `Q${m[2]} ${m[1]}`;
    return String(value);
  }

  // Start of a TIMEX3-ish value as a UTC time, or null.
  function dateValue(value) {
    if (!value) return null;
    const m = /^(\d{4})(?:-(\d{2}|Q[1-4]|W\d{2})(?:-(\d{2}))?)?/.exec(value);
    if (!m) return null;
    let month = 0, day = 1;
    if (m[2] && /^\d{2}$/.test(m[2])) month = +m[2] - 1;
    else if (m[2] && m[2][0] === "Q") month = 3 * (+m[2][1] - 1);
    else if (m[2] && m[2][0] === "W") { month = 0; day = 1 + 7 * (+m[2].slice(1) - 1); }
    if (m[3]) day = +m[3];
    return Date.UTC(+m[1], month, day);
  }

  function dateRange(first, last) {
    if (!first && !last) return "undated";
    if (!last || first === last) return humanDate(first || last);
    return `${humanDate(first)} – ${humanDate(last)}`;
  }

  function plural(n, word, many) {
    return `${n} ${n === 1 ? word : (many || word + "s")}`;
  }

  function titleOf(a) {
    if (a && a.title) return a.title;
    const lead = (a && (a.lead || a.text)) || "";
    const words = lead.split(/\s+/).slice(0, 12).join(" ");
    return words ? words + " …" : "(untitled)";
  }

  function outletOf(a) {
    if (!a) return "unknown outlet";
    if (a.outlet && a.agency && a.outlet !== a.agency) return `${a.outlet} (${a.agency})`;
    return a.outlet || a.agency || "unknown outlet";
  }

  // A search snippet marks matches with [ ]: turn those into <mark>, all as text nodes.
  function snippetNodes(text) {
    const out = [];
    const re = /\[([^\[\]]*)\]/g;
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      out.push(h("mark", {}, m[1]));
      last = re.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  // ------------------------------------------------------------------ data

  async function api(path, params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== "") qs.set(k, v);
    const url = "/api/" + path + (qs.toString() ? "?" + qs : "");
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok || !body || body.ok === false) {
      const message = body && body.error ? body.error : `${response.status} ${response.statusText}`;
      const err = new Error(message);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  async function loadMeta() {
    try {
      meta = await api("meta");
      const sec = meta.sections || {};
      clear(stats);
      const parts = [
        [meta.articles, "article"], [(meta.outlets || []).length, "outlet"],
        [sec.stories || 0, "story", "stories"], [sec.events || 0, "event"], [sec.claims || 0, "claim"],
        [sec.entities || 0, "entity", "entities"],
      ];
      for (const [n, word, many] of parts) append(stats, [h("span", { class: "stat" }, h("b", {}, String(n)), " ", n === 1 ? word : (many || word + "s"))]);
    } catch (e) {
      clear(stats);
    }
  }

  // ------------------------------------------------------------------ shared pieces

  function page(...children) {
    clear(view);
    append(view, children);
  }

  function crumbs(items) {
    const nav = h("nav", { class: "crumbs", "aria-label": "Breadcrumb" });
    items.forEach((item, i) => {
      if (i) append(nav, [h("span", { class: "sep" }, "›")]);
      append(nav, [item.href ? h("a", { href: item.href }, item.label) : h("span", {}, item.label)]);
    });
    return nav;
  }

  function empty(text, extra) {
    return h("div", { class: "empty" }, h("p", {}, text), extra || null);
  }

  function errorBox(err) {
    return h("div", { class: "error", role: "alert" }, h("strong", {}, err.status === 404 ? "Not found. " : "Something went wrong. "), err.message);
  }

  function statusBadges(counts) {
    if (!counts) return null;
    const out = [];
    // a disagreement groups the contested pairs of one value (a revised figure once), counted once however many events it spans
    if (counts.disputes) out.push(h("span", { class: "badge contested", title: "disagreements between sources: the values sources give for one thing (a figure revised in later reports counts once), each counted once" }, `${plural(counts.disputes, "disagreement")}`));
    if (counts.corroborated) out.push(h("span", { class: "badge corroborated" }, `${counts.corroborated} corroborated`));
    if (counts["single-source"]) out.push(h("span", { class: "badge single" }, `${counts["single-source"]} single-source`));
    return out.length ? h("span", { class: "badges" }, out) : null;
  }

  function outletChips(outlets, limit) {
    const list = outlets || [];
    const shown = list.slice(0, limit || 6);
    return h("span", { class: "chips" }, shown.map((o) => h("span", { class: "chip" }, o)),
      list.length > shown.length ? h("span", { class: "chip more" }, `+${list.length - shown.length}`) : null);
  }

  function articleRow(a, opts) {
    const options = opts || {};
    const li = h("li", { class: "article-row" });
    if (options.select) {
      const box = h("input", { type: "checkbox", class: "pick", value: a.id, "aria-label": "select for comparison" });
      box.addEventListener("change", options.select);
      append(li, [box]);
    }
    append(li, [h("div", { class: "article-main" },
      h("a", { class: "article-title", href: route("article/" + a.id) }, titleOf(a)),
      h("div", { class: "byline" },
        h("span", { class: "outlet" }, outletOf(a)),
        a.dateline ? h("span", {}, a.dateline) : null,
        h("time", {}, humanDate(a.published)),
        a.words ? h("span", {}, `${a.words} words`) : null,
        a.source_group ? h("span", { class: "group", title: "independent-source group: copies of one source share it" }, "source group " + String(a.source_group).slice(0, 8)) : null),
      a.snippet ? h("p", { class: "snippet" }, snippetNodes(a.snippet)) : (options.lead && a.lead ? h("p", { class: "lead" }, a.lead) : null))]);
    return li;
  }

  function pager(total, limit, offset, make) {
    if (total <= limit) return null;
    const pages = h("div", { class: "pager" });
    if (offset > 0) append(pages, [h("a", { href: make(Math.max(0, offset - limit)) }, "← Newer")]);
    append(pages, [h("span", {}, `${offset + 1}–${Math.min(total, offset + limit)} of ${total}`)]);
    if (offset + limit < total) append(pages, [h("a", { href: make(offset + limit) }, "Older →")]);
    return pages;
  }

  // ------------------------------------------------------------------ views

  async function storiesView() {
    const data = await api("stories", { limit: 200 });
    if (!data.items.length) {
      return page(h("h1", { class: "page-title" }, "Stories"),
        empty("No stories yet: the store has not been analysed into events and stories.",
          h("p", {}, h("a", { href: route("articles") }, "Browse the articles instead →"))));
    }
    const grid = h("div", { class: "story-grid" });
    for (const st of data.items) {
      append(grid, [h("article", { class: "story-card" },
        h("div", { class: "kicker" }, dateRange(st.first, st.last)),
        h("h2", {}, h("a", { href: route("story/" + st.id) }, st.title || "Untitled story")),
        h("p", { class: "counts" }, `${plural(st.event_count, "event")} · ${plural(st.article_count, "article")} · ${plural((st.outlets || []).length, "outlet")} · ${plural(st.independent_sources ?? 0, "independent source")}`),
        statusBadges(st.claim_counts),
        outletChips(st.outlets, 5))]);
    }
    page(h("h1", { class: "page-title" }, "Stories"),
      h("p", { class: "dek" }, "Threads of events across outlets. Open a story for its timeline, events and the claims sources make."),
      grid);
  }

  async function storyView(id) {
    const [{ item: st }, days, outlets] = await Promise.all([
      api("stories/" + encodeURIComponent(id)),
      optional("attention", { story: id }),
      optional("coverage", { story: id }),
    ]);
    const events = st.events || [];
    const timeline = st.timeline || [];
    // Bounded like the brief: the key events and dates (those most articles report) show;
    // every other event and date is one click away.
    const keyEvents = events.filter((ev) => ev.key !== false);
    const keyDates = timeline.filter((t) => t.key !== false);
    const list = h("ol", { class: "event-list" });
    const hidden = [];
    for (const ev of events) {
      const item = h("li", { class: "event-item" + (ev.key === false ? "" : " key") },
        h("time", { class: "event-date" }, humanDate(ev.date)),
        h("div", {},
          h("a", { class: "event-title", href: route("event/" + ev.id) }, ev.title || "Untitled event"),
          h("div", { class: "byline" }, plural(ev.article_count, "article"), " · ", (ev.outlets || []).join(", ") || "no outlet named"),
          statusBadges(ev.claim_counts)));
      if (ev.key === false) { item.hidden = true; hidden.push(item); }
      append(list, [item]);
    }
    let eventsBody = list;
    if (hidden.length) {
      const more = h("button", { type: "button", class: "button small more-button" }, `Show all ${plural(events.length, "event")}`);
      more.addEventListener("click", () => {
        const open = more.dataset.open === "1";
        hidden.forEach((li) => { li.hidden = open; });
        more.dataset.open = open ? "0" : "1";
        more.textContent = open ? `Show all ${plural(events.length, "event")}` : `Show the ${keyEvents.length} key events`;
      });
      eventsBody = h("div", {}, h("p", { class: "hint" }, `The ${keyEvents.length} events most articles report, by date.`), list, more);
    }
    const chart = h("div", {}, timelineChart(keyDates, keyEvents));
    let timelineBody = chart;
    const dated = (rows) => rows.filter((r) => r.date).length;
    if (keyDates.length < timeline.length || keyEvents.length < events.length) {
      const all = h("button", { type: "button", class: "button small more-button" }, `Show every date (${plural(dated(timeline) + dated(events), "entry", "entries")})`);
      all.addEventListener("click", () => {
        const open = all.dataset.open === "1";
        chart.replaceChildren(open ? timelineChart(keyDates, keyEvents) : timelineChart(timeline, events));
        all.dataset.open = open ? "0" : "1";
        all.textContent = open ? `Show every date (${plural(dated(timeline) + dated(events), "entry", "entries")})` : "Show the key dates";
      });
      timelineBody = h("div", {}, h("p", { class: "hint" }, "The key dates: the events and dated entries most articles report."), chart, all);
    }
    page(crumbs([{ label: "Stories", href: "#/" }, { label: st.title || "Story" }]),
      h("h1", { class: "page-title" }, st.title || "Untitled story"),
      h("p", { class: "dek" }, `${dateRange(st.first, st.last)} · ${plural(st.event_count, "event")} · ${plural(st.article_count, "article")} from ${plural((st.outlets || []).length, "outlet")} · ${plural(st.independent_sources ?? 0, "independent source")}`),
      statusBadges(st.claim_counts),
      h("section", { class: "panel" }, h("h2", { class: "section-title" }, "Timeline"), timelineBody),
      h("section", { class: "panel", id: "attention" }, h("h2", { class: "section-title" }, "Attention over time"),
        days ? attentionChart(days, "Articles per day in this story") : empty("Attention is not available.")),
      h("section", { class: "panel", id: "coverage" }, h("h2", { class: "section-title" }, "Coverage and blind spots"),
        h("p", { class: "hint" }, "Outlets in this story, and outlets that report on its main entities elsewhere but have nothing here."),
        outlets ? coverageTable(outlets) : empty("Coverage is not available.")),
      h("section", { class: "panel" }, h("h2", { class: "section-title" }, "Events"),
        events.length ? eventsBody : empty("No events in this story.")),
      h("p", {}, h("a", { href: route("articles", { story: st.id }) }, `All ${plural(st.article_count, "article")} in this story →`)));
  }

  // A visual timeline: lanes for events and for reported / scheduled / background entries,
  // one column per distinct date (long gaps drawn as breaks), a detail card under it.
  function timelineChart(entries, events) {
    const lanes = [
      { key: "event", label: "Events" },
      { key: "reported", label: "Reported" },
      { key: "scheduled", label: "Scheduled" },
      { key: "background", label: "Background" },
    ];
    const points = [];
    for (const ev of events || []) if (dateValue(ev.date) !== null) points.push({ lane: "event", date: ev.date, t: dateValue(ev.date), event: ev });
    for (const en of entries) if (dateValue(en.date) !== null) points.push({ lane: lanes.some((l) => l.key === en.kind) ? en.kind : "reported", date: en.date, t: dateValue(en.date), entry: en });
    if (!points.length) return empty("No dated entries for this story yet.");
    const used = lanes.filter((l) => points.some((p) => p.lane === l.key));
    const times = [...new Set(points.map((p) => p.t))].sort((a, b) => a - b);
    // columns share the panel's width, so the whole period shows without scrolling when it can
    const avail = Math.max(320, Math.min(window.innerWidth || 1240, 1240) - 120 - 104);
    const labelW = 104, colW = Math.max(30, Math.min(150, avail / times.length)), laneH = 46, top = 14;
    const width = labelW + colW * times.length + 30;
    const height = top + laneH * used.length + 58;
    const x = (t) => labelW + colW * (times.indexOf(t) + 0.5);
    const svg = s("svg", { class: "timeline-svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "Story timeline" });
    used.forEach((lane, i) => {
      const y = top + laneH * i + laneH / 2;
      svg.appendChild(s("text", { x: 8, y: y + 4, class: "lane-label" }, lane.label));
      svg.appendChild(s("line", { x1: labelW - 6, x2: width - 10, y1: y, y2: y, class: "lane-line" }));
    });
    const axisY = top + laneH * used.length + 8;
    svg.appendChild(s("line", { x1: labelW - 6, x2: width - 10, y1: axisY, y2: axisY, class: "axis" }));
    const every = Math.max(1, Math.ceil(times.length / Math.floor((width - labelW) / 78)));
    times.forEach((t, i) => {
      const cx = x(t);
      svg.appendChild(s("line", { x1: cx, x2: cx, y1: top, y2: axisY, class: "grid" }));
      if (i % every === 0) {
        const p = points.find((q) => q.t === t);
        svg.appendChild(s("text", { x: cx, y: axisY + 18, class: "tick", "text-anchor": "middle" }, humanDate(p.date)));
      }
      if (i > 0) {
        const gapDays = (t - times[i - 1]) / 86400000;
        if (gapDays > 120) {
          const gx = cx - colW / 2;
          const label = gapDays > 700 ? `${Math.round(gapDays / 365)} yrs` : `${Math.round(gapDays / 30)} mo`;
          svg.appendChild(s("text", { x: gx, y: axisY + 38, class: "gap", "text-anchor": "middle" }, "⋯ " + label + " ⋯"));
          svg.appendChild(s("line", { x1: gx, x2: gx, y1: axisY - 5, y2: axisY + 5, class: "break" }));
        }
      }
    });
    const detail = h("div", { class: "timeline-detail", "aria-live": "polite" }, h("p", { class: "hint" }, "Select a point on the timeline to read the entry and its sources."));
    // One marker per lane and date; a number beside it when several things share the date.
    const groups = new Map();
    for (const p of points) {
      const key = p.lane + "|" + p.t;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(p);
    }
    let first = null;
    const dots = [];
    for (const group of groups.values()) {
      const p = group[0];
      const laneIndex = used.findIndex((l) => l.key === p.lane);
      const cx = x(p.t), cy = top + laneH * laneIndex + laneH / 2;
      const label = (q) => (q.event ? q.event.title : q.entry.text) || "";
      const shape = p.lane === "event"
        ? s("rect", { x: cx - 7, y: cy - 7, width: 14, height: 14, transform: `rotate(45 ${cx} ${cy})`, class: "dot event" })
        : s("circle", { cx, cy, r: 7, class: "dot " + p.lane });
      shape.setAttribute("tabindex", "0");
      shape.setAttribute("role", "button");
      shape.setAttribute("data-count", String(group.length));
      const summary = group.length > 1 ? `${group.length} ${p.lane === "event" ? "events" : "entries"}` : label(p);
      shape.setAttribute("aria-label", `${humanDate(p.date)}: ${summary}`);
      shape.appendChild(s("title", {}, `${humanDate(p.date)} — ${summary}`));
      const select = () => {
        dots.forEach((d) => d.classList.remove("selected"));
        shape.classList.add("selected");
        showDetail(detail, group);
      };
      shape.addEventListener("click", select);
      shape.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(); } });
      dots.push(shape);
      svg.appendChild(shape);
      if (group.length > 1) svg.appendChild(s("text", { x: cx + 10, y: cy - 6, class: "count" }, String(group.length)));
      if (!first && p.lane !== "event") first = select;
    }
    const legend = h("div", { class: "legend" },
      used.map((l) => h("span", { class: "legend-item" }, h("span", { class: "swatch " + l.key }), l.label)));
    // On a phone a wide chart would show two dates at a time: list every date instead.
    if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
      const list = timelineList(groups, detail);
      return h("div", { class: "timeline" }, list, legend, detail);
    }
    const wrap = h("div", { class: "timeline" }, h("div", { class: "timeline-scroll" }, svg), legend, detail);
    if (first) first();
    return wrap;
  }

  // ------------------------------------------------------------------ attention and coverage

  // Articles per day as bars (the API fills days without articles with 0), with the peak
  // and the first/last dates on the axis; each bar says its date and count on hover/focus.
  // Long series are drawn per week (over 120 days) or per month (over three years).
  function attentionBuckets(days) {
    if (days.length <= 120) return { unit: "day", bars: days.map((d) => ({ date: d.date, articles: d.articles })) };
    const monthly = days.length > 1100;
    const bars = [];
    days.forEach((d, i) => {
      const key = monthly ? d.date.slice(0, 7) : Math.floor(i / 7);
      const last = bars[bars.length - 1];
      if (last && last.key === key) last.articles += d.articles;
      else bars.push({ key, date: monthly ? d.date.slice(0, 7) : d.date, articles: d.articles });
    });
    return { unit: monthly ? "month" : "week", bars };
  }

  function attentionChart(series, label) {
    if (!series || !series.length) return empty("No dated articles yet.");
    const { unit, bars: days } = attentionBuckets(series);
    const peak = Math.max(1, ...days.map((d) => d.articles));
    const total = days.reduce((n, d) => n + d.articles, 0);
    // the bars share the width the screen has (860 px at most), so a phone sees every day
    const room = Math.max(240, Math.min(860, (window.innerWidth || 1240) - 100));
    const barW = Math.max(2, Math.min(28, room / days.length)), left = 36, top = 10, plotH = 120;
    const width = left + barW * days.length + 16, height = top + plotH + 34;
    const svg = s("svg", { class: "attention-svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-label": `${label}: ${plural(total, "article")} over ${plural(series.length, "day")}, at most ${peak} a ${unit}` });
    const baseY = top + plotH;
    svg.appendChild(s("line", { x1: left - 4, x2: width - 8, y1: baseY, y2: baseY, class: "axis" }));
    svg.appendChild(s("text", { x: left - 8, y: top + 8, class: "tick", "text-anchor": "end" }, String(peak)));
    svg.appendChild(s("text", { x: left - 8, y: baseY, class: "tick", "text-anchor": "end" }, "0"));
    days.forEach((d, i) => {
      const hgt = Math.round((plotH * d.articles) / peak);
      const bar = s("rect", { x: left + i * barW + 0.5, y: baseY - hgt, width: Math.max(1, barW - 1), height: Math.max(hgt, d.articles ? 1 : 0),
        class: "attention-bar", "data-date": d.date, "data-articles": d.articles, "data-unit": unit });
      const when = unit === "week" ? "week of " + humanDate(d.date) : humanDate(d.date);
      bar.appendChild(s("title", {}, `${when}: ${plural(d.articles, "article")}`));
      svg.appendChild(bar);
    });
    svg.appendChild(s("text", { x: left, y: baseY + 20, class: "tick" }, humanDate(days[0].date)));
    if (days.length > 1) svg.appendChild(s("text", { x: width - 8, y: baseY + 20, class: "tick", "text-anchor": "end" }, humanDate(days[days.length - 1].date)));
    return h("div", { class: "attention" }, h("div", { class: "timeline-scroll" }, svg),
      h("p", { class: "hint" }, `${plural(total, "article")} over ${plural(series.length, "day")}; one bar per ${unit}, busiest ${unit} ${peak}.`));
  }

  function coverageTable(rows) {
    if (!rows || !rows.length) return empty("No outlets known for this story.");
    const body = rows.map((r) => h("tr", { class: "coverage-row " + r.status },
      h("td", {}, r.outlet),
      h("td", {}, h("span", { class: "badge " + (r.status === "covers" ? "corroborated" : "contested") }, r.status === "covers" ? "covers" : "blind spot")),
      h("td", { class: "num" }, String(r.articles)),
      h("td", { class: "num" }, String(r.entity_articles)),
      h("td", {}, [r.country, r.language].filter(Boolean).join(" · "))));
    return h("div", { class: "table-scroll" }, h("table", { class: "coverage-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Outlet"), h("th", {}, "Status"), h("th", {}, "In this story"),
        h("th", {}, "On its entities elsewhere"), h("th", {}, "Country · language"))),
      h("tbody", {}, body)));
  }

  async function optional(path, params) {
    try { return (await api(path, params)).items; } catch (err) { return null; }
  }

  // The timeline as a vertical list of dates (narrow screens), in date order.
  function timelineList(groups, detail) {
    const sorted = [...groups.values()].sort((a, b) => a[0].t - b[0].t || a[0].lane.localeCompare(b[0].lane));
    const items = [];
    const list = h("ol", { class: "timeline-list", "aria-label": "Story timeline" });
    for (const group of sorted) {
      const p = group[0];
      const text = group.length > 1
        ? `${group.length} ${p.lane === "event" ? "events" : "entries"}: ${(p.event ? p.event.title : p.entry.text) || ""}`
        : (p.event ? p.event.title : p.entry.text) || "";
      const kind = p.lane === "event" ? "event" : p.lane;
      const item = h("li", { class: kind },
        h("button", { type: "button", onclick: () => {
          items.forEach((i) => i.classList.remove("selected"));
          item.classList.add("selected");
          showDetail(detail, group);
        } }, h("span", { class: "when" }, humanDate(p.date), kind === "reported" ? "" : ` · ${kind}`), h("span", { class: "what" }, text)));
      items.push(item);
      list.appendChild(item);
    }
    const firstEntry = sorted.find((g) => g[0].lane !== "event");
    if (firstEntry) { items[sorted.indexOf(firstEntry)].classList.add("selected"); showDetail(detail, firstEntry); }
    return list;
  }

  function sourceList(sources, limit) {
    const shown = (sources || []).slice(0, limit);
    const rest = (sources || []).length - shown.length;
    return h("ul", { class: "sources" }, shown.map((src) => h("li", {},
      h("a", { href: route("article/" + src.id) }, `${src.outlet || "unknown outlet"}, ${humanDate(src.published)}`),
      src.title ? h("span", { class: "muted" }, " — " + src.title) : null)),
      rest > 0 ? h("li", { class: "muted" }, `and ${rest} more`) : null);
  }

  // The detail card under the timeline: every event or entry sharing the selected date.
  function showDetail(detail, group) {
    clear(detail);
    const p = group[0];
    if (p.event) {
      const shown = group.slice(0, 12);
      append(detail, [h("div", { class: "kicker" }, `${humanDate(p.date)} · ${plural(group.length, "event")}`),
        shown.map((q) => h("div", { class: "detail-event" },
          h("h3", {}, h("a", { href: route("event/" + q.event.id) }, q.event.title || "Untitled event")),
          h("p", { class: "byline" }, plural(q.event.article_count || 0, "article"), " · ", (q.event.outlets || []).join(", ")))),
        group.length > shown.length ? h("p", { class: "muted" }, `and ${group.length - shown.length} more events on this date`) : null]);
      return;
    }
    append(detail, [h("div", { class: "kicker" }, `${humanDate(p.entry.date)} · ${p.entry.kind || "reported"}`),
      group.map((q) => h("div", { class: "detail-entry" },
        h("p", { class: "entry-text" }, q.entry.text || ""),
        sourceList(q.entry.sources, 6)))]);
  }

  // Witnesses: independent outlets reporting the statement (copies of one story count once);
  // origins: independent origins of the fact (one speaker quoted by three outlets is one).
  const WITNESS_HELP = "witnesses: independent outlets that report the statement (copies of one story count once); origins: independent origins of the fact (one speaker quoted by three outlets is one origin, three witnesses)";

  // A claim's witnesses and origins; for one side of a disagreement (c.side), the value's:
  // every claim that gives it counted together, the numbers the CLI, exports and brief show.
  function witnessLine(c, tag) {
    const w = (c.side ? c.side.witnesses : c.independent_sources) ?? 0;
    const o = (c.side ? c.side.origins : c.origins) ?? w;
    return h(tag, { class: "indep", title: WITNESS_HELP },
      h("b", {}, String(w)), w === 1 ? " witness" : " witnesses", " · ",
      h("b", {}, String(o)), o === 1 ? " origin" : " origins");
  }

  // Where a disagreement's side is reported: this event's own value or one from elsewhere in
  // the coverage, in how many articles, by which outlets, on which days.
  function sideReach(s) {
    if (!s) return null;
    const days = s.published || [];
    const when = days.length > 1 ? `${humanDate(days[0])} – ${humanDate(days[days.length - 1])}` : days.length ? humanDate(days[0]) : "";
    const where = s.in_event === true ? h("span", { class: "badge corroborated", title: "reported in this event's articles" }, "this event")
      : s.in_event === false ? h("span", { class: "badge single", title: "reported elsewhere in the coverage; this event's claims were paired with it" }, "elsewhere") : null;
    return h("p", { class: "reach" }, where, where ? " " : null,
      `${plural((s.articles || []).length, "article")} · ${(s.outlets || []).join(", ")}${when ? " · " + when : ""}`);
  }

  function claimSide(side, label) {
    if (!side) return h("div", { class: "side missing" }, h("p", {}, "The opposing claim is not in the store."));
    const sources = side.sources || [];
    return h("div", { class: "side" },
      label ? h("div", { class: "side-label" }, label) : null,
      h("blockquote", {}, side.text || ""),
      side.attribution ? h("p", { class: "attribution" }, "Attributed to ", h("b", {}, side.attribution)) : null,
      side.hedged ? h("p", { class: "hedged" }, "Hedged (“likely”, “expected”, unconfirmed)") : null,
      witnessLine(side, "p"),
      sideReach(side.side),
      h("ul", { class: "sources" }, sources.map((src) => h("li", {},
        h("a", { href: route("article/" + src.id) }, `${src.outlet || src.agency || "unknown outlet"}, ${humanDate(src.published)}`),
        src.quote && src.quote !== side.text ? h("q", { class: "quote" }, src.quote) : null))));
  }

  function claimCard(c, status) {
    return h("li", { class: "claim " + status },
      h("div", { class: "claim-head" },
        h("span", { class: "badge " + (status === "single-source" ? "single" : status) }, status === "single-source" ? "single source" : status),
        witnessLine(c, "span")),
      h("p", { class: "claim-text" }, c.text || ""),
      c.attribution ? h("p", { class: "attribution" }, "— ", c.attribution) : null,
      h("p", { class: "byline" }, (c.sources || []).map((src, i) => [i ? " · " : "", h("a", { href: route("article/" + src.id) }, src.outlet || src.agency || "unknown outlet")])));
  }

  // A list that shows its first `keep` children and a button for the rest.
  function capList(list, keep, noun) {
    const items = [...list.children];
    if (items.length <= keep) return list;
    items.slice(keep).forEach((li) => { li.hidden = true; });
    const more = h("button", { type: "button", class: "button small more-button" }, `Show all ${items.length} ${noun}`);
    more.addEventListener("click", () => {
      items.forEach((li) => { li.hidden = false; });
      more.remove();
    });
    return h("div", {}, list, more);
  }

  // A claim list that shows its first `keep` items and a button for the rest.
  function collapsible(items, keep) {
    const list = h("ul", { class: "claims" }, items);
    if (items.length <= keep) return list;
    items.slice(keep).forEach((li) => { li.hidden = true; });
    const more = h("button", { type: "button", class: "button small more-button" }, `Show all ${items.length}`);
    more.addEventListener("click", () => {
      const open = more.dataset.open === "1";
      items.slice(keep).forEach((li) => { li.hidden = open; });
      more.dataset.open = open ? "0" : "1";
      more.textContent = open ? `Show all ${items.length}` : "Show fewer";
    });
    return h("div", {}, list, more);
  }

  // One disagreement (the contested pairs of one value grouped, as every listing does): what
  // is disputed, update or contradiction, every value as written, its two best-supported
  // sides quoted with the value's witnesses and origins.
  function disagreementBlock(d) {
    const slot = d.slot;
    const values = (d.values || []).join(d.relation === "update" ? " → " : " vs ") + (d.more_values > 0 ? ` (+${d.more_values} more)` : "");
    return [d.quantity ? h("div", { class: "disputed" },
        h("p", { class: "slot" }, h("span", { class: "slot-kind" }, d.quantity), " ", h("span", { class: "relation " + (d.relation || "") }, d.relation_label || d.relation)),
        h("p", { class: "values" }, values, d.pairs > 1 ? h("span", { class: "muted" }, ` · ${plural(d.pairs, "contested pair")}`) : null)) : null,
      h("div", { class: "dispute" }, claimSide(d.a, slot ? slot.a : "One side"), h("div", { class: "versus" }, d.relation === "update" ? "→" : "vs"), claimSide(d.b, slot ? slot.b : "Other side"))];
  }

  async function eventView(id) {
    const { item: ev } = await api("events/" + encodeURIComponent(id));
    const claims = ev.claims || { contested: [], corroborated: [], "single-source": [] };
    const totals = ev.claim_totals || {};
    const total = (status) => {
      const n = totals[status] ?? claims[status].length;
      return n > claims[status].length ? `${claims[status].length} of ${n}` : String(n);
    };
    const contested = h("section", { class: "panel" }, h("h2", { class: "section-title contested" }, `Where sources disagree (${plural(claims.contested.length, "disagreement")})`),
      claims.contested.length ? h("p", { class: "muted dek-small" }, "The values this event's claims give and the values they were paired with, here or elsewhere in the coverage.") : null);
    if (!claims.contested.length) append(contested, [h("p", { class: "muted" }, "No contested claims found for this event.")]);
    for (const d of claims.contested) append(contested, disagreementBlock(d));
    const corroborated = h("section", { class: "panel" }, h("h2", { class: "section-title" }, `Corroborated (${total("corroborated")})`),
      claims.corroborated.length ? collapsible(claims.corroborated.map((c) => claimCard(c, "corroborated")), 6) : h("p", { class: "muted" }, "No claim is backed by two or more independent sources."));
    const single = h("section", { class: "panel" }, h("h2", { class: "section-title" }, `Single source (${total("single-source")})`),
      claims["single-source"].length ? collapsible(claims["single-source"].map((c) => claimCard(c, "single-source")), 5) : h("p", { class: "muted" }, "None."));
    const picked = new Set();
    const compareBtn = h("button", { type: "button", class: "button", disabled: "disabled" }, "Compare the two selected");
    compareBtn.addEventListener("click", () => {
      const [a, b] = [...picked];
      location.hash = route("compare", { a, b });
    });
    const onPick = (e) => {
      if (e.target.checked) picked.add(e.target.value); else picked.delete(e.target.value);
      if (picked.size > 2) { const firstId = [...picked][0]; picked.delete(firstId); view.querySelector(`input.pick[value="${CSS.escape(firstId)}"]`).checked = false; }
      compareBtn.disabled = picked.size !== 2;
    };
    const articles = h("section", { class: "panel" }, h("h2", { class: "section-title" }, `Coverage (${(ev.articles || []).length})`),
      h("ul", { class: "article-list" }, (ev.articles || []).map((a) => articleRow(a, { select: onPick }))),
      h("div", { class: "actions" }, compareBtn));
    page(crumbs([{ label: "Stories", href: "#/" }, ev.story ? { label: ev.story.title || "Story", href: route("story/" + ev.story.id) } : { label: "Event" }, { label: humanDate(ev.date) }]),
      h("div", { class: "kicker" }, humanDate(ev.date)),
      h("h1", { class: "page-title" }, ev.title || "Untitled event"),
      h("p", { class: "dek" }, `${plural(ev.article_count, "article")} from ${(ev.outlets || []).join(", ") || "unnamed outlets"}`),
      h("div", { class: "event-layout" }, h("div", { class: "claims-col" }, contested, corroborated, single), articles));
  }

  // Article text with highlighted spans, built from text nodes and <mark> elements only.
  function highlightedText(text, spans, cls) {
    const body = h("div", { class: "article-text" });
    let pos = 0;
    for (const sp of spans || []) {
      if (sp.start < pos) continue;
      if (sp.start > pos) body.appendChild(document.createTextNode(text.slice(pos, sp.start)));
      body.appendChild(h("mark", { class: cls || "reused", title: sp.kind ? `${sp.kind} passage` : "reused passage" }, text.slice(sp.start, sp.end)));
      pos = sp.end;
    }
    if (pos < text.length) body.appendChild(document.createTextNode(text.slice(pos)));
    return body;
  }

  function coverage(text, spans) {
    const n = (spans || []).reduce((sum, sp) => sum + (sp.end - sp.start), 0);
    return text.length ? Math.round((100 * n) / text.length) : 0;
  }

  async function articleView(id) {
    const { item: a } = await api("articles/" + encodeURIComponent(id));
    const side = h("aside", { class: "article-side" });
    if ((a.events || []).length) append(side, [h("h3", {}, "Events"), h("ul", {}, a.events.map((e) => h("li", {}, h("a", { href: route("event/" + e.id) }, e.title || "event"), h("span", { class: "muted" }, " · " + humanDate(e.date)))))]);
    if ((a.copies || []).length) {
      append(side, [h("h3", {}, "Copies and shared passages")]);
      for (const g of a.copies) {
        append(side, [h("div", { class: "copy-group" }, h("div", { class: "kicker" }, g.kind || "copy"),
          h("ul", {}, (g.members || []).filter((m) => m.id !== a.id).map((m) => h("li", {},
            h("a", { href: route("article/" + m.id) }, `${m.outlet || "unknown outlet"}, ${humanDate(m.published)}`),
            " ", h("a", { class: "button small", href: route("compare", { a: a.id, b: m.id }) }, "compare")))))]);
      }
    }
    if ((a.entities || []).length) append(side, [h("h3", {}, "Entities"), h("div", { class: "chips" }, a.entities.slice(0, 40).map((e) => h("a", { class: "chip", href: route("entity/" + e.id), title: (e.aliases || []).join(", ") }, e.name)))]);
    if ((a.evidence || []).length) append(side, [h("h3", {}, "Metadata evidence"), h("ul", { class: "evidence" }, a.evidence.map((e) => h("li", {}, h("b", {}, e.field), ` = ${e.value} `, h("span", { class: "muted" }, `(${e.rule})`))))]);
    const byline = h("p", { class: "byline big" }, h("span", { class: "outlet" }, outletOf(a)), a.dateline ? h("span", {}, a.dateline) : null, h("time", {}, humanDate(a.published)), h("span", {}, `${a.words} words`),
      /^https?:\/\//i.test(a.url || "") ? h("a", { href: a.url, rel: "noopener noreferrer nofollow", target: "_blank" }, "original") : null);
    page(crumbs([{ label: "Articles", href: route("articles") }, { label: outletOf(a) }]),
      h("h1", { class: "page-title" }, titleOf(a)),
      byline,
      (a.highlights || []).length ? h("p", { class: "note" }, h("mark", { class: "reused" }, "Highlighted"), ` passages (${coverage(a.text, a.highlights)}% of the text) also appear in other articles.`) : null,
      h("div", { class: "article-layout" }, highlightedText(a.text, a.highlights), side));
  }

  async function compareView(params) {
    const a = params.get("a"), b = params.get("b");
    if (!a || !b) return comparePicker();
    const data = await api("compare", { a, b });
    const col = (art, other) => h("div", { class: "compare-col" },
      h("div", { class: "kicker" }, `${outletOf(art)} · ${humanDate(art.published)}`),
      h("h2", {}, h("a", { href: route("article/" + art.id) }, titleOf(art))),
      h("p", { class: "byline" }, `${art.words} words · ${coverage(art.text, art.highlights)}% shared with the other side`),
      highlightedText(art.text, art.highlights));
    const kinds = [...new Set((data.shared || []).map((g) => g.kind))].join(", ");
    page(crumbs([{ label: "Compare", href: route("compare") }, { label: `${outletOf(data.a)} vs ${outletOf(data.b)}` }]),
      h("h1", { class: "page-title" }, "Side by side"),
      h("p", { class: "dek" }, data.shared.length
        ? `These articles share ${plural(data.shared.length, "copy group")} (${kinds}). Reused passages are highlighted in both.`
        : "The copies stage found no passage these two articles share."),
      h("div", { class: "compare" }, col(data.a, data.b), col(data.b, data.a)));
  }

  async function comparePicker() {
    const data = await api("copies", { limit: 100 });
    const list = h("ul", { class: "pair-list" });
    for (const g of data.items) {
      const members = g.members || [];
      for (let i = 1; i < members.length && i < 4; i++) {
        const [x, y] = [members[0], members[i]];
        append(list, [h("li", {}, h("span", { class: "badge " + (g.kind === "near-duplicate" ? "contested" : "single") }, g.kind || "copy"), " ",
          h("a", { href: route("compare", { a: x.id, b: y.id }) }, `${x.outlet || "unknown"} (${humanDate(x.published)}) ↔ ${y.outlet || "unknown"} (${humanDate(y.published)})`),
          h("span", { class: "muted" }, " — " + (x.title || y.title || "")))]);
      }
    }
    page(h("h1", { class: "page-title" }, "Compare articles"),
      h("p", { class: "dek" }, "Pick a pair the copies stage linked, or tick two articles on an event page."),
      data.items.length ? list : empty("No copies found in this store yet."));
  }

  async function articlesView(params) {
    const q = params.get("q") || "";
    const filters = { q, since: params.get("since"), until: params.get("until"), outlet: params.get("outlet"), entity: params.get("entity"), story: params.get("story"), event: params.get("event") };
    const offset = +(params.get("offset") || 0), limit = 30;
    const data = await api("articles", { ...filters, limit, offset });
    document.getElementById("search-input").value = q;
    const form = h("form", { class: "filters", role: "search" });
    const field = (name, label, type, value) => h("label", {}, label, h("input", { name, type, value: value || "", placeholder: type === "date" ? "YYYY-MM-DD" : "" }));
    const outletSelect = h("select", { name: "outlet" }, h("option", { value: "" }, "any outlet"),
      ((meta && meta.outlets) || []).map((o) => { const opt = h("option", { value: o.outlet }, `${o.outlet} (${o.articles})`); if (o.outlet === filters.outlet) opt.selected = true; return opt; }));
    append(form, [field("q", "Words", "search", q), field("since", "From", "date", filters.since), field("until", "To", "date", filters.until),
      h("label", {}, "Outlet", outletSelect), field("entity", "Entity", "text", filters.entity), h("button", { type: "submit", class: "button" }, "Apply")]);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const fd = new FormData(form);
      const next = {};
      for (const [k, v] of fd.entries()) if (String(v).trim()) next[k] = String(v).trim();
      if (filters.story) next.story = filters.story;
      if (filters.event) next.event = filters.event;
      location.hash = route("articles", next);
    });
    const heading = q ? `Search: “${q}”` : "Articles";
    const list = h("ul", { class: "article-list" }, data.items.map((a) => articleRow(a, { lead: true })));
    page(h("h1", { class: "page-title" }, heading),
      form,
      h("p", { class: "result-count" }, data.more ? `best ${data.total} matches shown` : plural(data.total, q ? "match" : "article", q ? "matches" : "articles")),
      data.items.length ? list : empty(q ? "No article matches every word." : "No article matches these filters."),
      pager(data.total, limit, offset, (o) => route("articles", { ...filters, offset: o })));
  }

  async function entitiesView(params) {
    const q = params.get("q") || "", type = params.get("type") || "";
    const data = await api("entities", { q, type, limit: 200 });
    const input = h("input", { type: "search", name: "q", value: q, placeholder: "Name or alias…", "aria-label": "Filter entities" });
    const types = ["", "PERSON", "ORG", "GPE", "LOC", "NORP", "PRODUCT", "EVENT", "FAC"];
    const select = h("select", { name: "type", "aria-label": "Entity type" }, types.map((t) => { const o = h("option", { value: t }, t || "any type"); if (t === type) o.selected = true; return o; }));
    const form = h("form", { class: "filters" }, input, select, h("button", { type: "submit", class: "button" }, "Filter"));
    form.addEventListener("submit", (e) => { e.preventDefault(); location.hash = route("entities", { q: input.value.trim(), type: select.value }); });
    const table = h("table", { class: "entities" }, h("thead", {}, h("tr", {}, h("th", {}, "Entity"), h("th", {}, "Type"), h("th", {}, "Also written as"), h("th", { class: "num" }, "Articles"))),
      h("tbody", {}, data.items.map((e) => h("tr", {},
        h("td", {}, h("a", { href: route("entity/" + e.id) }, e.name)),
        h("td", {}, h("span", { class: "type" }, e.type || "")),
        h("td", {}, h("span", { class: "chips" }, (e.aliases || []).filter((al) => al !== e.name).map((al) => h("span", { class: "chip" }, al)))),
        h("td", { class: "num" }, String(e.article_count))))));
    page(h("h1", { class: "page-title" }, "Entities"),
      h("p", { class: "dek" }, "People, organisations, places and systems, with every name the coverage uses for them."),
      form, h("p", { class: "result-count" }, `${plural(data.total, "entity", "entities")}`),
      data.items.length ? table : empty("No entities match."));
  }

  async function entityView(id) {
    const [{ item: e }, days] = await Promise.all([
      api("entities/" + encodeURIComponent(id)),
      optional("attention", { entity: id }),
    ]);
    page(crumbs([{ label: "Entities", href: route("entities") }, { label: e.name }]),
      h("div", { class: "kicker" }, e.type || "entity"),
      h("h1", { class: "page-title" }, e.name),
      h("p", { class: "dek" }, "Also written as: ", h("span", { class: "chips" }, (e.aliases || []).map((al) => h("span", { class: "chip" }, al)))),
      days ? h("section", { class: "panel", id: "attention" }, h("h2", { class: "section-title" }, "Attention over time"),
        attentionChart(days, `Articles per day mentioning ${e.name}`)) : null,
      h("h2", { class: "section-title" }, `In ${plural((e.articles || []).length, "article")}`),
      h("ul", { class: "article-list" }, (e.articles || []).map((a) => articleRow(a, { lead: true }))));
  }

  async function claimsView(params) {
    const status = params.get("status") || "contested";
    // contested: the disagreements (contested pairs grouped, a revised figure once), as the
    // event page and the CLI list them, not the contested claims one by one
    const contested = status === "contested";
    const data = await api(contested ? "disagreements" : "claims", contested ? { limit: 100 } : { status, limit: 200 });
    const tabs = h("div", { class: "tabs", role: "tablist" }, ["contested", "corroborated", "single-source"].map((st) =>
      h("a", { href: route("claims", { status: st }), role: "tab", class: "tab" + (st === status ? " active" : ""), "aria-selected": st === status ? "true" : "false" }, st === "single-source" ? "single source" : st)));
    const shown = data.items.length < data.total ? `${data.items.length} of ${data.total}` : String(data.total);
    const body = !data.items.length ? empty(contested ? "No disagreements between sources." : "No claims with this status.")
      : contested ? h("section", { class: "panel disagreements" }, data.items.map(disagreementBlock))
        : h("ul", { class: "claims" }, data.items.map((c) => claimCard(c, status)));
    page(h("h1", { class: "page-title" }, "Claims"),
      h("p", { class: "dek" }, "Who says what: corroborated (two or more witnesses), resting on one source, or contested. ",
        h("span", { class: "muted" }, "Witnesses are independent outlets that report a statement; origins are independent origins of the fact (one minister quoted by three outlets: three witnesses, one origin).")),
      tabs, h("p", { class: "result-count" }, contested ? `${shown} ${data.total === 1 ? "disagreement" : "disagreements"}` : plural(data.total, "claim")),
      body);
  }

  // ------------------------------------------------------------------ router

  async function render() {
    const token = ++renderToken;
    const raw = location.hash.replace(/^#\/?/, "");
    const [pathPart, query] = raw.split("?");
    const parts = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query || "");
    const section = parts[0] || "stories";
    document.querySelectorAll(".nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === ({ story: "stories", event: "stories", article: "articles", entity: "entities" }[section] || section)));
    clear(view);
    append(view, [h("p", { class: "loading" }, "Loading…")]);
    try {
      if (section === "stories") await storiesView();
      else if (section === "story") await storyView(parts[1]);
      else if (section === "event") await eventView(parts[1]);
      else if (section === "article") await articleView(parts[1]);
      else if (section === "compare") await compareView(params);
      else if (section === "articles" || section === "search") await articlesView(params);
      else if (section === "entities") await entitiesView(params);
      else if (section === "entity") await entityView(parts[1]);
      else if (section === "claims") await claimsView(params);
      else page(errorBox({ status: 404, message: "There is no such page." }));
    } catch (err) {
      if (token === renderToken) page(errorBox(err));
    }
    if (token === renderToken) {
      document.title = (view.querySelector("h1") ? view.querySelector("h1").textContent + " — " : "") + "newsweave";
      view.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
  }

  document.getElementById("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = document.getElementById("search-input").value.trim();
    location.hash = route("articles", { q });
  });
  window.addEventListener("hashchange", render);
  loadMeta().then(render);
})();
