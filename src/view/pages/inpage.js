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
// It also puts a skip link first in every page's focus order: "go to the buttons at the top",
// a link to guichet://go/toolbar, which the view turns into the keyboard on the toolbar (only
// for the person's own click or key). Hidden until it has the focus.
"use strict";

(function () {
  // The link's words in each language (from the view's texts), picked by the page's language.
  const SKIP = /*SKIP_TEXTS*/ {};
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

  const HIDDEN = "position:fixed;left:-10000px;top:0;";
  const SHOWN =
    "position:fixed;left:8px;top:8px;z-index:2147483647;font:bold 24px/1.3 sans-serif;" +
    "color:#fff;background:#1d4f91;padding:12px 20px;border-radius:10px;" +
    "outline:4px solid #f0b400;text-decoration:none;";

  function skipLink() {
    const body = document.body;
    if (window.top !== window || !body) return;
    const host = document.createElement("guichet-skip");
    host.style.cssText = "all:initial;display:block;";
    const link = document.createElement("a");
    link.href = "guichet://go/toolbar";
    link.textContent = SKIP[(navigator.language || "").slice(0, 2)] || SKIP.en;
    link.style.cssText = HIDDEN;
    link.addEventListener("focus", () => (link.style.cssText = SHOWN));
    link.addEventListener("blur", () => (link.style.cssText = HIDDEN));
    host.attachShadow({ mode: "closed" }).appendChild(link);
    body.insertBefore(host, body.firstChild);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", skipLink, { once: true });
  } else {
    skipLink();
  }
})();
