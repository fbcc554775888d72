// confapp badge scanner: camera (jsQR) or keyboard wedge, offline Ed25519 checks,
// a localStorage queue of scans synced when the network is back.
import * as ed from "../vendor/noble-ed25519/index.min.js";

const root = document.getElementById("scanner");
const cfg = root.dataset;
const EVENT_ID = Number(cfg.eventId);
const QUEUE_KEY = `confapp-scan-queue:${cfg.slug}`;
const SEEN_KEY = `confapp-scan-seen:${cfg.slug}`;
const $ = (id) => document.getElementById(id);

// Every text shown comes from the page (id="scanner-text"), in the page's language, so the
// page stored for offline use speaks it too. {name} placeholders are filled here.
const TEXT = JSON.parse($("scanner-text").textContent);
const PLURALS = new Intl.PluralRules(TEXT.lang);
function fill(text, values = {}) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
const t = (key, values) => fill(TEXT[key] ?? key, values);
function tn(key, n, values = {}) {
  const forms = TEXT.plural[key];
  return fill(forms[PLURALS.select(n)] ?? forms.other ?? Object.values(forms)[0], { n, ...values });
}
const TITLES = TEXT.titles;
const REASONS = TEXT.reasons;
const TONE = { ok: "ok", already_checked_in: "warn", not_signed_up: "warn" };

// --- base32 / base64url --------------------------------------------------------------
function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const ch of text) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) return null;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}
function base64UrlDecode(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
const PUBLIC_KEY = base64UrlDecode(cfg.publicKey);

// --- offline signature check ---------------------------------------------------------
let webCryptoKey; // undefined: not tried, null: unavailable
async function verifySignature(signature, payload) {
  if (webCryptoKey === undefined) {
    try {
      webCryptoKey = await crypto.subtle.importKey("raw", PUBLIC_KEY, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      webCryptoKey = null;
    }
  }
  if (webCryptoKey) {
    try {
      return await crypto.subtle.verify({ name: "Ed25519" }, webCryptoKey, signature, payload);
    } catch (e) { /* fall back to noble */ }
  }
  try {
    return await ed.verifyAsync(signature, payload, PUBLIC_KEY);
  } catch (e) {
    return false;
  }
}

export function normalise(raw) {
  return String(raw || "").replace(/\s+/g, "").toUpperCase();
}

async function checkLocally(token) {
  if (token.length !== 120) return { result: "invalid_token" };
  const bytes = base32Decode(token);
  if (!bytes || bytes.length !== 75 || bytes[0] !== 1) return { result: "invalid_token" };
  const view = new DataView(bytes.buffer);
  const eventId = view.getUint32(1);
  const registrationId = view.getUint32(5);
  if (eventId !== EVENT_ID) return { result: "wrong_event" };
  const ok = await verifySignature(bytes.slice(11), bytes.slice(0, 11));
  return ok ? { result: "ok", registrationId } : { result: "invalid_token" };
}

// --- queue ---------------------------------------------------------------------------
function load(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch (e) { return fallback; }
}
const queue = () => load(QUEUE_KEY, []);
const saveQueue = (items) => localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
function showQueue() {
  $("queue-status").textContent = tn("waiting", queue().length);
  $("connection").textContent = navigator.onLine ? t("online") : t("offline");
}

function scanId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Values: "" (entrance), "session:<id>", "visit:<id>", "visit:<id>:bus:<id>" (one bus's door)
// or "area:meetings" (the networking meetings area, scanned at all day).
function checkpointIds() {
  const value = $("checkpoint").value;
  const [kind, id, , bus] = value.split(":");
  return {
    key: kind ? `${kind}:${id}` : "entrance", // attendance counts per visit, whichever bus
    door: value || "entrance", // repeats are remembered per door: another bus asks again
    session_id: kind === "session" ? Number(id) : null,
    visit_id: kind === "visit" ? Number(id) : null,
    bus_id: kind === "visit" && bus ? Number(bus) : null,
    area: kind === "area" ? id : null,
  };
}

// --- answer and beep -----------------------------------------------------------------
let audio;
function beep(tone) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const plan = { ok: [[880, 0.12]], warn: [[520, 0.12], [520, 0.12]], bad: [[220, 0.45]] }[tone];
    let t = audio.currentTime;
    for (const [freq, len] of plan) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + len);
      t += len + 0.08;
    }
  } catch (e) { /* no audio: the colour still tells */ }
}

