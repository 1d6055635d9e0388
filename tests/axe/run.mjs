// axe-core over every trusted screen of guichet, in headless Debian chromium.
//
//   node tests/axe/run.mjs OUTDIR
//
// OUTDIR is what `cargo run --example ui_states -- OUTDIR` (or tests/axe.rs) wrote from the
// view's own code: the toolbar app's files as served, each screen's state in every language
// (states.json) and the content view's pages. This serves them on loopback with the view's
// Content Security Policy (`guichet:` read as this server's origin), loads the toolbar app as
// the view does (app.js as a script file, `window.ipc` given as wry gives it), draws each
// state with `window.guichet.render(state)` at the size the view gives it (the toolbar strip,
// or the whole window), loads each content page in the content view's size, and runs axe with
// the WCAG 2.0/2.1/2.2 A and AA rules plus landmark-one-main, region and page-has-heading-one.
// Exits 1 with every violation per screen, 2 when it cannot run. AXE_VERBOSE=1 lists what axe
// could not decide (to review by hand); AXE_SCREENSHOTS=DIR saves a PNG of each screen there.

import { mkdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const CHROMIUM = process.env.GUICHET_CHROMIUM || "/usr/bin/chromium";
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const BEST_PRACTICES = ["landmark-one-main", "region", "page-has-heading-one"];
// The window: the smallest the layout test uses (AXE_WINDOWS="1024x768 1280x800 1366x768"
// checks each screen at each size).
const WINDOWS = (process.env.AXE_WINDOWS || "1024x768")
  .split(/[ ,]+/)
  .filter(Boolean)
  .map((s) => s.split("x").map(Number));

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node run.mjs OUTDIR");
  process.exit(2);
}
const manifest = JSON.parse(await readFile(path.join(dir, "states.json"), "utf8"));

// The view's CSP, with the guichet: scheme standing for this server.
const csp = (policy) => policy.replaceAll("guichet:", "'self'");
const files = {
  "/app/": ["app/index.html", "text/html; charset=utf-8", manifest.toolbar_csp],
  "/app/app.css": ["app/app.css", "text/css", null],
  "/app/app.js": ["app/app.js", "text/javascript", null],
  "/page.css": ["page.css", "text/css", null],
};
for (const p of manifest.pages) {
  files["/" + p.file] = [p.file, "text/html; charset=utf-8", manifest.content_csp];
}

const server = createServer(async (req, res) => {
  const entry = files[req.url.split("?")[0]];
  if (!entry) {
    res.writeHead(404).end();
    return;
  }
  const [file, type, policy] = entry;
  let body = await readFile(path.join(dir, file), "utf8");
  body = body.replaceAll("guichet://app/", "/app/").replaceAll("guichet://page.css", "/page.css");
  const headers = { "content-type": type, "cache-control": "no-store" };
  if (policy) headers["content-security-policy"] = csp(policy);
  res.writeHead(200, headers).end(body);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--lang=fr"],
});

const rules = await (async () => {
  const page = await browser.newPage();
  await page.evaluate(AXE_SOURCE);
  const ids = await page.evaluate((tags) => axe.getRules(tags).map((r) => r.ruleId), TAGS);
  await page.close();
  return [...new Set([...ids, ...BEST_PRACTICES])].sort();
})();

// A page that reaches nothing but this server, and says what went wrong in it.
async function newPage(width, height) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  await page.setRequestInterception(true);
  page.on("request", (r) => (r.url().startsWith(origin + "/") ? r.continue() : r.abort()));
  page.problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") page.problems.push("console: " + m.text());
  });
  page.on("pageerror", (e) => page.problems.push("script error: " + e.message));
  return page;
}

const shots = process.env.AXE_SCREENSHOTS;
if (shots) await mkdir(shots, { recursive: true });

async function audit(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`) });
  // The DevTools protocol's evaluation is not a page script: the CSP does not apply to it.
  // The toolbar app stays one document, so axe is given to it once.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    (runOnly) =>
      axe.run(document, {
        runOnly: { type: "rule", values: runOnly },
        resultTypes: ["violations", "incomplete"],
      }),
    rules,
  );
}

// Two animation frames: the state is drawn and laid out.
const painted = (page) =>
  page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

const report = [];
let checked = 0;
let incomplete = 0;

function record(name, size, result, problems) {
  checked++;
  const where = `${name} @${size}`;
  for (const v of result.violations) {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `      ${n.target.join(" ")}: ${(n.failureSummary || "").split("\n").slice(1).join(" ").trim()}`);
    if (v.nodes.length > 5) nodes.push(`      … and ${v.nodes.length - 5} more`);
    report.push(`${where}: ${v.id} (${v.impact}) ${v.help}\n${nodes.join("\n")}`);
  }
  for (const p of problems) report.push(`${where}: ${p}`);
  for (const v of result.incomplete) {
    incomplete++;
    if (!process.env.AXE_VERBOSE) continue;
    console.log(`${where}: needs review: ${v.id} on ${v.nodes.length} node(s)`);
    for (const n of v.nodes) {
      const why = [...n.any, ...n.all, ...n.none].map((c) => c.message).join("; ");
      console.log(`      ${n.target.join(" ")}: ${why}`);
    }
  }
}

const started = Date.now();
try {
  for (const [width, height] of WINDOWS) {
    const size = `${width}x${height}`;
    // The toolbar app, as the view keeps it: one page, drawn again for each state; the
    // session's toolbar in its strip, every other screen over the whole window.
    for (const bar of [true, false]) {
      const page = await newPage(width, bar ? manifest.bar_height : height);
      await page.evaluateOnNewDocument(() => {
        window.ipc = { postMessage: (m) => (window.__guichetSent = window.__guichetSent || []).push(m) };
      });
      await page.goto(origin + "/app/", { waitUntil: "load" });
      for (const c of manifest.toolbar.filter((c) => c.bar === bar)) {
        page.problems = [];
        await page.evaluate((s) => window.guichet.render(s), c.state);
        // Typed in the filter box, as a person types (one input event per letter).
        if (c.filter != null) {
          const typed = await page.evaluate((text) => {
            const input = document.getElementById("filter");
            if (!input) return false;
            input.focus();
            input.value = "";
            for (const ch of text) {
              input.value += ch;
              input.dispatchEvent(new Event("input", { bubbles: true }));
            }
            return true;
          }, c.filter);
          if (!typed) page.problems.push("no filter box to type in");
        }
        await painted(page);
        const result = await audit(page, `${c.name}-${size}`);
        record(`toolbar ${c.name} (${c.state.screen})`, size, result, page.problems);
      }
      await page.close();
    }
    // The content view's pages, in the window less the toolbar's strip.
    const page = await newPage(width, height - manifest.bar_height);
    for (const p of manifest.pages) {
      page.problems = [];
      await page.goto(`${origin}/${p.file}`, { waitUntil: "load" });
      record(`page ${p.name}`, size, await audit(page, `${p.name}-${size}`), page.problems);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `axe-core ${JSON.parse(await readFile(require.resolve("axe-core/package.json"), "utf8")).version}, ` +
    `${rules.length} rules (${TAGS.join(", ")}, ${BEST_PRACTICES.join(", ")}): ` +
    `${checked} screens checked in ${seconds} s, ${incomplete} results to review by hand`,
);
if (report.length) {
  console.log(`${report.length} violations:\n` + report.join("\n"));
  process.exit(1);
}
console.log("0 violations");
