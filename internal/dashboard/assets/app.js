// Ringfence dashboard. Plain DOM, no framework, no inline script, no
// network beyond this origin: every string from a page or a file is put into
// the DOM as text, never as HTML.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(path, opts = {}) {
  const res = await fetch(path, { credentials: "same-origin", ...opts });
  const type = res.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    const msg = body && body.error ? body.error.message : String(body);
    throw new Error(msg || res.statusText);
  }
  return body;
}

function toast(msg) {
  const t = $("#toast");
  t.textContent = msg;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 3000);
}

function size(n) {
  if (n < 1024) return n + " B";
  if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
  return (n / 1048576).toFixed(1) + " MiB";
}

function when(s) {
  return (s || "").replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
}

const CATEGORY = {
  consent_training: "Consent & training opt-out",
  account_status: "Account status & system settings",
  uploads: "Upload metadata",
  moderation: "Moderation, bans & appeals",
  api_dashboard: "API dashboard & keys",
  other: "Other",
};

// ---- live feed ----------------------------------------------------------

const live = { ws: null, delay: 500, handlers: new Set() };

function setLive(state, text) {
  document.body.dataset.live = state;
  $("#live-text").textContent = text;
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/api/live`);
  live.ws = ws;
  ws.addEventListener("open", () => { live.delay = 500; setLive("open", "live"); });
  ws.addEventListener("message", (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch { return; }
    for (const h of live.handlers) h(msg);
  });
  ws.addEventListener("close", () => {
    setLive("closed", "reconnecting…");
    // Back off up to 5 s; the server may be restarting.
    setTimeout(connect, live.delay);
    live.delay = Math.min(live.delay * 2, 5000);
  });
}

let refreshTimer = null;
live.handlers.add((msg) => {
  if (msg.type === "hello") {
    // After a reconnect, whatever was missed is re-read.
    scheduleRefresh();
    return;
  }
  if (/^(snapshot|import|note|event|key|audit)\./.test(msg.type)) {
    if (msg.type === "snapshot.added") toast("New snapshot " + msg.id);
    if (msg.type === "import.added") toast("Imported " + msg.id);
    if (msg.type === "snapshot.amended") toast("Full-page screenshots / MHTML added to " + msg.id);
    scheduleRefresh(msg);
  }
});

function scheduleRefresh(msg) {
  if (msg && msg.id) recent.add(msg.id);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { loadSummary(); if (current.refresh) current.refresh(); }, 120);
}
const recent = new Set();

// ---- routing ------------------------------------------------------------

const current = { refresh: null };

function route() {
  const h = location.hash.slice(1) || "timeline";
  const [page, a, b] = h.split("/");
  const navPage = page === "audit" ? "audits" : page;
  for (const n of document.querySelectorAll("nav a")) n.classList.toggle("active", n.id === "nav-" + navPage);
  const main = $("#main");
  main.replaceChildren();
  current.refresh = null;
  const views = { timeline, snapshot: () => snapshotView(a), diff: () => diffView(a, b), keys: keysView, kit: kitView,
    audits: auditsView, audit: () => auditView(decodeURIComponent(a || "")) };
  (views[page] || timeline)().catch((e) => main.replaceChildren(el("p", { class: "bad" }, "Error: " + e.message)));
}

async function loadSummary() {
  try {
    const id = await api("/api/identity");
    const parts = [`${id.snapshots} snapshot(s)`];
    if (id.last_snapshot_at) parts.push("last " + when(id.last_snapshot_at));
    const inv = id.key_inventory;
    if (inv) {
      let s = `${inv.keys} key(s)`;
      if (inv.used_by.length) s += ", used by: " + inv.used_by.join(", ");
      s += `; ${inv.not_rotated} not rotated`;
      parts.push(s);
    }
    $("#summary").textContent = parts.join(" · ");
  } catch (e) {
    $("#summary").textContent = "Cannot read the store: " + e.message;
  }
}

// ---- timeline -----------------------------------------------------------

async function timeline() {
  const main = $("#main");
  const list = el("ol", { class: "timeline", id: "timeline" });
  const noteText = el("textarea", { id: "note-text", placeholder: "Ticket #…, appeal sent, phone call, deadline…" });
  const noteAbout = el("input", { type: "text", id: "note-about", placeholder: "about (optional date, e.g. 2026-11-30 14:00)" });
  const addNote = async () => {
    if (!noteText.value.trim()) return;
    await api("/api/notes", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: noteText.value, about: noteAbout.value }) });
    noteText.value = ""; noteAbout.value = "";
    toast("Note added");
  };
  const fileInput = el("input", { type: "file", id: "import-file", multiple: true,
    accept: ".eml,.pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.md,.log,.html",
    onchange: () => importFiles(fileInput.files) });
  const drop = el("div", { class: "drop", id: "drop" },
    "Drop emails (.eml), PDFs, images or text transcripts here, or ", fileInput);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); importFiles(e.dataTransfer.files); });
  main.append(
    el("div", { class: "cols" },
      el("div", { class: "panel" }, el("h2", {}, "Add a note"), noteText, noteAbout,
        el("div", { class: "row" }, el("button", { id: "note-add", onclick: () => addNote().catch((e) => toast(e.message)) }, "Add note"))),
      el("div", { class: "panel" }, el("h2", {}, "Import evidence"), drop, el("p", { id: "import-result", class: "muted" }))),
    el("h2", {}, "Timeline"), list);
  current.refresh = () => fillTimeline(list);
  await fillTimeline(list);
}

async function importFiles(files) {
  if (!files || !files.length) return;
  const fd = new FormData();
  for (const f of files) fd.append("file", f, f.name);
  try {
    const res = await api("/api/import", { method: "POST", body: fd });
    const names = res.imported.map((i) => `${i.info.file_name} → ${CATEGORY[i.category] || i.category}`);
    const out = $("#import-result");
    if (out) out.textContent = "Imported: " + names.join("; ");
    toast("Imported " + res.imported.length + " file(s)");
  } catch (e) {
    toast("Import failed: " + e.message);
    const out = $("#import-result");
    if (out) out.textContent = "Import failed: " + e.message;
  }
}

function eventText(e) {
  const d = e.detail || {};
  switch (e.type) {
    case "note.added": return d.text || "";
    case "snapshot.deleted": return `deleted ${d.snapshot_id} (${d.title || d.trigger || ""})` + (d.reason ? ": " + d.reason : "");
    case "import.added": return `imported ${d.file} (${d.kind})`;
    case "snapshot.amended": return `added to ${d.snapshot_id}: ${(d.artifacts || []).map((a) => a.name).join(", ") || "notes only"}`;
    case "key.updated": return `key ${d.key}: ${d.rotation}; used by ${(d.dependents || []).join(", ") || "nothing recorded"}`;
    case "audit.started": return `account audit ${d.audit_id} began` + (d.scheduled ? " (from the weekly reminder)" : "");
    case "audit.completed": return `account audit ${d.audit_id} completed: ${d.captured} page(s) captured, ${d.skipped} skipped, ${d.failed} failed; ${d.actions} item(s) need action`;
    default: return [e.rule_id, e.url].filter(Boolean).join(" ");
  }
}

async function fillTimeline(list) {
  const t = await api("/api/timeline");
  const items = [];
  for (const s of t.snapshots) items.push({ at: s.captured_at, kind: s.trigger === "import" ? "import" : "snapshot", s });
  for (const e of t.events) {
    if (e.type === "import.added") continue; // the import itself is listed
    items.push({ at: e.at, kind: e.type === "note.added" ? "note" : "event", e });
  }
  items.sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
  const rows = items.map((it) => {
    if (it.s) {
      const s = it.s;
      return el("li", { class: recent.has(s.id) ? "new" : "", "data-id": s.id, "data-kind": it.kind },
        el("span", { class: "when" }, when(s.captured_at)),
        el("span", { class: "badge " + it.kind }, it.kind === "import" ? "import" : s.trigger),
        el("span", { class: "badge" }, CATEGORY[s.category] || s.category),
        el("a", { href: "#snapshot/" + encodeURIComponent(s.id), class: "snap-link" }, s.title || s.url),
        el("div", { class: "muted mono" }, s.url, " · ", s.artifact_count + " file(s), " + size(s.bytes)));
    }
    const e = it.e;
    const badge = e.type === "note.added" ? "note" : e.type === "snapshot.deleted" ? "deleted" : "event";
    return el("li", { "data-seq": e.seq, "data-kind": it.kind },
      el("span", { class: "when" }, when(e.at)),
      el("span", { class: "badge " + badge }, e.type),
      el("span", { class: it.kind === "note" ? "note-text" : "" }, eventText(e)),
      /^audit\./.test(e.type) && e.detail && e.detail.audit_id
        ? el("a", { href: "#audit/" + encodeURIComponent(e.detail.audit_id), class: "muted" }, " (open)") : null,
      e.type === "note.added" && e.detail && e.detail.snapshot_id
        ? el("a", { href: "#snapshot/" + encodeURIComponent(e.detail.snapshot_id), class: "muted" }, " (snapshot)") : null,
      e.detail && e.detail.about ? el("span", { class: "muted" }, " (about " + e.detail.about + ")") : null);
  });
  if (!rows.length) rows.push(el("li", { class: "muted" }, "Nothing yet: take a snapshot from the extension, add a note or import a file."));
  list.replaceChildren(...rows);
}

// ---- one snapshot -------------------------------------------------------

function table(headers, rows) {
  return el("table", {}, el("tr", {}, headers.map((h) => el("th", {}, h))),
    rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))));
}

function state(c) {
  if (c.kind === "select") return c.selected_text || c.value || "";
  if (c.checked === true) return "On";
  if (c.checked === false) return "Off";
  if (c.checked === "mixed") return "Mixed";
  return c.value || "";
}

async function snapshotView(id) {
  const main = $("#main");
  const s = await api("/api/snapshots/" + encodeURIComponent(id));
  const base = "/api/snapshots/" + encodeURIComponent(id);
  const names = new Set(s.artifacts.map((a) => a.name));
  const del = el("button", { class: "danger", id: "delete" }, "Delete…");
  del.addEventListener("click", async () => {
    if (del.dataset.armed !== "1") {
      del.dataset.armed = "1";
      del.textContent = "Click again to delete this " + (s.trigger === "import" ? "import" : "snapshot") + " (a tombstone stays in the log)";
      return;
    }
    await api(base, { method: "DELETE" });
    toast("Deleted " + id);
    location.hash = "#timeline";
  });
  const head = el("div", {},
    el("h2", {}, s.title || s.url),
    el("p", { class: "row" },
      s.trigger !== "import" ? el("a", { href: "#diff//" + encodeURIComponent(id), id: "diff-prev" }, "Compare with the previous snapshot of this page") : null,
      del));
  main.append(head);
  const noteText = el("textarea", { id: "snap-note-text", placeholder: "A note about this snapshot (what happened, ticket number…)" });
  main.append(el("div", { class: "panel" }, noteText, el("div", { class: "row" }, el("button", { id: "snap-note-add", onclick: async () => {
    if (!noteText.value.trim()) return;
    try {
      await api("/api/notes", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: noteText.value, snapshot_id: id }) });
      noteText.value = "";
      toast("Note added to the timeline");
    } catch (e) { toast(e.message); }
  } }, "Add note about this snapshot"))));
  main.append(el("h2", {}, "Metadata"), table(["field", "value"], [
    ["id", el("span", { class: "mono" }, s.id)],
    ["captured", when(s.captured_at) + ` (local offset ${s.tz_offset_minutes} min)`],
    ["stored", when(s.stored_at)],
    ["URL", el("span", { class: "mono" }, s.url)],
    ["final URL", el("span", { class: "mono" }, s.final_url)],
    ["trigger", s.trigger], ["category", (CATEGORY[s.category] || s.category) + " (" + s.category_source + ")"],
    ["browser", `${s.browser} ${s.browser_version}`.trim()], ["extension / host", `${s.extension_version} / ${s.host_version}`],
    ["viewport", `${s.viewport_width}×${s.viewport_height} @${s.device_pixel_ratio}`], ["language", s.language],
    ...Object.entries(s.notes || {}).map(([k, v]) => ["note: " + k, v]),
  ]));
  const shots = s.artifacts.filter((a) => a.mime.startsWith("image/"));
  if (shots.length) {
    main.append(el("h2", {}, "Screenshots"), el("div", { class: "shots" },
      shots.map((a) => el("figure", {}, el("img", { src: base + "/artifacts/" + encodeURIComponent(a.name), alt: a.name }), el("figcaption", { class: "muted" }, a.name)))));
  }
  if (names.has("dom.html")) {
    // sandbox="" : no scripts, no same-origin, no forms; the response's own
    // CSP forbids every request as well.
    main.append(el("h2", {}, "Page (sanitized DOM, no scripts, no network)"),
      el("iframe", { class: "dom", id: "dom-view", sandbox: "", referrerpolicy: "no-referrer", src: base + "/view", title: "sanitized DOM" }));
  }
  if (names.has("settings.json")) {
    const set = await api(base + "/artifacts/settings.json");
    const doc = typeof set === "string" ? JSON.parse(set) : set;
    const sec = el("div", { id: "settings" }, el("h2", {}, "Settings"));
    if (doc.controls && doc.controls.length) sec.append(table(["setting", "kind", "state"], doc.controls.map((c) => [c.label, c.kind, state(c)])));
    if (doc.account && Object.keys(doc.account).length) sec.append(el("h2", {}, "Account"), table(["field", "value"], Object.entries(doc.account).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)])));
    if (doc.fields && doc.fields.length) sec.append(el("h2", {}, "Fields"), table(["label", "value"], doc.fields.map((f) => [f.label, f.value])));
    if (doc.api_keys) sec.append(el("h2", {}, "API keys"), table(["name", "prefix", "project", "created", "last used"], doc.api_keys.map((k) => [k.name, el("span", { class: "mono" }, k.prefix || ""), k.project || "", k.created || "", k.last_used || ""])));
    main.append(sec);
  }
  if (names.has("import.json")) {
    const info = await api(base + "/artifacts/import.json");
    const doc = typeof info === "string" ? JSON.parse(info) : info;
    const rows = [["file", doc.file_name], ["kind", doc.kind], ["type", doc.mime], ["SHA-256 as given", el("span", { class: "mono" }, doc.sha256)], ["redacted", doc.redacted ? "yes" : "no"]];
    if (doc.email) {
      const m = doc.email;
      rows.push(["from", m.from], ["to", m.to], ["date", m.date], ["subject", m.subject],
        ["attachments", m.attachments.length ? m.attachments.map((a) => `${a.name} (${a.mime}, ${size(a.size)})`).join("; ") : "none"]);
    }
    main.append(el("h2", {}, "Imported file"), el("div", { id: "import-info" }, table(["field", "value"], rows)));
  }
  if (names.has("text.txt") && s.trigger === "import") {
    const text = await api(base + "/artifacts/text.txt");
    main.append(el("h2", {}, "Text"), el("pre", { class: "diff-line", id: "import-text" }, String(text).slice(0, 20000)));
  }
  main.append(el("h2", {}, "Redaction log"), s.redactions.length
    ? table(["rule", "artifact", "count"], s.redactions.map((r) => [r.rule, r.artifact, r.count]))
    : el("p", { class: "muted" }, "Nothing was redacted."));
  main.append(el("h2", {}, "Artifacts"), table(["name", "type", "size", "SHA-256", ""], s.artifacts.map((a) => [
    a.name, a.mime, size(a.size), el("span", { class: "mono" }, a.sha256),
    el("a", { href: base + "/artifacts/" + encodeURIComponent(a.name) + "?download=1", download: id + "-" + a.name }, "download"),
  ])));
  // A deletion elsewhere makes this view stale; a second commit (the full-page tiles and MHTML
  // that follow the first) adds artifacts: drawn again unless a note is being written. Drawn once:
  // route() clears current.refresh until the new view has finished, so overlapping refreshes
  // cannot both append to it.
  current.refresh = async () => {
    let now;
    try { now = await api(base); } catch { location.hash = "#timeline"; return; }
    const had = s.artifacts.map((a) => a.name).join(",");
    if (current.refresh && now.artifacts.map((a) => a.name).join(",") !== had && !noteText.value
      && location.hash === "#snapshot/" + encodeURIComponent(id)) route();
  };
}

// ---- diff ---------------------------------------------------------------

async function diffView(a, b) {
  const main = $("#main");
  b = decodeURIComponent(b || "");
  a = decodeURIComponent(a || "");
  const q = new URLSearchParams({ b });
  if (a) q.set("a", a);
  const d = await api("/api/diff?" + q);
  main.append(el("h2", {}, "Changes"),
    el("p", {}, "From ", el("a", { href: "#snapshot/" + encodeURIComponent(d.a), class: "mono" }, d.a),
      " to ", el("a", { href: "#snapshot/" + encodeURIComponent(d.b), class: "mono" }, d.b)));
  const change = (c) => [c.label,
    c.added ? el("span", { class: "muted" }, "(new)") : el("span", { class: "change-from" }, c.from),
    c.removed ? el("span", { class: "muted" }, "(gone)") : el("span", { class: "change-to" }, c.to)];
  const sec = el("div", { id: "diff" });
  sec.append(el("h2", {}, "Settings"), d.settings.length ? table(["setting", "before", "after"], d.settings.map(change)) : el("p", { class: "muted" }, "No setting changed."));
  if (d.keys_added.length || d.keys_removed.length) {
    sec.append(el("h2", {}, "API keys"), table(["", "name", "prefix", "project"], [
      ...d.keys_added.map((k) => [el("span", { class: "change-to" }, "appeared"), k.name, k.prefix, k.project || ""]),
      ...d.keys_removed.map((k) => [el("span", { class: "change-from" }, "disappeared"), k.name, k.prefix, k.project || ""])]));
  }
  if (d.account.length) sec.append(el("h2", {}, "Account"), table(["field", "before", "after"], d.account.map(change)));
  if (d.fields.length) sec.append(el("h2", {}, "Fields"), table(["field", "before", "after"], d.fields.map(change)));
  sec.append(el("h2", {}, "Text"), d.text_changed
    ? el("div", { class: "panel" }, d.text.map((l) => el("p", { class: "diff-line " + ({ "+": "add", "-": "del", "…": "fold" }[l.op] || "") }, (l.op === "=" ? "  " : l.op + " ") + l.text)))
    : el("p", { class: "muted" }, "The page text is the same."));
  for (const n of d.notes) sec.append(el("p", { class: "muted" }, n));
  main.append(sec);
}

// ---- API keys -----------------------------------------------------------

async function keysView() {
  const main = $("#main");
  const box = el("div", { id: "keys" });
  main.append(el("h2", {}, "API-key inventory"),
    el("p", { class: "muted" }, "Every key seen on an API-keys snapshot. Record what depends on each key and whether it has been rotated: the kit and the extension's blast radius include it."), box);
  const fill = async () => {
    const k = await api("/api/keys");
    if (!k.keys.length) { box.replaceChildren(el("p", { class: "muted" }, "No key seen yet: take a snapshot of platform.openai.com/api-keys.")); return; }
    box.replaceChildren(table(["key", "project", "created / last used", "first / last seen", "depends on it", "rotation", ""], k.keys.map((key) => {
      const deps = el("input", { type: "text", value: key.dependents.join(", "), "data-key": key.key, class: "deps", placeholder: "billing-worker, support-bot" });
      const rot = el("select", { class: "rotation" }, k.rotations.map((r) => el("option", { value: r, selected: r === key.rotation }, r.replace("_", " "))));
      const save = el("button", { class: "secondary save", onclick: async () => {
        try {
          await api("/api/keys", { method: "PUT", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ key: key.key, dependents: deps.value.split(","), rotation: rot.value }) });
          toast("Saved " + (key.name || key.key));
        } catch (e) { toast(e.message); }
      } }, "Save");
      return [el("div", {}, key.name, el("div", { class: "mono" }, key.prefix)), key.project,
        `${key.created || "?"} / ${key.last_used || "?"}`,
        el("div", {}, el("a", { href: "#snapshot/" + encodeURIComponent(key.first_snapshot) }, when(key.first_seen)), " / ",
          el("a", { href: "#snapshot/" + encodeURIComponent(key.last_snapshot) }, when(key.last_seen))),
        deps, rot, save];
    })));
  };
  current.refresh = () => { if (!box.contains(document.activeElement)) return fill(); };
  await fill();
}

// ---- audits -------------------------------------------------------------

// runAuditControl links to the extension's audit page when the host knows
// it (reported by audit.begin or dashboard.open); otherwise it says where
// to start one.
function runAuditControl(list) {
  if (list.audit_page) {
    return el("a", { href: list.audit_page, class: "button", target: "_blank", rel: "noopener",
      "data-run-audit": "", "data-audit-page-known": "1" }, "Run audit");
  }
  return el("p", { class: "muted", "data-run-audit": "", "data-audit-page-known": "0" }, list.run_help);
}

async function auditsView() {
  const main = $("#main");
  const box = el("div", { "data-audits": "" });
  const run = el("div", { class: "row" });
  main.append(el("h2", {}, "Account audits"),
    el("p", { class: "muted" }, "A guided round of the pages that matter (ChatGPT settings, API keys of every project, members, billing, the privacy portal), compared with the previous audit. Items that need action are carried into the evidence kit's checklist."),
    run, box);
  const fill = async () => {
    const list = await api("/api/audits");
    // A live refresh replaces only what changed: a link being clicked must not be swapped for an
    // equal one under the pointer.
    const swap = (parent, node) => { if (!parent.firstChild || !parent.firstChild.isEqualNode(node)) parent.replaceChildren(node); };
    swap(run, runAuditControl(list));
    if (!list.audits.length) {
      swap(box, el("p", { class: "muted" }, "No audit yet."));
      return;
    }
    const t = table(["started", "status", "pages", "needs action", "identity"], list.audits.map((a) => [
      el("a", { href: "#audit/" + encodeURIComponent(a.id) }, when(a.started_at)),
      el("span", { class: "badge audit-" + a.status }, a.status + (a.scheduled ? " (scheduled)" : "")),
      `${a.captured} captured, ${a.skipped} skipped, ${a.failed} failed`,
      a.actions ? el("span", { class: a.high ? "bad" : "" }, `${a.actions} (${a.high} high)`) : "nothing",
      a.identity_shared ? el("span", { class: "bad" }, "shared") : "separate",
    ]));
    // Stable hooks on each row for tests and scripts (docs/dashboard.md).
    const trs = t.querySelectorAll("tr");
    list.audits.forEach((a, i) => {
      const tr = trs[i + 1];
      tr.dataset.auditId = a.id;
      tr.dataset.auditStatus = a.status;
    });
    swap(box, t);
  };
  current.refresh = fill;
  await fill();
}

const STEP_STATUS = { captured: "captured", skipped: "skipped (sign-in)", failed: "failed" };

async function auditView(id) {
  const main = $("#main");
  const root = el("div", { "data-audit": id });
  main.append(root);
  const fill = async () => {
    const [a, list] = await Promise.all([api("/api/audits/" + encodeURIComponent(id)), api("/api/audits")]);
    root.dataset.auditStatus = a.status;
    const parts = [];
    parts.push(el("h2", {}, "Audit of " + when(a.started_at)),
      el("p", { class: "muted" }, el("span", { class: "mono" }, a.audit_id), " · ", a.status,
        a.finished_at ? " · finished " + when(a.finished_at) : "", a.scheduled ? " · from the weekly reminder" : ""),
      el("div", { class: "row" }, runAuditControl(list)));

    // 1. What needs action, high first (the host orders them).
    const acts = el("ol", { class: "actions", "data-audit-actions": "" });
    for (const x of a.actions) {
      acts.append(el("li", { class: "action " + x.severity, "data-action-severity": x.severity, "data-action-step": x.step_id || "" },
        el("span", { class: "badge " + x.severity }, x.severity), " ", x.text));
    }
    parts.push(el("h2", {}, "Needs action"), a.actions.length ? acts
      : el("p", { class: "muted", "data-audit-actions": "" }, a.status === "completed" ? "Nothing needs action." : "Worked out when the audit finishes."));

    // 2. Changes by kind.
    parts.push(el("h2", {}, "Changes since the previous audit"));
    const ch = a.changes;
    if (!ch) {
      parts.push(el("p", { class: "muted", "data-audit-changes": "none" },
        a.status === "completed" ? "This is the first audit: nothing to compare with yet. The next one is compared with it." : "Compared when the audit finishes."));
    } else {
      const box = el("div", { "data-audit-changes": "" });
      box.append(el("p", { class: "muted" }, "Compared with ", el("a", { href: "#audit/" + encodeURIComponent(ch.previous_id), class: "mono" }, ch.previous_id), "."));
      const row = (kind, cells, extra) => {
        const tr = el("tr", { "data-change-kind": kind, ...(extra || {}) }, cells.map((c) => el("td", {}, c)));
        return tr;
      };
      const section = (title, headers, rows) => {
        if (!rows.length) return;
        box.append(el("h3", {}, title), el("table", {}, el("tr", {}, headers.map((h) => el("th", {}, h))), rows));
      };
      section("API keys", ["", "name", "key", "project", "owner"], [
        ...ch.keys_added.map((k) => row("key-added", [el("span", { class: "change-to" }, "added"), k.name, el("span", { class: "mono" }, k.prefix), k.project || "",
          k.unowned ? el("span", { class: "bad" }, "nothing recorded as using it") : "recorded"], { "data-key-prefix": k.prefix, "data-key-unowned": k.unowned ? "1" : "0" })),
        ...ch.keys_removed.map((k) => row("key-removed", [el("span", { class: "change-from" }, "removed"), k.name, el("span", { class: "mono" }, k.prefix), k.project || "", ""],
          { "data-key-prefix": k.prefix, "data-key-unowned": "0" })),
      ]);
      const change = (kind) => (c) => row(kind, [c.label, el("span", { class: "change-from" }, c.from || "(none)"), el("span", { class: "change-to" }, c.to || "(none)"), stepTitle(a, c.step_id)],
        { "data-change-label": c.label });
      section("Settings", ["setting", "before", "after", "page"], ch.settings.map(change("setting")));
      section("Account", ["field", "before", "after", "page"], ch.account.map(change("account")));
      section("Notices", ["captured", "title", ""], ch.notices.map((n) => row("notice", [when(n.at), n.title,
        el("a", { href: "#snapshot/" + encodeURIComponent(n.snapshot_id) }, "open")])));
      section("Pages not captured this time", ["page", "status", "why"], ch.failed.map((f) => row("failed", [f.title, STEP_STATUS[f.status] || f.status, f.reason || ""])));
      if (!box.querySelector("tr")) box.append(el("p", { class: "muted" }, "Nothing changed."));
      parts.push(box);
    }

    // 3. Every page of this audit.
    parts.push(el("h2", {}, "Pages"));
    const steps = el("table", { "data-audit-steps": "" }, el("tr", {}, ["page", "status", "snapshot", "reported"].map((h) => el("th", {}, h))));
    for (const st of a.steps) {
      steps.append(el("tr", { "data-step-id": st.step_id, "data-step-project": st.project || "", "data-step-status": st.status },
        el("td", {}, st.title, el("div", { class: "muted mono" }, st.final_url && st.final_url !== st.url ? st.url + " → " + st.final_url : st.url)),
        el("td", { class: st.status === "captured" ? "ok" : "bad" }, STEP_STATUS[st.status] || st.status, st.reason ? ": " + st.reason : ""),
        el("td", {}, st.snapshot_id ? el("a", { href: "#snapshot/" + encodeURIComponent(st.snapshot_id), "data-step-snapshot": "", class: "mono" }, st.snapshot_id) : ""),
        el("td", {}, when(st.at))));
    }
    parts.push(a.steps.length ? steps : el("p", { class: "muted", "data-audit-steps": "" }, "No page reported yet."));

    // 4. The identity check.
    const idc = a.identity;
    const shared = [...(idc.emails || []), ...(idc.phones || [])];
    parts.push(el("h2", {}, "Identity check"), el("div", { class: "panel" + (idc.shared ? " warn" : ""), "data-audit-identity": "", "data-identity-shared": idc.shared ? "1" : "0" },
      idc.shared
        ? [el("p", { class: "bad" }, "Shared: " + shared.join(", ") + " is used both for your API keys and on ChatGPT or Sora."), el("p", {}, idc.advice)]
        : el("p", {}, a.status === "completed"
          ? `No email or phone was seen on both the API platform and ChatGPT/Sora (${idc.api_keys} API key(s) seen).`
          : "Checked when the audit finishes.")));
    root.replaceChildren(...parts);
  };
  current.refresh = fill;
  await fill();
}

function stepTitle(a, stepID) {
  const s = a.steps.find((x) => x.step_id === stepID);
  return s ? s.title : stepID || "";
}

// ---- export and verify --------------------------------------------------

async function kitView() {
  const main = $("#main");
  const bar = el("progress", { id: "export-progress", max: 1, value: 0 });
  const status = el("p", { id: "export-status", class: "muted" }, "");
  const format = el("select", { id: "export-format" }, el("option", { value: "zip" }, "evidence kit (zip)"), el("option", { value: "wacz" }, "web archive (WACZ)"));
  let job = null;
  const onMsg = (m) => {
    if (!job || m.job !== job) return;
    if (m.type === "export.progress") { bar.max = Math.max(m.total, 1); bar.value = m.done; status.textContent = `${m.stage}: ${m.done}/${m.total}`; }
    if (m.type === "export.done") {
      bar.max = 1; bar.value = 1;
      status.replaceChildren(`Wrote ${m.file} (${size(m.bytes)}, ${m.snapshots} snapshot(s), ${m.events} event(s)), signed by ${m.fingerprint} — `,
        el("a", { href: "/api/exports/" + encodeURIComponent(m.file), id: "export-link", download: m.file }, "download"));
      status.dataset.file = m.file;
    }
    if (m.type === "export.failed") status.textContent = "Export failed: " + m.error;
  };
  live.handlers.add(onMsg);
  window.addEventListener("hashchange", () => live.handlers.delete(onMsg), { once: true });
  const go = el("button", { id: "export", onclick: async () => {
    status.textContent = "starting…"; bar.value = 0;
    try {
      job = (await api("/api/export", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ format: format.value }) })).job;
    } catch (e) { status.textContent = "Export failed: " + e.message; }
  } }, "Export");
  const result = el("div", { id: "verify-result" });
  const kit = el("input", { type: "file", id: "verify-file", accept: ".zip,.wacz", onchange: async () => {
    const f = kit.files[0];
    if (!f) return;
    result.replaceChildren(el("p", { class: "muted" }, "Checking " + f.name + "…"));
    try {
      const v = await api("/api/verify", { method: "POST", headers: { "Content-Type": "application/zip" }, body: f });
      const head = v.ok
        ? el("p", { class: "ok", id: "verify-verdict" }, `OK: ${f.name} is intact — ${v.verification.files} files, ${v.verification.snapshots} snapshot(s), ${v.verification.events} event(s), signed by ${v.verification.fingerprint}`)
        : el("p", { class: "bad", id: "verify-verdict" }, `NOT intact: ${f.name}` + (v.error ? ": " + v.error : `: ${v.verification.problems.length} problem(s)`));
      result.replaceChildren(head, table(["file", "size", "result"], v.files.map((x) => [el("span", { class: "mono" }, x.path), size(x.size),
        x.ok ? el("span", { class: "ok" }, "ok") : el("span", { class: "bad" }, x.problems.join("; "))])));
    } catch (e) { result.replaceChildren(el("p", { class: "bad" }, e.message)); }
  } });
  main.append(el("h2", {}, "Export an evidence kit"),
    el("p", { class: "muted" }, "Every snapshot, import, note and event, signed with this installation's key. The kit is written to the data folder's exports/ and offered for download."),
    el("div", { class: "row" }, format, go), bar, status,
    el("h2", {}, "Verify a kit"), el("p", { class: "muted" }, "Choose a kit (zip or WACZ): every file is checked against the signed manifest."), kit, result);
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => { route(); loadSummary(); connect(); });