// Times in the event's zone (a phone's own zone may be home, not the venue).
function localTime(iso, options) {
  try {
    return new Date(iso).toLocaleString(TEXT.lang, { ...options, timeZone: cfg.timezone });
  } catch (e) {
    return new Date(iso).toLocaleString(TEXT.lang, options);
  }
}
function departure(iso) {
  return localTime(iso, { weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
}

// At a bus door (visit checkpoints): the bus the person belongs on, or the visit they are on.
function boarding(answer) {
  if (!("bus" in answer)) return { line: "", note: "" };
  if (answer.result === "not_signed_up") {
    const on = answer.signed_up_for;
    if (!on) return { line: "", note: t("no_seat") };
    const bus = on.bus ? `, ${on.bus.name}` : "";
    return { line: t("their_visit", { title: on.title }), note: t("has_seat", { title: on.title, when: departure(on.departs_at), bus }) };
  }
  if (answer.result !== "ok" && answer.result !== "already_checked_in") return { line: "", note: "" };
  if (!answer.bus) return { line: t("no_bus"), note: t("no_bus_note") };
  if (answer.wrong_bus) {
    return { line: t("belongs_on", { bus: answer.bus.name }), note: t("wrong_bus_note", { bus: answer.bus.name }), tone: "warn", title: t("wrong_bus") };
  }
  return { line: t("bus", { bus: answer.bus.name }), note: "" };
}

// At the meetings area: where and with whom the person meets next.
function nextMeeting(answer) {
  const d = answer.delegate;
  if (!d || !("next_meeting" in d)) return "";
  const m = d.next_meeting;
  if (!m) return t("no_next_meeting");
  // Isolated (FSI…PDI): a Latin table or name inside an Arabic sentence keeps its order.
  const table = m.table.location ? `${m.table.name} (${m.table.location})` : m.table.name;
  const isolate = (text) => `\u2068${text}\u2069`;
  return t("next_meeting", { time: departure(m.starts_at), table: isolate(table), name: isolate(m.with.full_name) });
}

function show(answer, note) {
  const bus = boarding(answer);
  const tone = bus.tone || TONE[answer.result] || "bad";
  const box = $("result");
  box.className = `result result-${tone}`;
  box.dataset.result = answer.result;
  $("result-title").textContent = bus.title || TITLES[answer.result] || answer.result;
  const d = answer.delegate;
  $("result-name").textContent = d ? d.full_name : "";
  $("result-latin").textContent = d && d.name_latin ? d.name_latin : "";
  $("result-bus").textContent = bus.line;
  $("result-meeting").textContent = nextMeeting(answer);
  $("result-org").textContent = d ? d.organisation : "";
  $("result-country").textContent = d ? d.country_name || d.country : "";
  let reason = note || bus.note || REASONS[answer.result] || "";
  if (bus.note && note) reason = `${bus.note} ${note}`;
  if (answer.result === "already_checked_in" && answer.first_scanned_at) {
    reason += ` ${t("first_scan", { time: localTime(answer.first_scanned_at, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) })}`;
  }
  $("result-reason").textContent = reason;
  beep(tone);
}

// --- server --------------------------------------------------------------------------
class NetworkError extends Error {}
// Signed out, or the page's CSRF token no longer matches the session (e.g. a page stored
// for offline use outliving a sign-out): the server did not judge the scan, so it stays
// queued until the person signs in again.
class SignInNeeded extends NetworkError {}

async function post(scan) {
  let response;
  try {
    response = await fetch(cfg.checkinUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf, Accept: "application/json" },
      body: JSON.stringify(scan),
    });
  } catch (e) {
    throw new NetworkError(String(e));
  }
  if (response.status >= 500 || response.status === 429) throw new NetworkError(`HTTP ${response.status}`);
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 || response.status === 403 || body.error === "csrf_failed") {
    throw new SignInNeeded(body.message || `HTTP ${response.status}`);
  }
  if (!response.ok) return { error: body.message || `HTTP ${response.status}`, status: response.status };
  return body;
}

