// One WebSocket per tab (docs/websocket-protocol.md): keeps the notification badge live and
// shows a short toast for new notifications. Reconnects with capped, jittered back-off.
(function () {
  "use strict";
  var badge = document.querySelector("[data-testid=unread]");
  var toasts = document.getElementById("toasts");
  var delay = 1000;
  var socket = null;

  // Pages share this tab's socket: window.lcSend(frame) sends (false while disconnected);
  // every server frame is dispatched as a "lc:frame" event, and "lc:open" after each (re)connect.
  window.lcSend = function (frame) {
    if (!socket || socket.readyState !== 1) return false;
    socket.send(JSON.stringify(frame));
    return true;
  };

  function setUnread(n) {
    if (!badge) return;
    badge.textContent = n;
    badge.hidden = !n;
  }

  function toast(text) {
    if (!toasts) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "status");
    el.textContent = text;
    toasts.appendChild(el);
    setTimeout(function () { el.remove(); }, 5000);
  }

  function latestText() {
    // Events carry ids only; the rendered line comes from the API, in the user's language.
    return fetch("/api/v1/notifications", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && body.items.length) toast(body.items[0].text); });
  }

  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/");
    socket = ws;
    ws.onopen = function () {
      delay = 1000;
      document.body.dataset.live = "1";
      document.dispatchEvent(new CustomEvent("lc:open"));
    };
    ws.onmessage = function (msg) {
      var event = JSON.parse(msg.data);
      document.dispatchEvent(new CustomEvent("lc:frame", { detail: event }));
      if (event.type === "notification") { setUnread(event.unread); latestText(); }
      else if (event.type === "notification.read") { setUnread(event.unread); }
      else if (event.type === "chat.burn_opened" || (event.type === "chat.read" && String(event.user_id) === document.body.dataset.user)) {
        // our own actions: nothing new to show
      } else if (event.type.indexOf("chat.") === 0) {
        // The open conversation refreshes itself (htmx) when anything in it changes.
        var box = document.getElementById("messages");
        var conv = event.conversation_id || (event.message && event.message.conversation_id);
        if (box && String(conv) === box.dataset.conversation && window.htmx) {
          window.htmx.trigger(document.body, "chat-changed");
        }
      }
    };
    ws.onclose = function () {
      document.body.dataset.live = "0";
      setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  // Burn-after-reading countdowns: show the seconds left, then erase the content.
  setInterval(function () {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.ceil((Number(el.dataset.countdown) - Date.now()) / 1000);
      if (left > 0) { el.textContent = left + " s"; return; }
      var holder = el.closest("[data-testid=burn-open]");
      if (holder) {
        holder.outerHTML = '<em class="muted">' + (document.body.dataset.burned || "") + "</em>";
      }
    });
  }, 250);
})();
