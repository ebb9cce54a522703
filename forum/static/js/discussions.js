// Discussions: drafts that survive a reload, and @mention suggestions. Progressive only.
"use strict";

(function () {
  // Drafts live in sessionStorage: they survive a reload of the tab but not its closing,
  // so a confidential draft does not linger on a shared computer.
  function draftKey(area) {
    const form = area.form;
    return "liaison-draft:" + (form ? form.getAttribute("action") || location.pathname : location.pathname) + ":" + area.name;
  }

  document.querySelectorAll("textarea[data-draft]").forEach((area) => {
    const key = draftKey(area);
    let saved = null;
    try { saved = window.sessionStorage.getItem(key); } catch (e) { return; }
    if (saved && !area.value.trim()) {
      area.value = saved;
    }
    area.addEventListener("input", () => {
      try { window.sessionStorage.setItem(key, area.value); } catch (e) { /* storage full */ }
    });
    if (area.form) {
      area.form.addEventListener("submit", () => {
        try { window.sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
      });
    }
  });

  // @mention suggestions: members who can read the thread, fetched from the server.
  document.querySelectorAll("textarea[data-mentions]").forEach((area) => {
    const form = area.form;
    const list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    area.insertAdjacentElement("afterend", list);
    let timer = null;

    function currentWord() {
      const before = area.value.slice(0, area.selectionStart);
      const match = before.match(/(^|\s)@([^\s@]{2,40})$/);
      return match ? match[2] : null;
    }

    function choose(handle) {
      const start = area.selectionStart;
      const before = area.value.slice(0, start).replace(/@([^\s@]{2,40})$/, "@" + handle + " ");
      area.value = before + area.value.slice(start);
      area.selectionStart = area.selectionEnd = before.length;
      list.hidden = true;
      area.focus();
      area.dispatchEvent(new Event("input"));
    }

    function show(users) {
      list.replaceChildren();
      users.forEach((user) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = user.name + " (" + user.handle + ")";
        button.dataset.handle = user.handle;
        button.addEventListener("click", () => choose(user.handle));
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = users.length === 0;
    }

    area.addEventListener("input", () => {
      window.clearTimeout(timer);
      const word = currentWord();
      if (!word) { list.hidden = true; return; }
      timer = window.setTimeout(() => {
        const params = new URLSearchParams({ q: word });
        if (form && form.dataset.thread) { params.set("thread", form.dataset.thread); }
        if (form && form.dataset.space) { params.set("space", form.dataset.space); }
        fetch("/discussions/mentions?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { users: [] }))
          .then((data) => show(data.users || []))
          .catch(() => show([]));
      }, 200);
    });
  });
})();
