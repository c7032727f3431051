// The race: runs side by side from the same start, in their own colours on
// every canvas, the table of steps to get close to L*, forks that continue
// from the same θ, pins, and share links that replay the race.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startBrowser, openApp, assertClean, stepCount, stepOnce, waitStep, waitData, upload, settle, colourCounts, shot, screenshot, rng,
  copyLink, eventually,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** A long narrow valley: one feature far from 0, not standardized (condition number ≈ 1600). */
function valleyCsv() {
  const r = rng(7);
  let text = 'temp,sales\n';
  for (let i = 0; i < 200; i++) {
    const x = 5 + r() * 10;
    text += `${x.toFixed(3)},${(3 * x + 2 + (r() - 0.5) * 4).toFixed(3)}\n`;
  }
  return text;
}

async function raceRows(page) {
  return page.locator('#race-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    label: tr.querySelector('[data-f="label"]').textContent,
    origin: tr.querySelector('[data-f="origin"]').textContent,
    step: Number(tr.querySelector('[data-f="step"]').textContent.replace(/,/g, '').split(' ')[0]),
    loss: tr.querySelector('[data-f="loss"]').textContent,
    status: tr.querySelector('[data-f="status"]').textContent,
    reached: tr.querySelector('[data-f="reached"]').textContent,
    active: tr.getAttribute('aria-current') === 'true',
    swatch: tr.querySelector('.swatch').style.background,
  })));
}

const paramValues = (page) => page.locator('#params tbody tr').evaluateAll((trs) => trs.map((tr) => tr.cells[1].textContent));

test('GD against the best momentum on a narrow valley: both drawn in their colours, momentum needs fewer steps', { timeout: 120000 }, async () => {
  const { page, problems } = await openApp(browser);
  await upload(page, { name: 'valley.csv', text: valleyCsv() });
  await waitData(page, '200 rows × 2 columns');
  await page.getByRole('checkbox', { name: 'Standardize' }).uncheck();
  await page.locator('.note[data-kind="ill_conditioned"]').waitFor();
  await page.locator('#curvature > summary').click();
  await page.getByRole('button', { name: 'Race GD against the best momentum' }).click();
  // GD at its own best α and momentum at (α*, μ*) join the default run.
  await page.waitForFunction(() => document.querySelectorAll('#race-table tbody tr').length === 3);
  let rows = await raceRows(page);
  assert.match(rows[0].label, /Gradient descent/);
  assert.match(rows[1].label, /Gradient descent/);
  assert.notEqual(rows[0].label, rows[1].label, 'the GD run at its best α has its own α');
  assert.match(rows[2].label, /Momentum/);
  assert.ok(rows[2].active, 'the new run is the active one');
  // The table's colours are the painter's, one per run.
  const colours = await page.evaluate(() => window.__app.painter.run_colors());
  assert.equal(colours.length, 6);
  assert.notEqual(colours[0], colours[1]);

  await page.getByLabel('Close: L − L* below').selectOption('1e-6');
  await page.getByLabel('Speed').selectOption('fast');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('#race-table [data-f="reached"]')].every((c) => /^\d/.test(c.textContent)), null, { timeout: 60000 });
  const pause = page.getByRole('button', { name: 'Pause' });
  if (await pause.count()) await pause.click();
  await settle(page);
  rows = await raceRows(page);
  const [, gd, momentum] = rows.map((r) => Number(r.reached.replace(/,/g, '').split(/[ ;]/)[0]));
  assert.ok(momentum < gd, `momentum needs fewer steps: ${momentum} < ${gd}`);
  assert.match(rows[2].reached, /fewest/);
  // Each shows what the eigenvalues predicted, and the theory ranks them alike.
  const theory = rows.map((r) => Number((r.reached.match(/theory ≈ ([\d,]+)/) || [, 'NaN'])[1].replace(/,/g, '')));
  assert.ok(theory[2] < theory[1], `theory: momentum ${theory[2]} < GD ${theory[1]} (${rows.map((r) => r.reached)})`);
  assert.ok(gd <= 1.5 * theory[1] && momentum <= 3 * theory[2], `measured within reach of the theory: ${gd} vs ${theory[1]}, ${momentum} vs ${theory[2]}`);
  assert.match(await page.locator('#race-caption').textContent(), /10⁻⁶|1e−6/);

  // Both loss curves (on the L − L* log view, where they part) and both
  // paths are drawn, each in its run's colour.
  await page.getByRole('checkbox', { name: 'Show L − L*' }).check();
  await settle(page);
  await shot(page.locator('#loss-canvas'), '53-race-loss');
  const loss = await eventually(() => colourCounts(page, 'Loss curve', colours.slice(1, 3)), (c) => c[0] > 30 && c[1] > 30);
  assert.ok(loss[0] > 30 && loss[1] > 30, `both loss curves in their colours: ${loss}`);
  await page.locator('#landscape-canvas').scrollIntoViewIfNeeded();
  await settle(page);
  const paths = await eventually(() => colourCounts(page, 'Loss landscape plot', colours.slice(1, 3)), (c) => c[0] > 20 && c[1] > 20);
  assert.ok(paths[0] > 20 && paths[1] > 20, `both paths in their colours: ${paths}`);
  await shot(page.locator('section.race'), '50-race-table');
  await screenshot(page, '51-race');
  assertClean(problems);
  await page.close();
});

