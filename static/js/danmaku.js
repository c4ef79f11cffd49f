// The live room: the player (hls.js), danmaku flying over it, the input box, gifts, the viewer
// count, the host's moderation — over the tab's shared WebSocket (static/js/live.js).
// An ended event replays its danmaku in time with the recording (fetched by stream offset).
(function () {
  "use strict";
  var room = document.getElementById("live-room");
  if (!room) return;
  var eventId = Number(room.dataset.event);
  var status = room.dataset.status;
  var me = room.dataset.me;
  var layer = room.querySelector(".danmaku-layer");
  var video = document.getElementById("player");
  var note = room.querySelector(".stage-note");
  var errorBox = document.querySelector("[data-testid=live-error]");
  var countEl = document.querySelector("[data-testid=viewer-count]");
  var toggle = document.querySelector("[data-testid=danmaku-toggle]");
  var density = document.querySelector("[data-testid=density]");
  var modList = document.querySelector("[data-testid=moderation]");
  var SIZES = { small: 16, medium: 22, large: 30 };
  var SCROLL_MS = 8000, FIXED_MS = 4000;
  var lanes; // per kind, per lane: the time it is free again
  function clearLanes() { lanes = { scroll: [], top: [], bottom: [] }; }
  clearLanes();
  var shownIds = {};

  // The same currency format as the server's (Babel): ¥ in 简体中文, CN¥ in English and 繁體中文.
  var money = new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency: "CNY" });
  function yuan(fen) { return money.format(fen / 100); }
  // A long nickname must not push the amount off a phone's screen.
  function short(name) { var c = Array.from(name || ""); return c.length > 12 ? c.slice(0, 11).join("") + "…" : c.join(""); }
  function uuid() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/-/g, "");
  }
  function showError(text) {
    if (!errorBox) return;
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // --- the player --------------------------------------------------------------------------
  var stream = room.dataset.stream;
  function noStream() { note.textContent = room.dataset.tNostream; note.hidden = false; }
  if (!stream) {
    noStream();
  } else if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls();
    hls.on(window.Hls.Events.ERROR, function (_e, data) { if (data.fatal) noStream(); });
    hls.loadSource(stream);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = stream;
  } else {
    noStream();
  }
  if (status === "live") {
    video.loop = true; // the demo stream is a short recording: keep it running under the room
    video.play().catch(function () {});
  }

  // --- drawing danmaku ----------------------------------------------------------------------
  function laneCount(size) {
    var h = layer.clientHeight || 200;
    return Math.max(1, Math.floor((h * Number(density.value)) / (size + 8)));
  }

  function freeLane(kind, size, now) {
    var n = laneCount(size);
    var list = lanes[kind];
    for (var i = 0; i < n; i++) {
      if (!list[i] || list[i] <= now) return i;
    }
    return -1; // every lane busy at this density: drop it (a full screen helps nobody)
  }

  function show(item) {
    if (shownIds[item.id]) return;
    shownIds[item.id] = true;
    if (modList && !item.gift_fen && status === "live") addToModeration(item); // even when not drawn
    if (!toggle.checked) return;
    var size = SIZES[item.size] || SIZES.medium;
    var now = performance.now();
    var kind = item.gift_fen ? "top" : item.mode || "scroll";
    var lane = freeLane(kind, size, now);
    if (lane < 0) return;
    var el = document.createElement("div");
    el.className = "dm" + (item.gift_fen ? " dm-gift" : "") + (String(item.user_id) === me ? " dm-mine" : "");
    el.dataset.id = item.id;
    el.dataset.testid = "danmaku";
    el.dataset.shownAt = video.currentTime.toFixed(2);
    el.textContent = item.gift_fen
      ? room.dataset.tGift.replace("{name}", short(item.name)).replace("{amount}", yuan(item.gift_fen))
      : item.text;
    el.style.color = item.color || "#fff";
    el.style.fontSize = size + "px";
    var top = lane * (size + 8);
    layer.appendChild(el);
    if (kind === "scroll") {
      var width = layer.clientWidth;
      el.style.top = top + "px";
      el.style.left = width + "px";
      var travel = width + el.offsetWidth;
      // the lane frees once the tail has entered the screen, with a gap
      lanes.scroll[lane] = now + (SCROLL_MS * (el.offsetWidth + 24)) / travel;
      var anim = el.animate([{ transform: "translateX(0)" }, { transform: "translateX(" + -travel + "px)" }], {
        duration: SCROLL_MS,
        easing: "linear",
      });
      anim.onfinish = function () { el.remove(); };
    } else {
      el.classList.add("dm-fixed");
      el.style[kind === "top" ? "top" : "bottom"] = top + "px";
      lanes[kind][lane] = now + FIXED_MS;
      setTimeout(function () { el.remove(); }, FIXED_MS);
    }
  }

  function removeShown(id) {
    layer.querySelectorAll('.dm[data-id="' + id + '"]').forEach(function (el) { el.remove(); });
    if (modList) {
      var row = modList.querySelector('[data-mod-id="' + id + '"]');
      if (row) row.remove();
    }
  }

  // --- moderation (host and admins) ----------------------------------------------------------
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": room.dataset.csrf },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { showError(e.message); return false; });
      return true;
    });
  }

  function addToModeration(item) {
    var row = document.createElement("div");
    row.className = "row";
    row.dataset.modId = item.id;
    var text = document.createElement("span");
    text.textContent = item.text;
    var del = document.createElement("button");
    del.className = "small secondary";
    del.textContent = room.dataset.tDelete;
    del.onclick = function () { api("DELETE", "/api/v1/live/danmaku/" + item.id); };
    var mute = document.createElement("button");
    mute.className = "small danger";
    mute.textContent = room.dataset.tMute;
    mute.onclick = function () {
      api("POST", "/api/v1/live/events/" + eventId + "/mutes", { user_id: item.user_id, minutes: 10 }).then(
        function (ok) { if (ok) showError(room.dataset.tMuted); }
      );
    };
    var actions = document.createElement("span");
    actions.className = "actions";
    actions.append(del, mute);
    row.append(text, actions);
    modList.prepend(row);
    while (modList.children.length > 30) modList.lastChild.remove();
  }

  // --- the socket ------------------------------------------------------------------------------
  function join() {
    if (status !== "ended") window.lcSend && window.lcSend({ type: "live.join", event: eventId });
  }
  document.addEventListener("lc:open", join);
  if (document.body.dataset.live === "1") join();

  var pending = {};
  document.addEventListener("lc:frame", function (e) {
    var f = e.detail;
    if (f.type === "live.frame" && f.event === eventId) {
      countEl.textContent = f.viewers;
      f.items.forEach(function (item) {
        if (item.op === "delete") removeShown(item.id);
        else if (item.op === "status") { if (item.status !== status) location.reload(); }
        else if (item.op === "mute" && String(item.user_id) === me) {
          var until = new Date(item.until);
          var sameDay = until.toDateString() === new Date().toDateString();
          var when = sameDay
            ? until.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" })
            : until.toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
          showError(room.dataset.tYouMuted.replace("{time}", when)); // told at once, not on the next send
        }
        else if (!item.op) show(item);
      });
    } else if (f.type === "live.joined" && f.event === eventId) {
      countEl.textContent = f.viewers;
    } else if (f.type === "live.left" && f.event === eventId) {
      showError(room.dataset.tLeft); // a block or an unfriending ended this viewer's access
      if (form) form.hidden = true;
    } else if (f.type === "error" && f.ref && pending[f.ref]) {
      var was = pending[f.ref];
      delete pending[f.ref];
      showError(f.message); // the typed text stays in the box
      // Past the password-free limits (or a wrong PIN): ask for the PIN and pay the same gift
      // under the same key.
      if (was.gift && pinForm && /^pin_(required|incorrect)$/.test(f.code)) askPin(was);
    } else if ((f.type === "live.sent" || f.type === "live.gifted") && f.ref) {
      if (f.type === "live.sent" && form && form.text.value === pending[f.ref]) form.text.value = "";
      if (f.type === "live.gifted" && pinForm) closePin();
      delete pending[f.ref];
      showError("");
    }
  });

  var form = document.querySelector("[data-testid=danmaku-form]");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var ref = uuid();
      var frame = {
        type: "live.danmaku", event: eventId, ref: ref, client_id: ref,
        text: form.text.value, mode: form.mode.value, size: form.size.value, color: form.color.value,
      };
      pending[ref] = form.text.value;
      if (!window.lcSend || !window.lcSend(frame)) { showError(room.dataset.tOffline); }
    });
  }
  function sendGift(gift, pin) {
    var ref = uuid();
    pending[ref] = gift;
    var frame = { type: "live.gift", event: eventId, amount_fen: gift.gift, key: gift.key, ref: ref };
    if (pin) frame.pin = pin;
    if (!window.lcSend || !window.lcSend(frame)) showError(room.dataset.tOffline);
  }
  var pinForm = document.querySelector("[data-testid=gift-pin]");
  var pinGift = null;
  function askPin(gift) {
    pinGift = gift;
    pinForm.hidden = false;
    pinForm.pin.value = "";
    pinForm.pin.focus();
  }
  function closePin() { pinGift = null; pinForm.hidden = true; pinForm.pin.value = ""; }
  if (pinForm) {
    pinForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (pinGift) sendGift(pinGift, pinForm.pin.value);
    });
    pinForm.querySelector("[data-cancel]").addEventListener("click", function () { closePin(); showError(""); });
  }
  document.querySelectorAll("[data-gift]").forEach(function (button) {
    button.addEventListener("click", function () {
      // One idempotency key per tap (kept if the PIN is asked): a resent frame pays once.
      sendGift({ gift: Number(button.dataset.gift), key: uuid() });
    });
  });
  toggle.addEventListener("change", function () { layer.hidden = !toggle.checked; });

  // --- replay of an ended event: danmaku at their offsets in the recording ----------------------
  if (status === "ended") {
    var queue = [], loadedTo = 0, loading = false, lastMs = 0;
    var WINDOW = 60000;
    // Without a playable recording the replay runs on its own clock.
    var clockStart = null;
    function nowMs() {
      if (stream && video.readyState >= 2 && !video.error) return video.currentTime * 1000;
      if (clockStart === null) clockStart = performance.now();
      return performance.now() - clockStart;
    }
    var generation = 0;
    function load(from) {
      var mine = generation;
      loading = true;
      fetch("/api/v1/live/events/" + eventId + "/danmaku?from_ms=" + from + "&to_ms=" + (from + WINDOW), {
        credentials: "same-origin",
      })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (body) {
          if (mine !== generation) return; // answered after a seek: stale
          queue = queue.concat(body.items).sort(function (a, b) { return a.offset_ms - b.offset_ms; });
          loadedTo = body.next_from_ms !== null ? body.next_from_ms : from + WINDOW;
          loading = false;
        })
        .catch(function () { if (mine === generation) setTimeout(function () { loading = false; }, 2000); });
    }
    function restart(t) {
      // A seek: what is on screen belongs to another moment of the recording.
      layer.querySelectorAll(".dm").forEach(function (el) { el.remove(); });
      clearLanes();
      generation++; queue = []; shownIds = {}; loadedTo = Math.floor(t); load(loadedTo);
    }
    video.addEventListener("seeked", function () { restart(nowMs()); });
    load(0);
    if (stream) video.play().catch(function () {});
    setInterval(function () {
      var t = nowMs();
      if (t < lastMs - 1000) restart(t);
      lastMs = t;
      if (!loading && t > loadedTo - 10000) load(loadedTo);
      while (queue.length && queue[0].offset_ms <= t) {
        var item = queue.shift();
        if (item.offset_ms > t - 1000) show(item); // skipped past (a seek): not shown late
      }
    }, 100);
  }
})();
