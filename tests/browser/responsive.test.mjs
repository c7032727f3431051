// Responsiveness on big data: while a 1M-row file loads, the old data still
// trains (the worker handles messages between chunks); and Pause during a
// long Fast run on 1M rows × 10 stops it within one frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import {
  startBrowser, openApp, stepCount, waitData, waitStep, upload, settle, tempDir, rng,
} from './helpers.mjs';

let browser;
let tmp;
let big;
before(async () => {
  browser = await startBrowser();
  tmp = tempDir();
  big = await writeBig(tmp.dir, 1000000, 10);
});
after(async () => {
  await browser?.close();
  tmp?.cleanup();
});

/** Streams `rows` × `features` of linear data to a CSV file (about 105 MB for 1M × 10). */
async function writeBig(dir, rows, features) {
  const path = `${dir}/big-${rows}x${features}.csv`;
  const out = createWriteStream(path);
  const r = rng(rows + features);
  out.write(`${[...Array(features).keys()].map((j) => `x${j + 1}`).join(',')},y\n`);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    let z = 0.5;
    let line = '';
    for (let j = 0; j < features; j++) {
      const v = r() * 20 - 10;
      z += (j % 2 ? -v : v) * (1 + j / 10);
      line += `${v.toFixed(6)},`;
    }
    chunk += `${line}${(z + r() - 0.5).toFixed(6)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((resolve) => out.end(resolve));
  return path;
}

test('while a 1M-row file loads, Step still trains the old data; the new data replaces it when ready', { timeout: 300000 }, async () => {
  const { page, problems } = await openApp(browser);
  await upload(page, big);
  await page.getByLabel('Loading file').waitFor();
  await page.locator('#load-progress-text').filter({ hasText: /Reading .* MB/ }).waitFor();
  // The old data (the classic example) steps while the file is read.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitStep(page, 1, 5000);
  assert.equal(await page.locator('#load-progress-box').isVisible(), true, 'still loading');
  await waitData(page, '1,000,000 rows × 11 columns', 240000);
  await waitStep(page, 0);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await page.close();
});

test('Pause during a long Fast run on 1M rows × 10 stops it within one frame', { timeout: 300000 }, async () => {
  const { page, problems } = await openApp(browser);
  await upload(page, big);
  await waitData(page, '1,000,000 rows × 11 columns', 240000);
  await page.getByLabel('Stop when ‖g‖ <').fill('0');
  await page.getByLabel('Stop when ‖g‖ <').press('Enter');
  await page.waitForFunction(() => document.getElementById('tolerance').value === '0');
  await page.getByLabel('Speed').selectOption('fast');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction(() => Number(document.getElementById('step-count').textContent) >= 20, null, { timeout: 60000 });
  const result = await page.evaluate(async () => {
    const app = window.__app;
    app.pausedAt = undefined;
    const t0 = performance.now();
    document.getElementById('play').click();
    while (app.pausedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
    const acked = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { reported: app.pausedAt, shown: Number(document.getElementById('step-count').textContent), ackMs: acked - t0, button: document.getElementById('play').textContent };
  });
  assert.equal(result.button, 'Play');
  assert.equal(result.shown, result.reported, `50 ms after Pause was acknowledged (${result.ackMs.toFixed(0)} ms after the click) the page shows step ${result.shown}, the worker stopped at ${result.reported}`);
  await settle(page);
  await page.waitForTimeout(300);
  assert.equal(await stepCount(page), result.reported, 'and it stays there');
  console.log(`# Pause acknowledged ${result.ackMs.toFixed(0)} ms after the click, at step ${result.reported}`);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await page.close();
});
