// Liaison chat: a small hand-written client over the vendored Socket.IO library.
// Protocol: docs/chat-protocol.md. Message HTML comes sanitised from the server.
"use strict";

(function () {
  const app = document.getElementById("chat-app");
  if (!app || typeof io !== "function") {
    return;
  }
  const me = Number(app.dataset.me);
  const conversationId = Number(app.dataset.conversationId || 0);
  const list = document.getElementById("chat-messages");
  const composer = document.getElementById("chat-composer");
  const input = document.getElementById("chat-input");
  const errorBox = document.getElementById("chat-error");
  const typingBox = document.getElementById("chat-typing");
  const receiptsBox = document.getElementById("chat-receipts");
  const connectionBox = document.getElementById("chat-connection");
  const text = (key) => app.dataset["text" + key] || "";
  const pending = new Map(); // client_id -> {item, body}
  const readMarkers = new Map(); // user id -> last read message id
  const editWindowMs = Number(app.dataset.editWindow || 900) * 1000;
  let lastId = 0;
  // Catch-up starts from the newest id had when the page was built or the connection dropped,
  // not from lastId at "connect": the client library hands over messages that arrived on the
  // new connection before its "connect" event first, and their ids must not skip the gap.
  // It moves only once a catch-up has been answered in full.
  let syncFrom = 0;
  let caughtUp = false;
  let typingTimer = null;
  let lastTypingSent = 0;

  const socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function memberName(userId) {
    const li = document.querySelector('[data-member-id="' + userId + '"]');
    return li ? li.dataset.name : "";
  }

  function noteId(id) {
    if (id > lastId) {
      lastId = id;
    }
  }

  function messageItem(m) {
    const li = document.createElement("li");
    li.className = "chat-message" + (m.sender_id === me ? " own" : "");
    li.dataset.id = m.id || "";
    li.dataset.senderId = m.sender_id;
    li.dataset.createdAt = m.created_at || new Date().toISOString();
    li.id = m.id ? "m" + m.id : "";
    const meta = document.createElement("div");
    meta.className = "chat-meta";
    const who = document.createElement("strong");
    who.className = "chat-sender";
    who.textContent = m.sender_name;
    const when = document.createElement("time");
    when.dateTime = li.dataset.createdAt;
    when.textContent = new Date(li.dataset.createdAt).toLocaleString();
    const edited = document.createElement("span");
    edited.className = "chat-edited";
    edited.textContent = text("Edited");
    edited.hidden = true;
    meta.append(who, " ", when, " ", edited);
    const body = document.createElement("div");
    body.className = "chat-body";
    li.append(meta, body);
    fill(li, m);
    return li;
  }

  function fill(li, m) {
    const body = li.querySelector(".chat-body");
    li.classList.toggle("deleted", Boolean(m.deleted));
    if (m.deleted) {
      body.textContent = "";
      const em = document.createElement("em");
      em.textContent = text("Deleted");
      body.append(em);
    } else {
      body.innerHTML = m.html; // sanitised server-side (nh3 allow-list)
      if (m.attachment_id) {
        const file = document.createElement("p");
        file.className = "chat-attachment";
        const link = document.createElement("a");
        link.href = app.dataset.fileUrl + m.attachment_id;
        link.download = "";
        link.textContent = m.attachment_name;
        file.append(link);
        body.append(file);
      }
    }
    li.querySelector(".chat-edited").hidden = !m.edited || Boolean(m.deleted);
    addOwnControls(li);
  }

  function addOwnControls(li) {
    const old = li.querySelector(".chat-actions");
    if (old) {
      old.remove();
    }
    if (Number(li.dataset.senderId) !== me || !li.dataset.id || li.classList.contains("deleted")) {
      return;
    }
    if (Date.now() - Date.parse(li.dataset.createdAt) > editWindowMs) {
      return;
    }
    const box = document.createElement("span");
    box.className = "chat-actions";
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "link-button chat-edit";
    edit.textContent = text("Edit");
    edit.addEventListener("click", () => startEdit(li));
    const del = document.createElement("button");
    del.type = "button";
    del.className = "link-button chat-delete";
    del.textContent = text("Delete");
    del.addEventListener("click", () => {
      socket.emit("delete", { message_id: Number(li.dataset.id) }, (ack) => showAck(ack, li));
    });
    box.append(edit, " ", del);
    li.querySelector(".chat-meta").append(" ", box);
  }

  function startEdit(li) {
    const body = li.querySelector(".chat-body");
    const area = document.createElement("textarea");
    area.className = "chat-edit-input";
    area.value = body.innerText;
    const save = document.createElement("button");
    save.type = "button";
    save.className = "button small";
    save.textContent = text("Save");
    save.addEventListener("click", () => {
      socket.emit("edit", { message_id: Number(li.dataset.id), body: area.value }, (ack) => {
        if (showAck(ack, li)) {
          fill(li, ack.message);
        }
      });
    });
    body.textContent = "";
    body.append(area, save);
    area.focus();
  }

  function showAck(ack, li) {
    if (ack && ack.ok) {
      return true;
    }
    const note = li.querySelector(".chat-failed") || document.createElement("p");
    note.className = "field-error chat-failed";
    note.textContent = text("Error") + (ack && ack.message ? ": " + ack.message : "");
    li.append(note);
    return false;
  }

  function insert(m) {
    if (!list || m.conversation_id !== conversationId) {
      return;
    }
    noteId(m.id);
    if (list.querySelector('[data-id="' + m.id + '"]')) {
      return; // already shown: reconnect catch-up and live delivery overlap
    }
    const mine = pending.get(m.client_id);
    if (m.sender_id === me && mine) {
      pending.delete(m.client_id);
      mine.item.remove();
    }
    const item = messageItem(m);
    // Server id order: put it after the last message with a smaller id.
    const items = Array.from(list.querySelectorAll(".chat-message[data-id]"));
    const after = items.reverse().find((el) => el.dataset.id && Number(el.dataset.id) < m.id);
    if (after) {
      after.after(item);
    } else {
      list.prepend(item);
    }
    const firstPending = list.querySelector(".chat-message.pending");
    if (firstPending) {
      list.append(...list.querySelectorAll(".chat-message.pending"));
    }
    if (typingBox && m.sender_id !== me) {
      typingBox.textContent = "";
    }
    item.scrollIntoView({ block: "nearest" });
    renderReceipts();
  }

  function markRead() {
    if (!conversationId || document.visibilityState !== "visible" || !lastId) {
      return;
    }
    socket.emit("read", { conversation_id: conversationId, message_id: lastId }, () => {});
  }

  function renderReceipts() {
    if (!receiptsBox || !list) {
      return;
    }
    const own = Array.from(list.querySelectorAll('.chat-message.own[data-id]')).pop();
    if (!own || !own.dataset.id) {
      receiptsBox.textContent = "";
      return;
    }
    const ownId = Number(own.dataset.id);
    const names = [];
    readMarkers.forEach((last, userId) => {
      if (last >= ownId) {
        names.push(memberName(userId));
      }
    });
    receiptsBox.textContent = names.length ? text("Seen").replace("{names}", names.join(", ")) : "";
  }

  function setPresence(userId, status) {
    document.querySelectorAll('[data-presence-for="' + userId + '"]').forEach((dot) => {
      dot.dataset.status = status;
    });
    document.querySelectorAll('[data-presence-label-for="' + userId + '"]').forEach((label) => {
      const key = status === "offline" ? "OfflineStatus" : status[0].toUpperCase() + status.slice(1);
      label.textContent = text(key);
    });
  }

  function bumpBadge(conversation, delta, absolute) {
    document.querySelectorAll('[data-unread-for="' + conversation + '"]').forEach((badge) => {
      const value = absolute === undefined ? Number(badge.textContent || 0) + delta : absolute;
      badge.textContent = String(value);
      badge.hidden = value <= 0;
    });
    const header = document.querySelector("[data-chat-badge]");
    if (header) {
      let total = 0;
      if (document.querySelector("[data-unread-for]")) {
        document.querySelectorAll("[data-unread-for]").forEach((b) => {
          total += Number(b.textContent || 0);
        });
      } else {
        total = Math.max(0, Number(header.textContent || 0) + delta);
      }
      header.textContent = String(total);
      header.hidden = total <= 0;
    }
  }

  // Unacknowledged messages survive a reload: kept in this browser until the server confirms
  // them (or refuses them for good), then resent with the same client id, stored once.
  const outbox = {
    key: "liaison-chat-outbox-" + me,
    maxAgeMs: 24 * 3600 * 1000,
    load() {
      try {
        const items = JSON.parse(window.localStorage.getItem(this.key) || "[]");
        return items.filter((i) => Date.now() - i.at < this.maxAgeMs);
      } catch (error) {
        return [];
      }
    },
    save(items) {
      try {
        if (items.length) {
          window.localStorage.setItem(this.key, JSON.stringify(items));
        } else {
          window.localStorage.removeItem(this.key);
        }
      } catch (error) {
        // Storage refused (private mode, quota): the page still works, without the outbox.
      }
    },
    add(clientId, body) {
      const items = this.load().filter((i) => i.client_id !== clientId);
      items.push({ client_id: clientId, conversation_id: conversationId, body: body, at: Date.now() });
      this.save(items);
    },
    remove(clientId) {
      this.save(this.load().filter((i) => i.client_id !== clientId));
    },
    mine() {
      return this.load().filter((i) => i.conversation_id === conversationId);
    },
  };

  function queue(clientId, body) {
    const item = messageItem({
      id: 0, sender_id: me, sender_name: memberName(me), html: "", created_at: null,
    });
    item.classList.add("pending");
    item.querySelector(".chat-body").textContent = body;
    list.append(item);
    pending.set(clientId, { item: item, body: body });
    outbox.add(clientId, body);
  }

  function send(body, clientId) {
    const entry = pending.get(clientId);
    errorBox.hidden = true;
    socket.timeout(10000).emit(
      "send",
      { conversation_id: conversationId, client_id: clientId, body: body },
      (err, ack) => {
        if (!err && ack && ack.ok) {
          if (input.value === body) {
            input.value = "";
          }
          outbox.remove(clientId);
          if (pending.has(clientId)) {
            pending.delete(clientId);
            entry.item.remove();
          }
          insert(ack.message); // the stored message, rendered by the server
          return;
        }
        if (!pending.has(clientId)) {
          return; // confirmed meanwhile by another attempt
        }
        // Refused or not confirmed: the text stays in the composer, the reason beside it.
        const reason = err ? text("Offline") : ack.message;
        errorBox.textContent = text("Error") + ": " + reason;
        errorBox.hidden = false;
        if (!input.value) {
          input.value = body;
        }
        entry.item.classList.add("failed");
        const note = entry.item.querySelector(".chat-failed") || document.createElement("p");
        note.className = "field-error chat-failed";
        note.textContent = text("Error") + ": " + reason;
        entry.item.append(note);
        if (!err && ack.error !== "rate_limited") {
          pending.delete(clientId); // refused for good: the text is back in the composer
          outbox.remove(clientId);
          entry.item.remove();
        }
      }
    );
  }

  if (composer) {
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = input.value;
      if (!body.trim()) {
        return;
      }
      // Reuse the client id of a failed attempt at the same text: a resend is stored once.
      let clientId = null;
      pending.forEach((entry, key) => {
        if (entry.body === body) {
          clientId = key;
        }
      });
      if (!clientId) {
        clientId = newClientId();
        queue(clientId, body);
      }
      send(body, clientId);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    input.addEventListener("input", () => {
      if (Date.now() - lastTypingSent > 2500 && input.value.trim()) {
        lastTypingSent = Date.now();
        socket.emit("typing", { conversation_id: conversationId }, () => {});
      }
    });
  }

  const older = document.getElementById("chat-older");
  if (older) {
    older.addEventListener("click", () => {
      const first = list.querySelector(".chat-message[data-id]");
      const before = first ? Number(first.dataset.id) : 0;
      socket.emit("history", { conversation_id: conversationId, before_id: before }, (ack) => {
        if (!ack || !ack.ok) {
          return;
        }
        const nodes = ack.messages.map((m) => messageItem(m));
        list.prepend(...nodes);
        older.hidden = ack.complete;
      });
    });
  }

  if (list) {
    list.querySelectorAll(".chat-message[data-id]").forEach((li) => {
      noteId(Number(li.dataset.id));
      li.id = "m" + li.dataset.id;
      addOwnControls(li);
    });
  }
  syncFrom = lastId;
  if (composer && conversationId) {
    outbox.mine().forEach((i) => queue(i.client_id, i.body));
  }

  socket.on("connect", () => {
    if (connectionBox) {
      connectionBox.textContent = "";
    }
    // Catch-up: everything after the newest id this page had before, then live delivery.
    caughtUp = false;
    if (conversationId) {
      catchUp(syncFrom, () => {
        // Whatever is still unacknowledged goes again, same client ids: stored at most once.
        // Also what the catch-up showed as stored: a server process that died between its
        // commit and delivering to the room never delivered it; the resend (a duplicate)
        // makes the server deliver it to the room again.
        const again = new Map();
        pending.forEach((entry, clientId) => again.set(clientId, entry.body));
        outbox.mine().forEach((i) => again.set(i.client_id, i.body));
        again.forEach((body, clientId) => send(body, clientId));
      });
      socket.emit("who", { conversation_id: conversationId }, (ack) => {
        if (ack && ack.ok) {
          Object.entries(ack.presence).forEach(([uid, status]) => setPresence(uid, status));
        }
      });
      socket.emit("receipts", { conversation_id: conversationId }, (ack) => {
        if (ack && ack.ok) {
          Object.entries(ack.read).forEach(([uid, last]) => readMarkers.set(Number(uid), last));
          renderReceipts();
        }
      });
    }
    if (document.visibilityState !== "visible") {
      socket.emit("presence", { state: "away" }, () => {});
    }
  });

  // Pages of CATCH_UP_LIMIT: again from a page's last id while the server says there is more.
  function catchUp(since, done) {
    socket.emit("sync", { last_id: since, conversation_id: conversationId }, (ack) => {
      if (ack && ack.ok) {
        ack.messages.forEach(insert);
        if (ack.more && ack.messages.length) {
          catchUp(ack.messages[ack.messages.length - 1].id, done);
          return;
        }
        caughtUp = true;
        markRead();
      }
      done();
    });
  }

  socket.on("disconnect", () => {
    if (caughtUp) {
      syncFrom = lastId;
    }
    if (connectionBox) {
      connectionBox.textContent = text("Offline");
    }
  });

  socket.on("message", (m) => {
    if (m.conversation_id === conversationId) {
      insert(m);
      if (m.sender_id !== me) {
        markRead();
      }
    } else if (m.sender_id !== me) {
      bumpBadge(m.conversation_id, 1);
    }
  });

  socket.on("message_updated", (m) => {
    const li = list && list.querySelector('[data-id="' + m.id + '"]');
    if (li) {
      fill(li, m);
    }
  });

  socket.on("unread", (data) => bumpBadge(data.conversation_id, 0, data.count));

  socket.on("typing", (data) => {
    if (!typingBox || data.conversation_id !== conversationId || data.user_id === me) {
      return;
    }
    typingBox.textContent = text("Typing").replace("{name}", data.name);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typingBox.textContent = "";
    }, 4000);
  });

  socket.on("read", (data) => {
    if (data.conversation_id === conversationId) {
      readMarkers.set(data.user_id, data.message_id);
      renderReceipts();
    }
  });

  socket.on("presence", (data) => setPresence(data.user_id, data.status));

  socket.on("conversation_changed", (data) => {
    if (data.conversation_id === conversationId && data.title) {
      const title = document.getElementById("chat-title");
      if (title) {
        title.textContent = data.title;
      }
    }
  });

  // A form being sent (e.g. "Message" on a search result) is about to leave the page: a
  // reload now would cancel that navigation.
  let leaving = false;
  document.addEventListener("submit", () => {
    leaving = true;
  });
  socket.on("conversation_added", () => {
    if (app.dataset.page === "index" && !leaving) {
      window.location.reload();
    }
  });

  socket.on("conversation_removed", (data) => {
    if (data.conversation_id === conversationId && composer) {
      composer.querySelectorAll("textarea, button").forEach((el) => {
        el.disabled = true;
      });
    }
  });

  document.addEventListener("visibilitychange", () => {
    const state = document.visibilityState === "visible" ? "online" : "away";
    socket.emit("presence", { state: state }, () => {});
    markRead();
  });

  // New group: ticked people from the search results go into the hidden member list.
  const groupMembers = document.getElementById("group-members");
  document.querySelectorAll(".chat-pick").forEach((box) => {
    box.addEventListener("change", () => {
      const ids = new Set(groupMembers.value.split(",").filter(Boolean));
      if (box.checked) {
        ids.add(box.value);
      } else {
        ids.delete(box.value);
      }
      groupMembers.value = Array.from(ids).join(",");
    });
  });
})();
