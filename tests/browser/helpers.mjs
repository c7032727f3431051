// Shared set-up of the browser tests: the static server (in-process, free
// port), headless Debian chromium through playwright-core with a fresh
// profile, and a page that records console errors, page errors and network
// requests made after the app is ready. Plus data generators, axe-core and
// canvas pixel helpers.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the server and a browser context; call `close()` when done. */
export async function startBrowser({ width = 1440, height = 1000, deviceScaleFactor = 1 } = {}) {
  const { server, url } = await startServer({ port: 0, quiet: true, root: process.env.GRADSTEP_WEB_ROOT || undefined });
  const profile = mkdtempSync(join(tmpdir(), 'gradstep-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width, height },
    deviceScaleFactor,
    acceptDownloads: true,
  });
  return {
    url,
    context,
    async close() {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the page (at `url`, e.g. a shared link; the app's root by default)
 * and waits until the app is ready (the worker started, the first frame
 * drawn). Returns the page plus `problems`: console errors, page errors and
 * network requests made after that (blob: and data: URLs never leave the
 * browser, so they do not count).
 */
export async function openApp(browser, url = browser.url) {
  const page = await browser.context.newPage();
  const problems = { consoleErrors: [], pageErrors: [], lateRequests: [] };
  let ready = false;
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const at = msg.location();
      problems.consoleErrors.push(`${msg.text()}${at && at.url ? ` (${at.url.split('/').pop()}:${at.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.pageErrors.push(String(err)));
  page.on('request', (req) => {
    const u = req.url();
    if (ready && !u.startsWith('blob:') && !u.startsWith('data:')) problems.lateRequests.push(u);
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  ready = true;
  return { page, problems };
}

export function assertClean(problems) {
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'page errors');
  assert.deepEqual(problems.lateRequests, [], 'network requests after the app was ready');
}

// ------------------------------------------------------------------ reading the page

export const stepButton = (page) => page.getByRole('button', { name: 'Step', exact: true });

export async function stepCount(page) {
  return Number((await page.locator('#step-count').textContent()).replace(/,/g, ''));
}

/** A number as Rust writes it (true minus sign, e−5 exponents). */
export function num(text) {
  return Number(String(text).trim().replace(/−/g, '-').replace(/,/g, ''));
}

/** The number shown by the "Loss" read-out. */
export async function lossValue(page) {
  return num(await page.getByLabel('Loss', { exact: true }).textContent());
}

/** Waits until the step read-out shows `n` (the worker answers asynchronously). */
export async function waitStep(page, n, timeout = 10000) {
  await page.waitForFunction((k) => Number(document.getElementById('step-count').textContent.replace(/,/g, '')) === k, n, { timeout });
}

/** Waits until the step read-out is at least `n`. */
export async function waitStepAtLeast(page, n, timeout = 20000) {
  await page.waitForFunction((k) => Number(document.getElementById('step-count').textContent.replace(/,/g, '')) >= k, n, { timeout });
}

/** Clicks Step and waits for the next step count to be drawn. */
export async function stepOnce(page) {
  const before = await stepCount(page);
  await stepButton(page).click();
  await waitStep(page, before + 1);
}

/** Waits for the page to settle: no frame pending, two animation frames drawn. */
export async function settle(page) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 60)))));
}

/** Uploads a file through the file input (a path, or {name, text}). */
export async function upload(page, file) {
  const input = page.getByLabel('CSV file');
  if (typeof file === 'string') await input.setInputFiles(file);
  else await input.setInputFiles({ name: file.name, mimeType: 'text/csv', buffer: Buffer.isBuffer(file.text) ? file.text : Buffer.from(file.text) });
}

/** Waits until the data info names `text` (e.g. "21 rows × 4 columns"). */
export async function waitData(page, text, timeout = 30000) {
  await page.locator('#data-info').filter({ hasText: text }).waitFor({ timeout });
}

export async function setRate(page, value) {
  const box = page.getByLabel('Learning rate value');
  await box.fill(String(value));
  await box.press('Enter');
  await page.waitForFunction((v) => Number(document.getElementById('lr-range').getAttribute('aria-valuetext')) === Number(v), String(value));
}

// ------------------------------------------------------------------ canvases

/** Counts pixels that differ from the canvas background (white). */
export async function canvasInk(page, label) {
  return page.getByLabel(label, { exact: true }).evaluate((canvas) => {
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245)) ink += 1;
    }
    return { ink, total: data.length / 4, width: canvas.width, height: canvas.height };
  });
}

