// Responsiveness figures, printed (not asserted on time): one step plus the
// redraw of both plots at 10k rows, and the longest main-thread task (and
// longest single engine call) while a 1M-row file loads, trains and gets a
// new model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowser, openApp, lossValue, screenshot } from './helpers.mjs';

let browser;
let dir;
before(async () => {
  browser = await startBrowser();
  dir = mkdtempSync(join(tmpdir(), 'gradstep-perf-'));
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csv(rows, features) {
  const r = rng(rows);
  const lines = [[...Array(features).keys()].map((j) => `x${j + 1}`).concat('y').join(',')];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: features }, () => Math.round((r() * 20 - 10) * 100) / 100);
    const y = x.reduce((s, v, j) => s + (j % 2 ? -v : v), 3) + (r() - 0.5);
    lines.push(`${x.join(',')},${y.toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function timeSteps(page, count) {
  return page.evaluate(async (n) => {
    const button = document.getElementById('step');
    const times = [];
    for (let i = 0; i < n; i++) {
      // One click per animation frame, as a person (or Play) would.
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const t0 = performance.now();
      button.click();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(n / 2)], p95: times[Math.floor(n * 0.95)], max: times[n - 1] };
  }, count);
}

test('10k rows: milliseconds per step + redraw', { timeout: 120000 }, async () => {
  const file = join(dir, 'ten-thousand.csv');
  writeFileSync(file, csv(10000, 4));
  const { page, problems } = await openApp(browser);
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByText('10,000 rows × 5 columns').waitFor();
  const before = await lossValue(page);
  const heatmap = await timeSteps(page, 60);
  assert.ok((await lossValue(page)) < before);
  await page.getByLabel('View', { exact: true }).selectOption('predicted-actual');
  const scatter = await timeSteps(page, 60);
  const fmt = ({ median, p95, max }) => `median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms`;
  console.log(`# PERF 10k rows × 4 features, step + redraw (heatmap view): ${fmt(heatmap)}`);
  console.log(`# PERF 10k rows × 4 features, step + redraw (predicted-vs-actual view): ${fmt(scatter)}`);
  await screenshot(page, '10-ten-thousand');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await page.close();
});

/** Starts recording long tasks (over 50 ms) in `window.__longTasks`. */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ at: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
  });
}

/** Long tasks and engine calls (the loader's `gradstep:*` measures) since the last call. */
async function takeTimings(page) {
  return page.evaluate(() => {
    const calls = {};
    for (const m of performance.getEntriesByType('measure')) {
      if (!m.name.startsWith('gradstep:')) continue;
      const c = (calls[m.name.slice(9)] ||= { count: 0, max: 0 });
      c.count += 1;
      c.max = Math.max(c.max, m.duration);
    }
    performance.clearMeasures();
    return { tasks: window.__longTasks.splice(0), calls };
  });
}

const longest = (tasks) => tasks.reduce((m, t) => Math.max(m, t.ms), 0);

function describe({ tasks, calls }) {
  const entries = Object.entries(calls);
  const slowest = entries.reduce((m, [, c]) => Math.max(m, c.max), 0);
  const each = entries.map(([name, c]) => `${name} ${c.max.toFixed(0)} ms ×${c.count}`).join(', ');
  return `longest main-thread task ${longest(tasks).toFixed(0)} ms (${tasks.length} tasks over 50 ms); ` +
    `longest engine call ${slowest.toFixed(0)} ms (${each || 'none'})`;
}

/** Loads `rows` × `features` generated rows through the file input; returns the timings. */
async function loadBig(page, rows, features) {
  const file = join(dir, `big-${rows}x${features}.csv`);
  writeFileSync(file, csv(rows, features));
  await watchLongTasks(page);
  await takeTimings(page);
  const t0 = Date.now();
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByLabel('Loading file').waitFor({ timeout: 10000 }).catch(() => {});
  await page.getByText(`${rows.toLocaleString('en-US')} rows × ${features + 1} columns`).waitFor({ timeout: 280000 });
  return { ms: Date.now() - t0, ...(await takeTimings(page)) };
}

/** Turns Standardize off (a new model, prepared in slices on big data); returns the timings. */
async function reconfigureBig(page) {
  const box = page.locator('#standardize');
  assert.equal(await box.isChecked(), true);
  await takeTimings(page);
  const t0 = Date.now();
  await box.uncheck();
  await page.waitForFunction(() => !document.getElementById('standardize').disabled
    && document.getElementById('load-progress-box').hidden, null, { timeout: 120000 });
  const ms = Date.now() - t0;
  assert.equal(await box.isChecked(), false);
  return { ms, ...(await takeTimings(page)) };
}

test('1M rows: load with progress and train without long freezes', { timeout: 300000 }, async () => {
  const { page, problems } = await openApp(browser);
  const load = await loadBig(page, 1000000, 2);

  await page.getByLabel('Steps per frame').selectOption('1');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(3000);
  const pause = page.getByRole('button', { name: 'Pause' });
  if (await pause.count()) await pause.click();
  const steps = Number((await page.locator('#step-count').textContent()).replace(/,/g, ''));
  const playTasks = (await takeTimings(page)).tasks;
  const reconfigure = await reconfigureBig(page);
  console.log(`# PERF 1M rows × 2 features: loaded (read, parse, prepare) in ${load.ms} ms; ${describe(load)}`);
  console.log(`# PERF 1M rows × 2 features: ${steps} steps in 3 s of Play; longest task while playing ${longest(playTasks).toFixed(0)} ms (${playTasks.length} tasks over 50 ms)`);
  console.log(`# PERF 1M rows × 2 features: Standardize off (sliced configure) in ${reconfigure.ms} ms; ${describe(reconfigure)}`);
  assert.ok(steps > 0);
  await screenshot(page, '11-million');
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

test('1M rows × 10 features: load and configure without long freezes', { timeout: 300000 }, async () => {
  const { page, problems } = await openApp(browser);
  const load = await loadBig(page, 1000000, 10);
  // What the page does next (exact optimum in slices, insight panels).
  await page.waitForTimeout(3000);
  const after = await takeTimings(page);
  const reconfigure = await reconfigureBig(page);
  await page.waitForTimeout(3000);
  const afterReconfigure = await takeTimings(page);
  console.log(`# PERF 1M rows × 10 features: loaded (read, parse, prepare) in ${load.ms} ms; ${describe(load)}`);
  console.log(`# PERF 1M rows × 10 features: the 3 s after loading: longest main-thread task ${longest(after.tasks).toFixed(0)} ms (${after.tasks.length} tasks over 50 ms)`);
  console.log(`# PERF 1M rows × 10 features: Standardize off (sliced configure) in ${reconfigure.ms} ms; ${describe(reconfigure)}`);
  console.log(`# PERF 1M rows × 10 features: the 3 s after that: longest main-thread task ${longest(afterReconfigure.tasks).toFixed(0)} ms (${afterReconfigure.tasks.length} tasks over 50 ms)`);
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});
