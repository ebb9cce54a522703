// Directory pages: a Print button (the page prints fine from the browser menu without it).
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
