// The live inbox. Rows and conversations arrive rendered (and escaped) by the server; this
// script places them, keeps the socket alive, tells colleagues who is viewing or typing,
// ticks the SLA countdowns and maps the keyboard. It never builds markup from data.
(function () {
  "use strict";
  const root = document.querySelector(".inbox");
  const list = document.getElementById("conversation-list");
  const pane = document.getElementById("conversation-pane");
  const status = document.getElementById("live-status");
  const toasts = document.getElementById("toasts");
  const bulk = document.getElementById("bulk");
  const labels = document.getElementById("live-labels").dataset;
  const listQuery = list.dataset.query || "";
  const sortBy = new URLSearchParams(listQuery).get("sort") || "due";
  const HEARTBEAT_MS = 10000;
  const COLLISION_TTL_MS = 15000;
  const TYPING_TTL_MS = 5000;
  let socket = null;
  let retryMs = 500;
  let connectedBefore = false;
  let lastTypingSent = 0;
  const others = new Map(); // user id → {name, state, at}

  // ---- the socket -------------------------------------------------------------------
  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/inbox/");
    socket.addEventListener("message", (message) => onEvent(JSON.parse(message.data)));
    socket.addEventListener("close", () => {
      setStatus("offline");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 8000);
    });
  }

  function onEvent(event) {
    if (event.type === "hello") {
      retryMs = 500;
      setStatus("live");
      send({ type: "list", query: listQuery });
      if (openId()) send({ type: "watch", conversation: Number(openId()) });
      // Whatever changed while the socket was down is only in the database: fetch it.
      if (connectedBefore) {
        refreshList();
        if (openId()) showConversation(conversationUrl(openId()), false);
      }
      connectedBefore = true;
    } else if (event.type === "collision") {
      if (String(event.conversation) !== openId()) return;
      const newcomer = !others.has(event.user);
      if (event.state === "left") others.delete(event.user);
      else others.set(event.user, { name: event.name, state: event.state, at: Date.now() });
      // Someone just arrived: tell them we are here too, rather than at our next heartbeat.
      if (newcomer && event.state !== "left") send({ type: "viewing" });
      renderCollision();
    } else if (event.conversation !== undefined) {
      placeRow(event.conversation, event.row);
      if (event.type === "conversation.assigned" && event.mine) {
        const handle = event.row ? fromHtml(event.row).querySelector(".handle") : null;
        toast(labels.assigned + " " + (handle ? handle.textContent : "#" + event.conversation));
      }
      if (String(event.conversation) === openId()) showConversation(conversationUrl(openId()), false);
    }
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = state === "live" ? labels.live : labels.offline;
  }

  setInterval(() => {
    send({ type: "ping" });
    if (openId()) send({ type: "viewing" });
    renderCollision();
  }, HEARTBEAT_MS);

  // ---- the list -------------------------------------------------------------------
  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function sortKey(row) {
    if (sortBy === "newest") return -Number(row.dataset.newest || 0);
    if (sortBy === "priority") return -Number(row.dataset.priority || 0) * 1e10 + Number(row.dataset.sort);
    return Number(row.dataset.sort);
  }

  function placeRow(id, html) {
    const old = document.getElementById("conv-" + id);
    if (!html) {
      if (old) old.remove();
      return;
    }
    const row = fromHtml(html);
    if (old) {
      row.classList.toggle("selected", old.classList.contains("selected"));
      row.classList.toggle("cursor", old.classList.contains("cursor"));
      row.querySelector(".pick").checked = old.querySelector(".pick").checked;
      old.remove();
    }
    const key = sortKey(row);
    const after = Array.from(list.children).find((el) => sortKey(el) > key);
    list.insertBefore(row, after || null);
    tick();
  }

  async function fetchHtml(url, options) {
    const response = await fetch(url, { credentials: "same-origin", ...options, headers: { "X-Fragment": "1" } });
    if (!response.ok) {
      const error = new Error(await response.text());
      error.status = response.status;
      throw error;
    }
    return response.text();
  }

  async function refreshList() {
    const cursor = currentRow();
    list.innerHTML = await fetchHtml(list.dataset.rowsUrl + (listQuery ? "?" + listQuery : ""));
    markSelected();
    if (cursor) moveCursorTo(document.getElementById(cursor.id));
    tick();
  }

  function toast(text) {
    const item = document.createElement("p");
    item.className = "toast";
    item.textContent = text;
    toasts.append(item);
    setTimeout(() => item.remove(), 6000);
  }

  // ---- the open conversation ------------------------------------------------------
  function openId() {
    return pane.dataset.conversation || "";
  }

  function conversationUrl(id) {
    return "/inbox/c/" + id + "/";
  }

  let refreshWhenClosed = false;

  function busyWithDialog(url, push) {
    // Don't pull a dialog from under the agent's hands: refresh once it closes.
    if (!push && url === conversationUrl(openId()) && pane.querySelector("dialog[open]")) {
      refreshWhenClosed = true;
      return true;
    }
    return false;
  }

  async function showConversation(url, push) {
    const previous = openId();
    if (busyWithDialog(url, push)) return;
    let html;
    try {
      html = await fetchHtml(url);
    } catch (error) {
      if (error.status === 404) {
        pane.innerHTML = "";
        pane.dataset.conversation = "";
        send({ type: "unwatch" });
        return;
      }
      throw error;
    }
    if (busyWithDialog(url, push)) return;
    const draft = pane.querySelector("#reply-text");
    const keep = draft && previous && url === conversationUrl(previous) ? draft.value : "";
    pane.innerHTML = html;
    if (keep) pane.querySelector("#reply-text").value = keep;
    const article = pane.querySelector("article");
    pane.dataset.conversation = article ? article.dataset.conversation : "";
    if (push) history.pushState({}, "", url + (listQuery ? "?" + listQuery : ""));
    if (openId() !== previous) {
      others.clear();
      send({ type: "watch", conversation: Number(openId()) });
    }
    renderCollision();
    markSelected();
    updateCounter();
    tick();
  }

  function markSelected() {
    list.querySelectorAll(".row").forEach((row) => row.classList.toggle("selected", row.dataset.id === openId()));
  }

  function renderCollision() {
    const line = pane.querySelector(".collision");
    if (!line) return;
    const now = Date.now();
    const parts = [];
    for (const [user, other] of others) {
      if (now - other.at > COLLISION_TTL_MS) {
        others.delete(user);
        continue;
      }
      const typing = other.state === "typing" && now - other.at < TYPING_TTL_MS;
      parts.push(other.name + " " + (typing ? labels.typing : labels.viewing));
    }
    line.textContent = parts.join(" · ");
  }

  // ---- the composer ---------------------------------------------------------------
  function composer() {
    return pane.querySelector("form.composer");
  }

  function setMode(mode) {
    const form = composer();
    if (!form) return;
    const radio = form.querySelector('input[name="mode"][value="' + mode + '"]');
    if (radio && !radio.disabled) radio.checked = true;
    form.querySelector('input[name="note"]').value = form.querySelector('input[name="mode"]:checked').value === "note" ? "1" : "";
    form.querySelector("textarea").focus();
  }

  function fillCanned(option) {
    const article = pane.querySelector("article");
    const select = pane.querySelector("select.canned");
    const text = (article.dataset.language === "es" ? option.dataset.es : option.dataset.en) || option.dataset.en;
    return text.replaceAll("{author_name}", article.dataset.authorName).replaceAll("{agent_name}", select.dataset.agentName);
  }

  function insertCanned(option) {
    const textarea = pane.querySelector("#reply-text");
    textarea.value = fillCanned(option);
    textarea.focus();
    updateCounter();
  }

  function updateCounter() {
    const form = composer();
    if (!form) return;
    const limit = Number(form.dataset.limit || 0);
    const counter = form.querySelector(".counter");
    const length = form.querySelector("textarea").value.length;
    counter.textContent = limit ? length + " / " + limit : "";
    counter.classList.toggle("over", Boolean(limit) && length > limit);
  }

  pane.addEventListener("input", (event) => {
    if (event.target.id !== "reply-text") return;
    updateCounter();
    const typed = event.target.value.match(/(?:^|\s)#([\w-]+)\s$/);
    if (typed) {
      const option = pane.querySelector('select.canned option[value="' + CSS.escape(typed[1]) + '"]');
      if (option) insertCanned(option);
    }
    if (Date.now() - lastTypingSent > 2000) {
      lastTypingSent = Date.now();
      send({ type: "typing" });
    }
  });

  pane.addEventListener("change", (event) => {
    if (event.target.matches("select.canned") && event.target.selectedOptions[0].value) {
      insertCanned(event.target.selectedOptions[0]);
      event.target.value = "";
    } else if (event.target.name === "mode") {
      setMode(event.target.value);
    }
  });

  // Every form in the conversation answers with the refreshed conversation.
  pane.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.method === "dialog") return;
    event.preventDefault();
    const dialog = form.closest("dialog");
    try {
      pane.innerHTML = await fetchHtml(form.action, { method: "POST", body: new FormData(form) });
      const article = pane.querySelector("article");
      pane.dataset.conversation = article ? article.dataset.conversation : "";
    } catch (error) {
      if (dialog) dialog.close();
      if (error.status === 404) {
        pane.innerHTML = "";
        pane.dataset.conversation = "";
      } else {
        toast(error.message);
      }
    }
    renderCollision();
    updateCounter();
    tick();
  });

  pane.addEventListener(
    "close",
    () => {
      if (refreshWhenClosed && openId()) {
        refreshWhenClosed = false;
        showConversation(conversationUrl(openId()), false);
      }
    },
    true,
  );

  pane.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open]");
    if (opener) document.getElementById(opener.dataset.open).showModal();
    const closer = event.target.closest("[data-close]");
    if (closer) closer.closest("dialog").close();
  });

  // ---- the list's clicks and bulk selection ---------------------------------------
  list.addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (!link || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    moveCursorTo(link.closest(".row"));
    showConversation(link.getAttribute("href"), true);
  });

  list.addEventListener("change", () => {
    const picked = list.querySelectorAll(".pick:checked").length;
    bulk.hidden = picked === 0;
    bulk.querySelector(".selected-count").textContent = picked + " " + labels.selected;
  });

  // ---- the keyboard ---------------------------------------------------------------
  function currentRow() {
    return list.querySelector(".row.cursor") || list.querySelector(".row.selected");
  }

  function moveCursorTo(row) {
    if (!row) return;
    list.querySelectorAll(".row.cursor").forEach((el) => el.classList.remove("cursor"));
    row.classList.add("cursor");
    row.querySelector("a").focus();
  }

  function moveCursor(step) {
    const rows = Array.from(list.querySelectorAll(".row"));
    if (!rows.length) return;
    const index = rows.indexOf(currentRow());
    moveCursorTo(rows[Math.max(0, Math.min(rows.length - 1, index + step))] || rows[0]);
  }

  const KEYS = {
    j: () => moveCursor(1),
    k: () => moveCursor(-1),
    Enter: () => currentRow() && showConversation(currentRow().querySelector("a").getAttribute("href"), true),
    r: () => setMode("reply"),
    n: () => setMode("note"),
    e: () => pane.querySelector("#escalate-dialog") && pane.querySelector("#escalate-dialog").showModal(),
    s: () => pane.querySelector("#snooze-dialog") && pane.querySelector("#snooze-dialog").showModal(),
    x: () => pane.querySelector("form.resolve") && pane.querySelector("form.resolve").requestSubmit(),
    "/": () => document.getElementById("search").focus(),
    "?": () => document.getElementById("shortcuts").showModal(),
  };

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "reply-text") {
      event.preventDefault();
      composer().requestSubmit();
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
    const action = KEYS[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  // ---- the clocks -----------------------------------------------------------------
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

  window.addEventListener("popstate", () => location.reload());
  root.dataset.ready = "1";
  markSelected();
  updateCounter();
  tick();
  connect();
})();
