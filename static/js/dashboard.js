// The live supervisor dashboard. The Now section is rendered (and escaped) by the server;
// this script only asks for it again when the socket says something changed, and keeps the
// socket alive. It never builds markup from event data.
(function () {
  "use strict";
  const now = document.getElementById("now");
  const status = document.getElementById("live-status");
  const labels = document.getElementById("live-labels").dataset;
  const HEARTBEAT_MS = 25000;
  // Ages ("oldest waiting", "due in") move even when nothing happens.
  const IDLE_REFRESH_MS = 60000;
  const DEBOUNCE_MS = 250;
  const MAX_RETRY_MS = 15000;
  let socket = null;
  let retryMs = 500;
  let connectedBefore = false;
  let debounce = null;
  let inFlight = false;
  let again = false;
  let deferred = false;

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = state === "live" ? labels.live : labels.offline;
  }

  // A supervisor choosing an agent in a form must not have the form replaced under them.
  function busy() {
    const active = document.activeElement;
    return active && now.contains(active) && active.matches("select, input, textarea");
  }

  // A checkbox is the same one after a refresh if its form, name and value are.
  function tickKey(box) {
    return [box.form ? box.form.id : "", box.name, box.value].join("\n");
  }

  async function refresh() {
    if (busy()) {
      deferred = true;
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const response = await fetch(now.dataset.nowUrl, { headers: { "X-Fragment": "1" }, credentials: "same-origin" });
      if (response.redirected || response.status === 403) {
        location.reload(); // logged out or no longer a supervisor: let the server say so
        return;
      }
      if (response.ok) {
        const ticked = Array.from(now.querySelectorAll("input[type=checkbox]:checked"), tickKey);
        const chosen = Array.from(now.querySelectorAll("form.reassign select"), (select) => [select.form.id, select.value]);
        now.innerHTML = await response.text();
        // Keep what the supervisor had picked: conversations and the agent to reassign
        // them to, agents and the teams to move them to.
        now.querySelectorAll("input[type=checkbox]").forEach((box) => {
          box.checked = ticked.includes(tickKey(box));
        });
        chosen.forEach(([formId, value]) => {
          const select = now.querySelector("#" + CSS.escape(formId) + " select");
          if (select) select.value = value;
        });
        now.dataset.refreshedAt = String(Date.now());
      }
    } catch (error) {
      // Offline: the next event or the reconnection tries again.
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  function schedule() {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, DEBOUNCE_MS);
  }

  now.addEventListener("focusout", () => {
    setTimeout(() => {
      if (deferred && !busy()) {
        deferred = false;
        schedule();
      }
    }, 0);
  });

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/supervisor/");
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event.type === "hello") {
        retryMs = 500;
        setStatus("live");
        // Whatever happened while the socket was down is only in the database.
        if (connectedBefore) schedule();
        connectedBefore = true;
        return;
      }
      if (event.type === "pong") return;
      // conversation.*, sla.warning, sla.breached, crisis.started, crisis.ended
      schedule();
    });
    socket.addEventListener("close", () => {
      setStatus("offline");
      const wait = retryMs / 2 + Math.random() * (retryMs / 2);
      setTimeout(connect, wait);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
  }, HEARTBEAT_MS);
  setInterval(schedule, IDLE_REFRESH_MS);

  connect();
})();
