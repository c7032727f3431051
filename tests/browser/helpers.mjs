// Shared set-up of the browser tests: the static server (in-process, free
// port), headless Debian chromium through playwright-core with a fresh
// profile, and a page that records console errors and late requests.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const { server, url } = await startServer({ port: 0, quiet: true });
  const profile = mkdtempSync(join(tmpdir(), 'gradstep-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width, height },
    deviceScaleFactor,
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
 * and waits until it is drawn. Returns the page plus `problems`: console
 * errors, page errors and requests made after the load event.
 */
export async function openApp(browser, url = browser.url) {
  const page = await browser.context.newPage();
  const problems = { consoleErrors: [], pageErrors: [], lateRequests: [] };
  let loaded = false;
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(String(err)));
  page.on('request', (req) => {
    if (loaded) problems.lateRequests.push(req.url());
  });
  page.on('load', () => {
    loaded = true;
  });
  await page.goto(url, { waitUntil: 'load' });
  loaded = true;
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  return { page, problems };
}

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

/** The number shown by the "Loss" read-out. */
export async function lossValue(page) {
  const text = await page.getByLabel('Loss', { exact: true }).textContent();
  return Number(text.replace('−', '-'));
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