/** A cheap fingerprint of a canvas' pixels, to tell whether it changed. */
export async function canvasHash(page, label) {
  return page.getByLabel(label, { exact: true }).evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 7) h = Math.imul(h ^ data[i], 16777619);
    return h >>> 0;
  });
}

/** Counts bluish and reddish pixels of a canvas. */
export async function canvasColours(page, label) {
  return page.getByLabel(label, { exact: true }).evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let blue = 0;
    let red = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (b > r + 40 && b > g + 10) blue += 1;
      if (r > b + 40 && r > g + 40) red += 1;
    }
    return { blue, red };
  });
}

/**
 * Pixels of a canvas drawn in each CSS colour (#rrggbb), also faint or
 * anti-aliased: the pixel lies on the way from white to the colour (at
 * least 30% of it), within `tolerance`.
 */
export async function colourCounts(page, label, colours, tolerance = 24) {
  return page.getByLabel(label, { exact: true }).evaluate((canvas, [list, tol]) => {
    const rgb = list.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const counts = list.map(() => 0);
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < data.length; i += 4) {
      const p = [data[i] - 255, data[i + 1] - 255, data[i + 2] - 255];
      rgb.forEach((c, k) => {
        const d = c.map((v) => v - 255);
        const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if (!dd) return;
        const t = (p[0] * d[0] + p[1] * d[1] + p[2] * d[2]) / dd;
        if (t < 0.3 || t > 1.1) return;
        const r = Math.hypot(p[0] - t * d[0], p[1] - t * d[1], p[2] - t * d[2]);
        if (r <= tol) counts[k] += 1;
      });
    }
    return counts;
  }, [colours, tolerance]);
}

/** Polls `probe()` until `ok(value)` or the timeout; returns the last value. */
export async function eventually(probe, ok, timeout = 8000) {
  const end = Date.now() + timeout;
  let value = await probe();
  while (!ok(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}

export async function screenshot(page, name) {
  // From the top, so that the sticky controls sit where a person first sees them.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, caret: 'initial' });
}

/** A screenshot of one part of the page. */
export async function shot(locator, name) {
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`), caret: 'initial' });
}

// ------------------------------------------------------------------ axe-core

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.x A and AA, best practices) and returns the serious and critical violations. */
export async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// ------------------------------------------------------------------ data

export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A temporary folder for generated files; removed by `cleanup()`. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'gradstep-test-'));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `rows` × `features` of generated linear (or two-class) data, as CSV text. */
export function generatedCsv(rows, features, { seed = 1, model = 'linear', digits = 4 } = {}) {
  const r = rng(seed);
  const lines = [[...Array(features).keys()].map((j) => `x${j + 1}`).concat('y').join(',')];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: features }, () => (r() * 20 - 10).toFixed(digits));
    const z = x.reduce((s, v, j) => s + (j % 2 ? -v : +v) * (1 + j / 10), 0.5);
    const y = model === 'logistic' ? (z + (r() - 0.5) * 8 > 0 ? 1 : 0) : (z + (r() - 0.5)).toFixed(digits);
    lines.push(`${x.join(',')},${y}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Clicks "Copy link" and returns the link once it is made (the data may come from the worker). */
export async function copyLink(page) {
  await page.locator('#share-hint').evaluate((n) => { n.textContent = ''; });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.locator('#share-hint').filter({ hasText: /copied|selected/ }).waitFor();
  return page.getByLabel('Link to this view').inputValue();
}
