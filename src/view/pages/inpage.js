// guichet's script in every document of the content view, in its own isolated script world:
// the page cannot see these listeners, call these functions or remove them (short of
// document.open(), which the view's popup guard covers). It keeps WebKit from drawing for the
// page outside the page:
// - a form's validation message: WebKit draws it in a bubble above the field, which can reach
//   over the toolbar with the page's own words in it. The `invalid` event's default is
//   cancelled (the form still does not submit) and the message is shown here, inside the page,
//   under the first invalid field;
// - a drag: WebKit draws the dragged image (a page can choose it) wherever the pointer goes.
//   No drag starts.
"use strict";

(function () {
  let shown = null;
  let pending = [];

  function hide() {
    if (shown) {
      shown.remove();
      shown = null;
    }
  }

  // The message under `field`, in a closed shadow root the page's styles do not reach.
  function show(field) {
    hide();
    const text = field.validationMessage;
    const doc = field.ownerDocument;
    const parent = doc.body || doc.documentElement;
    if (!text || !parent) return;
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
    const rect = field.getBoundingClientRect();
    const win = doc.defaultView;
    const host = doc.createElement("guichet-message");
    host.style.cssText =
      "all:initial;position:absolute;z-index:2147483647;display:block;" +
      "left:" + Math.max(0, rect.left + win.scrollX) + "px;" +
      "top:" + (rect.bottom + win.scrollY + 6) + "px;";
    const box = doc.createElement("div");
    box.setAttribute("role", "alert");
    box.textContent = text;
    box.style.cssText =
      "font:20px/1.35 sans-serif;color:#1b1b1b;background:#fff;" +
      "border:3px solid #b3261e;border-radius:10px;padding:8px 14px;max-width:480px;" +
      "box-shadow:0 2px 8px rgba(0,0,0,.3);white-space:pre-wrap;";
    host.attachShadow({ mode: "closed" }).appendChild(box);
    parent.appendChild(host);
    shown = host;
    const off = () => {
      if (shown === host) hide();
    };
    field.addEventListener("input", off, { once: true });
    field.addEventListener("blur", off, { once: true });
    setTimeout(off, 10000);
  }

  window.addEventListener(
    "invalid",
    (e) => {
      e.preventDefault();
      pending.push(e.target);
      if (pending.length === 1) {
        // Every invalid field fires in turn: the message goes to the first.
        setTimeout(() => {
          const first = pending[0];
          pending = [];
          show(first);
        }, 0);
      }
    },
    true
  );

  window.addEventListener("dragstart", (e) => e.preventDefault(), true);
})();