function askToSignIn() {
  const report = $("sync-report");
  report.textContent = t("signed_out");
  report.dataset.signIn = "1";
}

// Repeated reads of one badge at one checkpoint within this window (a badge held in front
// of the camera, a USB scanner firing twice) are answered from memory: no second queued
// scan offline, no second request online. A deliberate re-scan after the window counts.
const REPEAT_WINDOW_MS = 10000;
const recent = new Map(); // "checkpoint|token" -> { at, outcome: Promise<outcome | null> }
const WAITING_NOTE = t("waiting_note");

function sameCheckpoint(scan, point) {
  return scan.session_id === point.session_id && scan.visit_id === point.visit_id &&
    (scan.area ?? null) === point.area;
}

// Answer a scan (server, or offline check and queue); resolves to what to show again on a
// repeat, or null when the answer should not be remembered (e.g. signed out).
async function judge(token, point) {
  const scan = {
    token,
    session_id: point.session_id,
    visit_id: point.visit_id,
    scan_id: scanId(),
    scanned_at: new Date().toISOString(),
  };
  if (point.bus_id) scan.bus_id = point.bus_id;
  if (point.area) scan.area = point.area;
  if (navigator.onLine) {
    try {
      const answer = await post(scan);
      if (answer.error) {
        show({ result: "invalid_token" }, answer.error);
        return null;
      }
      show(answer);
      return { answer, scannedAt: scan.scanned_at };
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      if (e instanceof SignInNeeded) askToSignIn();
    }
  }
  // Offline: judge the signature here, queue the scan for the server.
  const local = await checkLocally(token);
  if (local.result !== "ok") {
    const note = t("checked_offline", { reason: REASONS[local.result] });
    show(local, note);
    return { answer: local, note };
  }
  const items = queue();
  // The meetings area is visited again and again: each scan there (after the repeat
  // window) is queued as a visit of its own, never "already scanned".
  const again = !point.area;
  const waiting = again && items.find((s) => s.token === token && sameCheckpoint(s, point));
  if (waiting) {
    // Already in the queue for this checkpoint: one scan is enough.
    show({ result: "ok" }, `${WAITING_NOTE} ${t("badge_number", { number: local.registrationId })}`);
    showQueue();
    return { answer: { result: "ok" }, queuedId: waiting.scan_id, registrationId: local.registrationId };
  }
  items.push(scan);
  saveQueue(items);
  const seen = load(SEEN_KEY, {});
  const seenKey = `${point.key}|${local.registrationId}`;
  let outcome;
  if (again && seen[seenKey]) {
    outcome = { answer: { result: "already_checked_in" }, note: t("seen_offline") };
  } else {
    if (again) {
      seen[seenKey] = scan.scanned_at;
      localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
    }
    outcome = { answer: { result: "ok" }, note: t("genuine_offline", { number: local.registrationId }) };
  }
  show(outcome.answer, outcome.note);
  showQueue();
  return { ...outcome, queuedId: scan.scan_id, registrationId: local.registrationId };
}

function showRepeat(previous) {
  if (previous.queuedId) {
    const waiting = queue().some((s) => s.scan_id === previous.queuedId);
    show(previous.answer, `${waiting ? WAITING_NOTE : t("synced_note")} ${t("badge_number", { number: previous.registrationId })}`);
  } else if (previous.answer.result === "ok" && !String(previous.answer.checkpoint).startsWith("area:")) {
    // What the server would answer now, without asking it again (at the meetings area: ok).
    show({ ...previous.answer, result: "already_checked_in", first_scanned_at: previous.scannedAt });
  } else {
    show(previous.answer, previous.note);
  }
  showQueue();
}

async function handle(raw) {
  const token = normalise(raw);
  if (!token) return;
  const point = checkpointIds();
  const key = `${point.door}|${token}`;
  const last = recent.get(key);
  if (last && Date.now() - last.at < REPEAT_WINDOW_MS) {
    const previous = await last.outcome;
    if (previous) {
      showRepeat(previous);
      return;
    }
  }
  // Remembered before the first await, so a read arriving meanwhile waits for this answer.
  const judged = judge(token, point);
  const entry = { at: Date.now(), outcome: judged.catch(() => null) };
  recent.set(key, entry);
  for (const [k, v] of recent) if (Date.now() - v.at >= REPEAT_WINDOW_MS) recent.delete(k);
  let outcome = null;
  try {
    outcome = await judged;
  } finally {
    if (outcome === null && recent.get(key) === entry) recent.delete(key); // not worth remembering
  }
}

