// The live inbox: rows arrive rendered (and escaped) by the server over the socket; this
// script only places them, ticks the SLA countdowns and keeps the socket alive.
(function () {
  "use strict";
  const list = document.getElementById("conversation-list");
  const pane = document.getElementById("conversation-pane");
  const status = document.getElementById("live-status");
  const labels = document.getElementById("live-labels").dataset;
  const HEARTBEAT_MS = 25000;
  let socket = null;
  let retryMs = 500;
  let connectedBefore = false;

  function openId() {
    return pane.dataset.conversation || "";
  }

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function placeRow(id, html) {
    const old = document.getElementById("conv-" + id);
    if (!html) {
      if (old) old.remove();
      return;
    }
    const row = fromHtml(html);
    if (old && old.classList.contains("selected")) row.classList.add("selected");
    if (old) old.remove();
    const key = Number(row.dataset.sort);
    const after = Array.from(list.children).find((el) => Number(el.dataset.sort) > key);
    list.insertBefore(row, after || null);
    tick();
  }

  async function fetchHtml(url) {
    const response = await fetch(url, { headers: { "X-Fragment": "1" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(response.status);
    return response.text();
  }

  async function refreshList() {
    list.innerHTML = await fetchHtml(list.dataset.rowsUrl);
    markSelected();
    tick();
  }

  async function showConversation(url, push) {
    pane.innerHTML = await fetchHtml(url);
    const article = pane.querySelector("article");
    pane.dataset.conversation = article ? article.dataset.conversation : "";
    if (push) history.pushState({}, "", url);
    markSelected();
    tick();
  }

  function markSelected() {
    list.querySelectorAll(".row").forEach((row) => row.classList.toggle("selected", row.dataset.id === openId()));
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = state === "live" ? labels.live : labels.offline;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/inbox/");
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "hello") {
        retryMs = 500;
        setStatus("live");
        // Anything that changed while we were away is only in the database: fetch it.
        if (connectedBefore) {
          refreshList();
          if (openId()) showConversation(location.pathname, false);
        }
        connectedBefore = true;
        return;
      }
      if (event.conversation === undefined) return;
      placeRow(event.conversation, event.row);
      if (String(event.conversation) === openId()) {
        showConversation(location.pathname, false);
      }
    });
    socket.addEventListener("close", () => {
      setStatus("offline");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    });
  }

  setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
  }, HEARTBEAT_MS);

  function format(ms) {
    const total = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const text = (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
    return ms < 0 ? labels.overdue + " " + text : text;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("time.countdown[data-due]").forEach((el) => {
      const left = Date.parse(el.dataset.due) - now;
      el.textContent = format(left);
      el.classList.toggle("overdue", left < 0);
    });
  }
  setInterval(tick, 1000);

  list.addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (!link || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    showConversation(link.getAttribute("href"), true);
  });

  pane.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.composer");
    if (!form) return;
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Fragment": "1" },
      credentials: "same-origin",
    });
    if (response.ok) {
      pane.innerHTML = await response.text();
      tick();
    }
  });

  window.addEventListener("popstate", () => location.reload());
  markSelected();
  tick();
  connect();
})();
