// Progressive enhancements only: every page works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset && form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Logging out forgets what this browser kept for the user (chat outbox, reply drafts),
// so the next person at a shared computer finds nothing.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.action || !new URL(form.action, location.href).pathname.endsWith("/auth/logout")) {
    return;
  }
  for (const storage of [window.localStorage, window.sessionStorage]) {
    try {
      Object.keys(storage)
        .filter((key) => key.startsWith("liaison-"))
        .forEach((key) => storage.removeItem(key));
    } catch (error) {
      // Storage disabled: nothing was kept.
    }
  }
});