let syncing = false;
async function sync() {
  if (syncing || !navigator.onLine || queue().length === 0) { showQueue(); return; }
  syncing = true;
  let sent = 0;
  const conflicts = [];
  try {
    for (const scan of queue()) {
      let answer;
      try {
        answer = await post(scan);
      } catch (e) {
        if (e instanceof SignInNeeded) askToSignIn();
        break; // still offline or signed out: keep the rest
      }
      saveQueue(queue().filter((s) => s.scan_id !== scan.scan_id));
      sent += 1;
      if (answer.error || answer.result !== "ok" || answer.conflict) {
        const who = answer.delegate ? answer.delegate.full_name : t("unknown_badge");
        conflicts.push(`${who}: ${answer.error || TITLES[answer.result] || answer.result}`);
      }
      showQueue();
    }
  } finally {
    syncing = false;
    showQueue();
  }
  if (sent) {
    const report = $("sync-report");
    report.textContent = t("synced", { scans: tn("scans", sent), conflicts: tn("conflicts", conflicts.length) }) +
      (conflicts.length ? ` ${conflicts.join("; ")}` : "");
    report.dataset.synced = String(sent);
  }
}

// --- inputs --------------------------------------------------------------------------
$("wedge-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("wedge");
  const value = input.value;
  input.value = "";
  handle(value).finally(() => input.focus());
});

$("sync-now").addEventListener("click", () => sync());
window.addEventListener("online", () => sync());
window.addEventListener("offline", showQueue);
setInterval(sync, 10000);

let searchTimer;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $("search").value.trim();
    const list = $("search-results");
    list.replaceChildren();
    if (q.length < 2) return;
    try {
      const response = await fetch(`${cfg.searchUrl}?q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
      const body = await response.json();
      for (const person of body.results || []) {
        const li = document.createElement("li");
        const label = document.createElement("span");
        const latin = person.name_latin ? ` (${person.name_latin})` : "";
        const status = TEXT.statuses[person.status] || person.status;
        label.textContent = `${person.full_name}${latin} — ${person.organisation || ""} (${person.country_name || person.country}) · ${status}`;
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = t("check_in");
        button.addEventListener("click", () => handle(person.token));
        li.append(label, button);
        list.append(li);
      }
    } catch (e) {
      $("search-results").textContent = t("search_offline");
    }
  }, 250);
});

// Camera scanning with jsQR (loaded as a classic script before this module).
let stream = null;
let lastCode = "";
let lastAt = 0;
async function startCamera() {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    show({ result: "invalid_token" }, t("camera_unavailable", { error: e.message }));
    return;
  }
  const video = $("camera");
  video.srcObject = stream;
  video.hidden = false;
  $("camera-start").hidden = true;
  $("camera-stop").hidden = false;
  await video.play();
  const canvas = $("camera-canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const tick = () => {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      const now = Date.now();
      if (code && code.data && (code.data !== lastCode || now - lastAt > 4000)) {
        lastCode = code.data;
        lastAt = now;
        handle(code.data);
      }
    }
    setTimeout(() => requestAnimationFrame(tick), 120);
  };
  tick();
}
function stopCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  $("camera").hidden = true;
  $("camera-start").hidden = false;
  $("camera-stop").hidden = true;
}
$("camera-start").addEventListener("click", startCamera);
$("camera-stop").addEventListener("click", stopCamera);

// Offline start-up: a service worker keeps this page and its scripts on the device.
async function keepForOffline() {
  if (!("serviceWorker" in navigator) || !cfg.workerUrl) return;
  try {
    await navigator.serviceWorker.register(cfg.workerUrl, { scope: cfg.workerScope });
    await navigator.serviceWorker.ready;
    $("offline-ready").hidden = false;
    root.dataset.offlineReady = "1";
  } catch (e) { /* private window or blocked: scanning works, reopening offline does not */ }
}

showQueue();
sync();
keepForOffline();
root.dataset.ready = "1";