test('fork at step 20 continues from the same θ; pin stops a run and keeps it through Reset; remove drops it', async () => {
  const { page, problems } = await openApp(browser);
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(page, 20);
  await settle(page);
  const parent = await paramValues(page);
  await page.getByRole('button', { name: 'Fork here' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#race-table tbody tr').length === 2);
  await settle(page);
  let rows = await raceRows(page);
  assert.ok(rows[1].active);
  assert.equal(rows[1].step, 20);
  assert.match(rows[1].origin, /forked from run 1 at step 20/);
  assert.deepEqual(await paramValues(page), parent, 'the fork has the parent’s parameters at step 20');

  // Change one setting of the fork, then step both.
  await page.getByLabel('Learning rate value').fill('0.05');
  await page.getByLabel('Learning rate value').press('Enter');
  await page.locator('#race-table').filter({ hasText: 'α = 0.05' }).waitFor();
  await stepOnce(page);
  rows = await raceRows(page);
  assert.deepEqual(rows.map((r) => r.step), [21, 21]);
  assert.notEqual(rows[0].loss, rows[1].loss, 'a different α, a different step');

  // Pin run 1: it stops; run 2 goes on.
  await page.getByRole('button', { name: 'Pin run 1' }).click();
  await page.locator('#race-table [data-f="status"]').first().filter({ hasText: 'pinned' }).waitFor();
  await stepOnce(page);
  rows = await raceRows(page);
  assert.deepEqual(rows.map((r) => r.step), [21, 22]);

  // Reset restarts run 2 only: the pinned run stays as the overlay.
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.waitForFunction(() => document.querySelector('#race-table tbody tr:nth-child(2) [data-f="step"]').textContent === '0');
  rows = await raceRows(page);
  assert.deepEqual(rows.map((r) => r.step), [21, 0]);

  // Select run 1 by clicking its row: the controls show its settings.
  await page.locator('#race-table tbody tr').first().locator('[data-f="loss"]').click();
  await page.waitForFunction(() => document.querySelector('#race-table tbody tr').getAttribute('aria-current') === 'true');
  await page.waitForFunction(() => document.getElementById('lr-value').value === '0.2');
  assert.equal(await stepCount(page), 21);

  // Remove run 2.
  await page.getByRole('button', { name: 'Remove run 2' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#race-table tbody tr').length === 1);
  assert.equal(await page.getByRole('button', { name: 'Remove run 1' }).isDisabled(), true, 'the last run stays');
  assertClean(problems);
  await page.close();
});

test('a share link reopens the race: the same runs, steps and losses, with a change of α mid-run', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('study-sleep');
  await waitData(page, '150 rows × 3 columns');
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(page, 10);
  // Run 2: Adam from the start; run 3: a fork of run 1 at step 10 with another α.
  await page.getByRole('button', { name: 'Add run' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#race-table tbody tr').length === 2);
  await page.getByLabel('Update rule').selectOption('adam');
  await page.locator('#race-table').filter({ hasText: 'Adam' }).waitFor();
  await page.locator('#race-table tbody tr').first().locator('[data-f="loss"]').click();
  await page.waitForFunction(() => document.querySelector('#race-table tbody tr').getAttribute('aria-current') === 'true');
  await page.getByRole('button', { name: 'Fork here' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#race-table tbody tr').length === 3);
  await page.getByLabel('Learning rate value').fill('0.7');
  await page.getByLabel('Learning rate value').press('Enter');
  await page.locator('#race-table').filter({ hasText: 'α = 0.7' }).waitFor();
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#race-table tbody tr:nth-child(3) [data-f="step"]').textContent.startsWith('20'));
  // A change mid-run: the link replays α = 0.7 up to step 20, then 0.3.
  await page.getByLabel('Learning rate value').fill('0.3');
  await page.getByLabel('Learning rate value').press('Enter');
  await page.locator('#race-table').filter({ hasText: 'α = 0.3' }).waitFor();
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#race-table tbody tr:nth-child(3) [data-f="step"]').textContent.startsWith('30'));
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await settle(page);
  const mine = await raceRows(page);
  const link = await copyLink(page);
  assert.match(link, /#ex=study-sleep/);
  assert.match(link, /run=/);
  assert.equal(new URL(link).hash, new URL(page.url()).hash, 'the address bar carries the same link');

  const other = await openApp(browser, link);
  await other.page.waitForFunction(() => document.querySelectorAll('#race-table tbody tr').length === 3, null, { timeout: 20000 });
  await settle(other.page);
  const theirs = await raceRows(other.page);
  const strip = (rows) => rows.map(({ label, origin, step, loss, status, active }) => ({ label, origin, step, loss, status, active }));
  assert.deepEqual(strip(theirs), strip(mine));
  assert.equal(await other.page.getByRole('checkbox', { name: 'Log scale' }).isChecked(), true);
  await screenshot(other.page, '52-shared-race');
  assertClean(other.problems);
  await other.page.close();
  assertClean(problems);
  await page.close();
});
