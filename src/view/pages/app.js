// The trusted UI of guichet-view: welcome, toolbar, countdown, take-away, goodbye, notices,
// file picker. Rust sends the whole state with guichet.render(state); this script draws it
// with DOM nodes and textContent only (never innerHTML) and answers with window.ipc messages.
"use strict";

(function () {
  let state = null;
  let countdownTimer = null;
  let noticeTimer = null;
  // The take-away's documents the person unticked for the USB copy (by name).
  const usbUnticked = new Set();
  // The screen last drawn.
  let drawnScreen = null;

  function send(msg) {
    window.ipc.postMessage(JSON.stringify(msg));
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (k === "text") node.textContent = v;
        else if (k === "onclick") node.addEventListener("click", v);
        else if (k === "class") node.className = v;
        else node.setAttribute(k, v);
      }
    }
    for (const c of children || []) node.appendChild(c);
    return node;
  }

  function button(text, cls, msg) {
    return el("button", { text: text, class: cls || "", onclick: () => send(msg) });
  }

  // The top row of the welcome and the services screen: the high-contrast switch (on for
  // this session only) on the left, the languages, each in its own name, on the right.
  function languages(t) {
    const box = el("div", { class: "langs" }, [el("span", { text: t.choose_language })]);
    for (const l of state.langs) {
      box.appendChild(button(l.name, l.code === state.lang ? "selected" : "", { cmd: "lang", lang: l.code }));
    }
    const contrast = el("button", { class: "contrast", "aria-pressed": String(!!state.high_contrast),
                                    onclick: () => send({ cmd: "contrast" }) }, [
      el("span", { class: "sign", "aria-hidden": "true", text: "\u25d0" }),
      el("span", { text: state.w.high_contrast }),
    ]);
    return el("div", { class: "top" }, [contrast, box]);
  }

  // Each group's icon: strokes on a 24×24 grid, drawn as SVG nodes (no file, no markup).
  const ICONS = {
    taxes: ["M6 2h12v20l-3-2l-3 2l-3-2l-3 2z", "M9 7h6M9 11h6M9 15h4"],
    pension: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 7v5l3 2"],
    health: ["M9.5 3h5v6.5H21v5h-6.5V21h-5v-6.5H3v-5h6.5z"],
    family: ["M6 11a3 3 0 1 0 0-6a3 3 0 1 0 0 6z", "M18 11a3 3 0 1 0 0-6a3 3 0 1 0 0 6z",
             "M2 21v-3a4 4 0 0 1 8 0v3", "M14 21v-3a4 4 0 0 1 8 0v3", "M12 17a2 2 0 1 0 0-4a2 2 0 1 0 0 4z"],
    unemployment: ["M3 7h18v13H3z", "M8 7V4h8v3", "M3 3l18 18"],
    employment: ["M3 7h18v13H3z", "M8 7V4h8v3", "M3 13h18"],
    administration: ["M3 9l9-6l9 6z", "M5 10v8M9.7 10v8M14.3 10v8M19 10v8", "M3 21h18"],
    housing: ["M3 11l9-8l9 8", "M5 9.5V21h14V9.5", "M10 21v-6h4v6"],
    mobility: ["M5 3h14v15H5z", "M5 11h14", "M7 18v3M17 18v3", "M7.5 14.5h2M14.5 14.5h2"],
    justice: ["M12 3v18", "M7 21h10", "M4 7h16", "M4 7l-3 7a3 3 0 0 0 6 0z", "M20 7l-3 7a3 3 0 0 0 6 0z"],
    banking: ["M2 5h20v14H2z", "M2 10h20", "M6 15h4"],
    utilities: ["M13 2L4 14h7l-1 8l9-12h-7z"],
    identity: ["M12 12a4 4 0 1 0 0-8a4 4 0 1 0 0 8z", "M4 21a8 8 0 0 1 16 0"],
    other: ["M3 3h7v7H3z", "M14 3h7v7h-7z", "M3 14h7v7H3z", "M14 14h7v7h-7z"],
  };

  function icon(category) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    for (const [k, v] of [["viewBox", "0 0 24 24"], ["aria-hidden", "true"], ["focusable", "false"],
                          ["class", "icon"], ["fill", "none"], ["stroke", "currentColor"],
                          ["stroke-width", "2"], ["stroke-linecap", "round"], ["stroke-linejoin", "round"]]) {
      svg.setAttribute(k, v);
    }
    for (const d of ICONS[category] || ICONS.other) {
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    }
    return svg;
  }

  // What the filter box holds; kept while the same screen is drawn again, emptied on
  // another screen.
  let filterText = "";
  let filterScreen = null;

  // Letters only: no case, no accents ("Santé" is found by "sante").
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  // Shows the tiles whose name (or whose group's heading) holds what is typed, the groups
  // and the groups' buttons that keep a tile, and says when nothing is left.
  function applyFilter(box) {
    const wanted = plain(filterText);
    let shown = 0;
    for (const section of box.querySelectorAll("section.group")) {
      let left = 0;
      const heading = plain(section.dataset.name);
      for (const tile of section.querySelectorAll("button.tile")) {
        const hit = !wanted || plain(tile.dataset.name).includes(wanted) || heading.includes(wanted);
        tile.hidden = !hit;
        if (hit) left++;
      }
      section.hidden = left === 0;
      const jump = box.querySelector('.jump button[data-group="' + section.id + '"]');
      if (jump) jump.hidden = left === 0;
      shown += left;
    }
    const none = box.querySelector(".nothing");
    if (none) none.textContent = shown ? "" : state.w.nothing_found;
  }

  // The services grouped by need: each group a section with its heading and its tiles (an
  // icon and the service's name). With many services, a filter box and a row of the groups
  // (each takes the screen to its group) come first.
  function serviceGrid() {
    const w = state.w;
    if (filterScreen !== state.screen) filterText = "";
    filterScreen = state.screen;
    const box = el("div", { class: "catalogue" });
    const sections = state.groups.map((g) => {
      const id = "group-" + g.category;
      const tiles = el("div", { class: "services" });
      for (const i of g.services) {
        const s = state.services[i];
        const tile = el("button", { class: "tile", "data-name": s.name, "data-service": s.id,
                                    onclick: () => send({ cmd: "open", service: s.id }) },
          [icon(g.category), el("span", { text: s.name })]);
        tiles.appendChild(tile);
      }
      return el("section", { class: "group", id: id, "data-name": g.name, "aria-labelledby": id + "-h" }, [
        el("h2", { id: id + "-h" }, [icon(g.category), el("span", { text: g.name })]),
        tiles,
      ]);
    });
    if (state.filter) {
      const input = el("input", { id: "filter", type: "search", autocomplete: "off", spellcheck: "false",
                                  autocapitalize: "off" });
      input.value = filterText;
      input.addEventListener("input", () => {
        filterText = input.value;
        applyFilter(box);
      });
      box.appendChild(el("div", { class: "filter" }, [
        el("label", { for: "filter", text: w.filter_label }),
        input,
      ]));
      const jump = el("nav", { class: "jump", "aria-label": w.groups_label });
      for (const g of state.groups) {
        const id = "group-" + g.category;
        jump.appendChild(el("button", { "data-group": id, onclick: () => {
          const section = document.getElementById(id);
          const first = section.querySelector("button.tile:not([hidden])");
          if (first) first.focus({ preventScroll: true });
          section.scrollIntoView({ block: "start" });
        } }, [icon(g.category), el("span", { text: g.name })]));
      }
      box.appendChild(jump);
      box.appendChild(el("p", { class: "nothing", role: "status" }));
    }
    for (const section of sections) box.appendChild(section);
    if (state.filter) applyFilter(box);
    return box;
  }

  // Only a fresh session shows the welcome.
  function welcome(t) {
    return el("div", { class: "full" }, [
      languages(t),
      el("h1", { text: t.welcome_title }),
      el("p", { class: "promise", text: t.privacy_promise }),
      el("p", { class: "lead", text: t.welcome_lead }),
      serviceGrid(),
    ]);
  }

  // Home inside a session: it says the session is open, and how to end it; the language
  // can change here too (for guichet's screens and what the pages are asked for).
  function services(t) {
    return el("div", { class: "full session-open" }, [
      languages(t),
      el("h1", { text: t.session_open_title }),
      el("p", { class: "lead", text: t.session_open_lead }),
      el("div", { class: "actions" }, [
        button("\u2190 " + t.back_to_page, "primary", { cmd: "close" }),
        button("? " + t.call_helper, "", { cmd: "call_helper" }),
        button(t.end_session, "danger", { cmd: "end" }),
      ]),
      // Only about a service whose page was on screen: the report names it.
      state.service
        ? el("div", { class: "actions" }, [button("\u26a0 " + t.report_problem, "", { cmd: "report" })])
        : el("div"),
      serviceGrid(),
    ]);
  }

  function confirmEnd(t) {
    return el("div", { class: "full notice-screen" }, [
      el("h1", { text: t.confirm_end_title }),
      el("p", { class: "lead", text: t.confirm_end_body }),
      el("div", { class: "actions" }, [
        button(t.confirm_end_no, "primary", { cmd: "close" }),
        button(t.confirm_end_yes, "danger", { cmd: "end_confirmed" }),
      ]),
    ]);
  }

  // "What is the problem?" about the service on screen: four kinds, or cancel. Only the
  // service and the kind are counted.
  function report(t) {
    const list = el("ul", { class: "list" });
    for (const p of state.problems) {
      list.appendChild(el("li", {}, [button(p.text, "", { cmd: "problem", kind: p.kind })]));
    }
    return el("div", { class: "full" }, [
      el("h1", { text: t.report_title }),
      el("p", { class: "lead", text: t.report_body.replace("{service}", state.service || "") }),
      list,
      el("div", { class: "actions" }, [button(t.cancel, "primary", { cmd: "close" })]),
    ]);
  }

  // A toolbar button: a sign over its word, so that every word fits on one line.
  function tool(sign, word, cls, msg, name) {
    const props = { class: "tool " + (cls || ""), onclick: () => send(msg) };
    // Its name starts with the word it shows (WCAG 2.5.3, label in name).
    if (name) props["aria-label"] = word + ", " + name;
    const b = el("button", props, [
      el("span", { class: "sign", "aria-hidden": "true", text: sign }),
      el("span", { class: "word", text: word }),
    ]);
    return b;
  }

  // A tool whose sign is a word too (the language's code): a space between sign and word, so
  // that its visible text reads "FR Français", and a name that starts with it.
  function named(node, name) {
    node.insertBefore(document.createTextNode(" "), node.lastChild);
    node.setAttribute("aria-label", name);
    return node;
  }

  // Text size: smaller and bigger (each named), the size between them, the words under them.
  function textSize(t) {
    // Each name starts with the sign it shows (WCAG 2.5.3, label in name): "A+, Bigger".
    const sign = (text, name, dir) =>
      el("button", { class: "size", "aria-label": text + ", " + name, text: text,
                     onclick: () => send({ cmd: "zoom", dir: dir }) });
    return el("div", { class: "tool textsize", role: "group", "aria-label": t.text_size }, [
      el("div", { class: "row" }, [
        sign("A\u2212", t.zoom_out, "out"),
        el("span", { class: "zoom", text: state.zoom + "\u00a0%" }),
        sign("A+", t.zoom_in, "in"),
      ]),
      el("span", { class: "word", "aria-hidden": "true", text: t.text_size }),
    ]);
  }

  // Where the person is: the service of the page on screen (never its address), and the
  // notice under it; without either, a spacer takes the free room.
  function where() {
    if (!state.service && !state.notice) return el("span", { class: "spacer" });
    // With a notice, the name keeps one line (cut with "…"), else two; the whole name stays
    // in the page, for screen readers.
    const box = el("div", { class: state.notice ? "where with-notice" : "where" });
    if (state.service) box.appendChild(el("span", { class: "service", text: state.service }));
    if (state.notice) box.appendChild(el("span", { class: "notice", role: "status", text: state.notice }));
    return box;
  }

  function bar(t) {
    const children = [
      tool("\u2302", t.home, "", { cmd: "home" }),
      tool("\u2190", t.back, "", { cmd: "back" }),
      tool("\u2192", t.forward, "", { cmd: "forward" }),
      tool("\u21bb", t.reload, "", { cmd: "reload" }),
      textSize(t),
      tool("\u25a4 " + state.downloads.length, t.documents, "", { cmd: "documents" }),
      where(),
      // The language in its own name; it opens the languages. Its code is text a person
      // sees, so its name starts with both (WCAG 2.5.3): "FR Français, Langue".
      named(tool(state.lang.toUpperCase(), t.lang_name, "", { cmd: "languages" }),
        state.lang.toUpperCase() + " " + t.lang_name + ", " + t.choose_language),
      tool("?", t.help, "", { cmd: "call_helper" }, t.call_helper),
      tool("\u2715", t.end_session, "danger", { cmd: "end" }),
    ];
    // The strip is a page of its own: its heading, for screen readers only (WCAG 1.3.1).
    return el("div", { class: "bar-page" }, [
      el("h1", { class: "visually-hidden", text: t.session_open_title }),
      el("div", { class: "bar" }, children),
    ]);
  }

  // The languages, during a session: each in its own name; choosing one goes back to the page.
  function languageScreen(t) {
    const list = el("div", { class: "actions" });
    for (const l of state.langs) {
      const b = button(l.name, l.code === state.lang ? "selected" : "", { cmd: "lang", lang: l.code });
      b.setAttribute("lang", l.code);
      list.appendChild(b);
    }
    return el("div", { class: "full languages" }, [
      el("h1", { text: t.choose_language }),
      list,
      el("div", { class: "actions" }, [button("\u2190 " + t.back_to_page, "primary", { cmd: "close" })]),
    ]);
  }

  // The session's documents; where the terminal prints, each with its Print button (named
  // with the document: "Print, attestation.pdf") and how its print goes, in a live region.
  function fileList(names) {
    const list = el("ul", { class: "list" });
    const p = state.print;
    // A redraw (an answer came) keeps the keyboard on the Print button it was on.
    const had = document.activeElement;
    const focused = had && had.classList.contains("print") ? had.getAttribute("aria-label") : null;
    for (const n of names) {
      if (!p || !p.enabled) {
        list.appendChild(el("li", { text: n }));
        continue;
      }
      const name = p.t.print + ", " + n;
      const print = el("button", { class: "print", "aria-label": name, text: p.t.print,
                                   onclick: () => send({ cmd: "print", name: n }) });
      if (name === focused) queueMicrotask(() => print.focus());
      list.appendChild(el("li", { class: "doc" }, [
        el("span", { class: "doc-name", text: n }),
        print,
        el("span", { class: "print-status", role: "status", text: p.status[n] || "" }),
      ]));
    }
    return list;
  }

  function documents(t) {
    return el("div", { class: "full" }, [
      el("h1", { text: t.documents }),
      state.downloads.length ? fileList(state.downloads) : el("p", { class: "lead", text: t.no_documents }),
      el("div", { class: "actions" }, [button("\u2190 " + t.back, "primary", { cmd: "close" })]),
    ]);
  }

  // The idle countdown asks "are you still there?" (input cancels it); the max-duration one
  // cannot be cancelled, so it says so and only offers to go back to the page meanwhile.
  function countdown(t) {
    const max = state.countdown_reason === "max_duration";
    const text = max ? t.max_time_body : t.still_there_body;
    const seconds = el("div", { class: "big", text: String(state.countdown) });
    const body = el("p", { class: "lead", text: text.replace("{n}", String(state.countdown)) });
    let left = state.countdown;
    countdownTimer = setInterval(() => {
      left = Math.max(0, left - 1);
      seconds.textContent = String(left);
      body.textContent = text.replace("{n}", String(left));
    }, 1000);
    const action = max
      ? button(t.max_time_button, "primary", { cmd: "close" })
      : button(t.still_there_button, "primary", { cmd: "still_here" });
    return el("div", { class: "full notice-screen" }, [
      el("h1", { text: max ? t.max_time_title : t.still_there_title }),
      seconds,
      body,
      el("div", { class: "actions" }, [action]),
    ]);
  }

  // The take-away: the documents; when guichetd offers it, the copy onto a USB stick (what
  // the stick is doing as a live status, a box per document, all ticked, and "copy"); then
  // the summary of the visit (the services used, each with its time of day).
  function takeaway(t) {
    const keep = state.keep;
    const k = keep && keep.t;
    const parts = [
      el("h1", { text: t.takeaway_title }),
      el("p", { class: "lead", text: t.takeaway_body }),
      state.downloads.length ? fileList(state.downloads) : el("p", { class: "lead", text: t.no_documents }),
    ];
    if (keep && keep.usb) {
      const usb = keep.usb;
      const busy = usb === "copying";
      // What the stick is doing comes first, under its heading: it must be seen.
      const said = { absent: k.usb_insert, replug: k.usb_replug, present: k.usb_present, copying: k.usb_copying,
                     copied: k.usb_copied, failed: k.usb_failed }[usb];
      const box = el("section", { class: "keep", "aria-labelledby": "usb-title" }, [
        el("h2", { id: "usb-title", text: k.usb_title }),
        el("p", { class: "usb-state " + usb, role: "status", text: said }),
      ]);
      if (usb !== "absent" && usb !== "replug" && state.downloads.length) {
        const group = el("fieldset", { class: "usb-files" }, [el("legend", { text: k.usb_choose })]);
        state.downloads.forEach((n, i) => {
          const props = { type: "checkbox", id: "usb-file-" + i, "data-index": String(i) };
          if (!usbUnticked.has(n)) props.checked = "";
          if (busy) props.disabled = "";
          const tick = el("input", props);
          tick.addEventListener("change", () => {
            if (tick.checked) usbUnticked.delete(n); else usbUnticked.add(n);
          });
          group.appendChild(el("div", { class: "usb-file" }, [tick, el("label", { for: tick.id, text: n })]));
        });
        box.appendChild(group);
        const copy = el("button", { id: "usb-copy", class: "primary", text: k.usb_copy, onclick: () => {
          const files = [...group.querySelectorAll("input:checked")].map((c) => Number(c.dataset.index));
          if (files.length) send({ cmd: "usb_copy", files: files });
        } });
        if (busy) copy.disabled = true;
        box.appendChild(el("div", { class: "actions" }, [copy]));
      }
      parts.push(box);
      // A redraw keeps the focus where it was; with nothing focused, "copy" gets it (the
      // first thing to do once a stick is there).
      const active = document.activeElement;
      const had = active && active !== document.body ? active.id : null;
      requestAnimationFrame(() => {
        const again = had && document.getElementById(had);
        const copy = document.getElementById("usb-copy");
        if (again && !again.disabled) again.focus();
        else if (had === null && copy && !copy.disabled) copy.focus();
      });
    }
    // The summary after the copy: the copy asks something of the person, the summary not.
    if (keep) {
      const s = keep.summary;
      const services = el("ul", { class: "list" });
      for (const u of s.services) services.appendChild(el("li", { text: u.time + "  " + u.name }));
      parts.push(el("section", { class: "keep", "aria-labelledby": "summary-title" }, [
        el("h2", { id: "summary-title", text: k.summary_title + (s.date ? " \u2014 " + s.date : "") }),
        el("h3", { text: k.summary_services }),
        s.services.length ? services : el("p", { text: k.summary_no_service }),
      ]));
    }
    const finish = button(t.finish, "danger", { cmd: "finish" });
    finish.id = "takeaway-finish";
    parts.push(el("div", { class: "actions" }, [finish]));
    return el("div", { class: "full takeaway" }, parts);
  }

  function picker(t) {
    const list = el("ul", { class: "list" });
    state.downloads.forEach((n, i) => {
      list.appendChild(el("li", {}, [button(n, "", { cmd: "pick", index: i })]));
    });
    return el("div", { class: "full" }, [
      el("h1", { text: t.picker_title }),
      el("p", { class: "lead", text: t.picker_body }),
      state.downloads.length ? list : el("p", { class: "lead", text: t.no_documents }),
      el("div", { class: "actions" }, [button(t.cancel, "primary", { cmd: "pick_cancel" })]),
    ]);
  }

  function notice(title, body, alert) {
    return el("div", { class: "full notice-screen" + (alert ? " alert" : "") }, [
      el("h1", { text: title }),
      el("p", { class: "lead", text: body }),
    ]);
  }

  function draw() {
    clearInterval(countdownTimer);
    const t = state.t;
    let view;
    switch (state.screen) {
      case "welcome": view = welcome(t); break;
      case "session": view = bar(t); break;
      case "services": view = services(t); break;
      case "confirm_end": view = confirmEnd(t); break;
      case "report": view = report(t); break;
      case "language": view = languageScreen(t); break;
      case "documents": view = documents(t); break;
      case "countdown": view = countdown(t); break;
      case "takeaway": view = takeaway(t); break;
      case "picker": view = picker(t); break;
      case "ending": view = notice(t.ending, ""); break;
      case "goodbye": view = notice(t.goodbye_title, t.goodbye_body); break;
      case "paused": view = notice(t.paused_title, t.ask_helper, true); break;
      case "out_of_order": view = notice(t.out_of_order_title, t.ask_helper, true); break;
      default: view = notice("", "");
    }
    document.documentElement.lang = state.lang;
    document.documentElement.classList.toggle("hc", !!state.high_contrast);
    const root = document.getElementById("root");
    const active = document.activeElement;
    const same = drawnScreen === state.screen;
    drawnScreen = state.screen;
    const typing = same && active && active.id === "filter";
    // By keyboard only: after a tap, the screen's first action has it as before.
    const keyed = same && active && active.matches && active.matches(":focus-visible");
    const choosing = keyed && active.closest(".langs");
    const switching = keyed && active.classList.contains("contrast");
    root.replaceChildren(view);
    root.style.height = "100%";
    // The same screen drawn again while the person types in the filter box, or after a
    // language or the contrast chosen with the keyboard: the keyboard stays where it was.
    const keep = (typing && document.getElementById("filter")) ||
      (choosing && view.querySelector(".langs button.selected")) ||
      (switching && view.querySelector("button.contrast"));
    // Else the first action has the keyboard: "back to my page", or "no" on the question.
    const first = view.querySelector({ report: ".list button", language: "button.selected" }[state.screen] ||
      ".actions button");
    if (keep) {
      keep.focus();
    } else if (first && ["services", "confirm_end", "report", "language"].includes(state.screen)) {
      // Without scrolling: the languages above it stay on screen.
      first.focus({ preventScroll: true });
    }
    clearTimeout(noticeTimer);
    // Read once shown on the toolbar; under a full-window screen it waits.
    if (state.screen === "session") requestAnimationFrame(() => requestAnimationFrame(measure));
    if (state.notice && state.screen === "session") {
      noticeTimer = setTimeout(() => send({ cmd: "notice_seen" }), 8000);
    }
  }

  // How many lines a text takes on screen.
  function lines(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set();
    for (const r of range.getClientRects()) tops.add(Math.round(r.top));
    return tops.size;
  }

  // Measures the session's toolbar once it is laid out and reports it (logged by the view):
  // a word on two lines, or a control outside the bar or over its neighbour, is a bug.
  function measure() {
    const bar = document.querySelector(".bar");
    if (!bar) return;
    const box = bar.getBoundingClientRect();
    let controls = 0, wrapped = 0, overflowing = 0, left = box.left;
    for (const c of bar.children) {
      if (c.classList.contains("spacer")) continue;
      controls++;
      const r = c.getBoundingClientRect();
      const outside = r.left < left - 0.5 || r.right > box.right + 0.5 ||
        r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.width < 1;
      // The notice may wrap, but not be cut; the service's name only with "…" (line clamp).
      const clamped = (b) => b.classList.contains("service") &&
        getComputedStyle(b).getPropertyValue("-webkit-line-clamp") !== "none";
      const boxes = c.classList.contains("where") ?
        [c, ...[...c.children].filter((b) => !clamped(b))] : [c];
      const clipped = boxes.some((b) => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1);
      if (outside || clipped) overflowing++;
      left = r.right;
      const texts = c.classList.contains("where") ? [] :
        c.classList.contains("textsize") ? [...c.querySelectorAll("button, .zoom, .word")] :
        (c.children.length ? [...c.children] : [c]);
      if (texts.some((t) => lines(t) > 1)) wrapped++;
    }
    send({ cmd: "layout", width: window.innerWidth, controls: controls, wrapped: wrapped,
           overflowing: overflowing, notice: !!state.notice });
  }

  window.guichet = Object.freeze({
    render: function (s) {
      state = s;
      draw();
    },
    // F6 or a page's skip link: the keyboard on the toolbar's first button.
    focusBar: function () {
      const first = document.querySelector(".bar button");
      if (first) first.focus();
    },
    // Two animation frames: the first runs before a frame is drawn, the second after it.
    // A hidden page gets none, so this answers once the window is really on screen.
    whenPainted: function () {
      requestAnimationFrame(() => requestAnimationFrame(() => send({ cmd: "painted" })));
    },
  });

  document.addEventListener("contextmenu", (e) => e.preventDefault());
  send({ cmd: "hello" });
})();
