// The insight panels as a new user meets them: loss landscape, exact optimum,
// 1/L and 2/L marks, gradient check, the update written out, notes, the
// prediction panel, the share link and exports, keyboard and live region.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, ARTIFACTS, startBrowser, openApp, canvasHash, lossValue, screenshot,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser({ width: 1440, height: 900 });
});
after(async () => {
  await browser?.close();
});

/** Network requests only: blob: and data: URLs never leave the browser. */
function networkRequests(problems) {
  return problems.lateRequests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'));
}

function assertClean(problems) {
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'page errors');
  assert.deepEqual(networkRequests(problems), [], 'network requests after load');
}

const stepButton = (page) => page.getByRole('button', { name: 'Step', exact: true });
const stepCount = async (page) => Number((await page.locator('#step-count').textContent()).replace(/,/g, ''));
const region = (page, name) => page.getByRole('region', { name, exact: true });

async function uploadStackloss(page) {
  await page.getByLabel('CSV file').setInputFiles(join(ROOT, 'tests/data/stackloss.csv'));
  await page.getByText('21 rows × 4 columns').waitFor();
  await page.getByLabel('Target').selectOption('STACKLOSS');
  await page.locator('#optimum-note').filter({ hasText: 'L* =' }).waitFor();
}

/** Pixels close to the reference (optimum) orange of the loss curve. */
async function optimumInk(page) {
  return page.getByLabel('Loss curve', { exact: true }).evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (Math.abs(r - 217) < 40 && Math.abs(g - 119) < 45 && b < 90) n += 1;
    }
    return n;
  });
}

async function shot(locator, name) {
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

test('stackloss: landscape path, optimum reference, gradient check, update and prediction', async () => {
  const { page, problems } = await openApp(browser);
  await uploadStackloss(page);

  // The exact optimum is a reference: distance read-out, L* line, optimum column.
  const distance = page.locator('#distance');
  await page.waitForFunction(() => /^[0-9.]/.test(document.getElementById('distance').textContent));
  const d0 = Number((await distance.textContent()).replace('−', '-'));
  assert.ok(d0 > 0, `distance to the optimum at the start: ${d0}`);
  assert.ok((await optimumInk(page)) > 100, 'the dashed L* line is on the loss curve');
  assert.equal(await page.getByRole('checkbox', { name: 'Show L − L*' }).isEnabled(), true);
  assert.match(await page.locator('#relative-hint').textContent(), /straight line/);

  // The landscape: drawn, with the path table growing as we step.
  const landscape = page.getByLabel('Loss landscape', { exact: true });
  // Drawn when it comes into view.
  await landscape.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => {
    const c = document.getElementById('landscape-canvas');
    return c.width > 100 && c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data[3] > 0;
  });
  assert.match(await page.locator('#landscape-caption').textContent(), /Click to start from here/);
  await page.locator('#landscape-table-box summary').click();
  const pathRows = page.locator('#landscape-table tbody tr');
  const rows0 = await pathRows.count();
  const hash0 = await canvasHash(page, 'Loss landscape');
  for (let i = 0; i < 3; i++) await stepButton(page).click();
  assert.notEqual(await canvasHash(page, 'Loss landscape'), hash0, 'the path grew on the landscape');
  assert.ok((await pathRows.count()) >= rows0 + 3, `the path table gained rows: ${rows0} → ${await pathRows.count()}`);
  const d3 = Number((await distance.textContent()).replace('−', '-'));
  assert.ok(d3 < d0, `steps move toward the optimum: ${d3} < ${d0}`);
  await shot(page.locator('section.landscape'), '20-landscape');

  // Clicking the landscape restarts from there.
  const box = await landscape.boundingBox();
  await landscape.click({ position: { x: box.width * 0.3, y: box.height * 0.35 } });
  assert.equal(await stepCount(page), 0, 'a click restarts at step 0');
  await stepButton(page).click();
  assert.equal(await stepCount(page), 1);

  // Gradient check: analytic and central differences agree.
  const check = region(page, 'Gradient check');
  assert.equal(await check.getByLabel('h', { exact: true }).inputValue(), '1e-5');
  const errors = await check.locator('tbody tr td:nth-child(4)').allTextContents();
  assert.equal(errors.length, 4, 'one row per parameter');
  for (const e of errors) assert.ok(Number(e.replace('−', '-')) < 1e-6, `relative error ${e} < 1e-6`);
  await check.getByLabel('h', { exact: true }).fill('0.001');
  await check.getByLabel('h', { exact: true }).press('Enter');
  assert.match(await page.locator('#gradcheck-hint').textContent(), /h = 0\.001/);
  await shot(check, '21-gradient-check');

  // The update written out, with the numbers of this step.
  const update = region(page, 'This step, written out');
  const lines = await update.locator('li').allTextContents();
  assert.equal(lines.length, 4);
  assert.match(lines[0], /← .* − .* × .* = /);
  assert.match(await update.textContent(), /standardized/);
  const formula = await page.locator('#loss-formula').textContent();
  assert.match(formula, /Σ/);
  assert.match(formula, /−/);
  await shot(update, '22-update');

  // Top contributors name rows.
  const contributors = await region(page, 'Top contributors to this step').locator('tbody tr').allTextContents();
  assert.equal(contributors.length, 5);
  assert.match(contributors[0], /row \d+/);

  // Prediction in words.
  const predict = region(page, 'Predict');
  await predict.getByLabel('AIRFLOW', { exact: true }).fill('70');
  await predict.getByRole('button', { name: 'Predict' }).click();
  assert.match(await page.locator('#prediction').textContent(), /AIRFLOW = 70.*→ predicted STACKLOSS ≈ −?\d/);
  await shot(predict, '23-predict');

  // Learning-rate marks: 2/L is to the right of 1/L, and a rate above 2/L diverges.
  const one = page.locator('#lr-mark-1');
  const two = page.locator('#lr-mark-2');
  const [x1, x2] = [(await one.boundingBox()).x, (await two.boundingBox()).x];
  assert.ok(x2 > x1, '2/L sits right of 1/L');
  const twoOverL = Number(await two.getAttribute('data-rate'));
  // The mark is where the slider puts that rate: position = (log10(v) + 5) / 6.
  const slider = page.getByLabel('Learning rate', { exact: true });
  const sb = await slider.boundingBox();
  const expected = sb.x + 8 + (sb.width - 16) * ((Math.log10(twoOverL) + 5) / 6);
  assert.ok(Math.abs(x2 - expected) < 3, `2/L mark at ${x2}, expected ${expected}`);
  assert.match(await page.locator('#lr-hint').textContent(), /above 2\/L .* the steps overshoot and diverge/);
  await shot(page.locator('section.controls'), '24-rate-marks');

  const value = page.getByLabel('Learning rate value');
  await value.fill(String(twoOverL * 1.3));
  await value.press('Enter');
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('button', { name: 'Play' }).click();
  await page.getByRole('status').filter({ hasText: 'diverged' }).waitFor({ timeout: 10000 });
  assert.match(await page.getByRole('status').textContent(), /2\/L/);
  await page.locator('#announcer').filter({ hasText: /Diverged at step \d+/ }).waitFor();
  await screenshot(page, '25-stackloss-insight');
  assertClean(problems);
  await page.close();
});

test('the two-class examples answer with a chance, and separable data suggests L2', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('study-hours');
  await page.getByRole('button', { name: 'Step ×100' }).click();
  const predict = region(page, 'Predict');
  await predict.getByLabel('hours', { exact: true }).fill('13');
  await predict.getByRole('button', { name: 'Predict' }).click();
  assert.match(await page.locator('#prediction').textContent(), /^13 hours → \d+(\.\d)?% chance of pass$/);
  // One feature: the landscape pair is fixed to (w, b).
  assert.equal(await page.locator('#landscape-pair').isHidden(), true);
  await page.getByRole('checkbox', { name: 'Show gradient share' }).check();
  await shot(page.locator('.charts'), '26-study-hours-insight');

  // Perfectly separable classes: no finite optimum, with the L2 way out.
  await page.getByText('Paste CSV text').click();
  await page.getByLabel('Pasted CSV').fill('hours,pass\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n');
  await page.getByRole('button', { name: 'Load pasted CSV' }).click();
  await page.getByText('6 rows × 2 columns').waitFor();
  const note = page.locator('.note[data-kind="no_finite_optimum"]');
  await note.waitFor();
  assert.match(await note.textContent(), /L2/);
  assert.equal(await page.getByRole('alert').count(), 0, 'a note, not an alert');
  assert.equal(await page.locator('#distance').textContent(), 'none');
  await shot(page.locator('#diagnostics'), '27-no-finite-optimum');
  await note.getByRole('button', { name: /L2 penalty/ }).click();
  assert.equal(await page.getByLabel('L2 penalty λ').inputValue(), '0.01');
  await page.locator('#optimum-note').filter({ hasText: 'L* =' }).waitFor();
  await page.waitForFunction(() => /^[0-9.]/.test(document.getElementById('distance').textContent));
  assert.equal(await note.count(), 0, 'the note goes once the optimum is finite');
  assertClean(problems);
  await page.close();
});

test('a shared link reopens the same view', async () => {
  const { page, problems } = await openApp(browser);
  await uploadStackloss(page);
  await page.getByRole('checkbox', { name: 'Standardize' }).uncheck();
  await page.locator('#optimum-note').filter({ hasText: 'L* =' }).waitFor();
  const oneOverL = Number(await page.locator('#lr-mark-1').getAttribute('data-rate'));
  const value = page.getByLabel('Learning rate value');
  await value.fill(String(oneOverL * 0.5));
  await value.press('Enter');
  await page.getByLabel('View', { exact: true }).selectOption('predicted-actual');
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByLabel('Link to this view').inputValue();
  assert.match(link, /#.*target=STACKLOSS/);
  assert.match(link, /csv=/, 'the small data set travels in the link');
  assert.equal(new URL(link).hash, new URL(page.url()).hash, 'the address bar carries the same settings');

  const read = async (p) => ({
    target: await p.getByLabel('Target').inputValue(),
    model: await p.getByLabel('Model', { exact: true }).inputValue(),
    standardize: await p.getByRole('checkbox', { name: 'Standardize' }).isChecked(),
    rate: await p.getByLabel('Learning rate', { exact: true }).getAttribute('aria-valuetext'),
    view: await p.getByLabel('View', { exact: true }).inputValue(),
    log: await p.getByRole('checkbox', { name: 'Log scale' }).isChecked(),
    features: await p.locator('#features input:checked').count(),
  });
  const mine = await read(page);
  for (let i = 0; i < 5; i++) await stepButton(page).click();
  const myLoss = await lossValue(page);

  const other = await openApp(browser, link);
  await other.page.getByText('21 rows × 4 columns').waitFor();
  assert.deepEqual(await read(other.page), mine);
  for (let i = 0; i < 5; i++) await stepButton(other.page).click();
  assert.equal(await lossValue(other.page), myLoss, 'the same loss after the same steps');
  await screenshot(other.page, '28-shared-link');
  assertClean(other.problems);
  await other.page.close();

  // Pasted data with non-ASCII names travels too (base64url of UTF-8).
  const pasted = await openApp(browser);
  await pasted.page.getByText('Paste CSV text').click();
  await pasted.page.getByLabel('Pasted CSV').fill('température,émissions\n1,2.1\n2,3.9\n3,6.2\n4,7.8\n');
  await pasted.page.getByRole('button', { name: 'Load pasted CSV' }).click();
  await pasted.page.getByText('4 rows × 2 columns').waitFor();
  await pasted.page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await pasted.page.getByRole('button', { name: 'Copy link' }).click();
  const pastedLink = await pasted.page.getByLabel('Link to this view').inputValue();
  const reopened = await openApp(browser, pastedLink);
  await reopened.page.getByText('4 rows × 2 columns').waitFor();
  assert.equal(await reopened.page.getByLabel('Target').inputValue(), 'émissions');
  assert.equal(await reopened.page.locator('#features input:checked').getAttribute('value'), 'température');
  assertClean(reopened.problems);
  await reopened.page.close();
  await pasted.page.close();

  // A broken link explains itself with a note and opens the default example.
  const broken = await openApp(browser, `${browser.url}#ex=no-such-example&target=y`);
  await broken.page.locator('.note').filter({ hasText: 'This link does not open' }).waitFor();
  assert.equal(await broken.page.getByLabel('Example', { exact: true }).inputValue(), 'classic');
  assert.equal(await broken.page.getByRole('alert').count(), 0);
  assertClean(broken.problems);
  await broken.page.close();

  // Exports: files made in the browser, no request.
  const saved = async (name) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path()) };
  };
  const model = await saved('Export model (JSON)');
  assert.match(model.name, /\.json$/);
  JSON.parse(model.text.toString('utf8'));
  const history = await saved('Export loss history (CSV)');
  assert.match(history.name, /\.csv$/);
  assert.ok(history.text.toString('utf8').trim().split('\n').length >= 6, 'one line per step and a header');
  const png = await saved('Save PNG of the loss landscape');
  assert.match(png.name, /landscape\.png$/);
  assert.equal(png.text.subarray(1, 4).toString('latin1'), 'PNG');
  assertClean(problems);
  await page.close();
});

test('keyboard: → steps, Space plays and pauses, R resets; the live region reports', async () => {
  const { page, problems } = await openApp(browser);
  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  assert.equal(await stepCount(page), 1);
  await page.keyboard.press('ArrowRight');
  assert.equal(await stepCount(page), 2);
  await page.locator('#announcer').filter({ hasText: 'Step 2, loss' }).waitFor();

  await page.getByLabel('Steps per frame').selectOption('1');
  await page.locator('h1').click();
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: 'Pause' }).waitFor();
  await page.waitForFunction(() => Number(document.getElementById('step-count').textContent.replace(/,/g, '')) > 10);
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: 'Play' }).waitFor();
  await page.locator('#announcer').filter({ hasText: 'Paused at step' }).waitFor();
  const stopped = await stepCount(page);
  await page.waitForTimeout(150);
  assert.equal(await stepCount(page), stopped, 'paused');

  // Typing in a field is not a shortcut.
  await page.getByLabel('Learning rate value').focus();
  await page.keyboard.press('r');
  await page.keyboard.press('ArrowRight');
  assert.equal(await stepCount(page), stopped);

  await page.locator('h1').click();
  await page.keyboard.press('r');
  assert.equal(await stepCount(page), 0, 'R resets');

  // Each chart has a table.
  await page.locator('#loss-table-box summary').click();
  await page.keyboard.press('ArrowRight');
  assert.ok((await page.locator('#loss-table tbody tr').count()) >= 2);
  await page.locator('#model-table-box summary').click();
  await page.waitForFunction(() => document.querySelectorAll('#model-table tbody tr').length === 50);
  assert.match(await page.locator('#model-table thead').textContent(), /Predicted y/);
  await shot(page.locator('.charts'), '29-tables');
  assertClean(problems);
  await page.close();
});

test('a narrow screen keeps every panel usable', async () => {
  const narrow = await startBrowser({ width: 390, height: 844, deviceScaleFactor: 2 });
  try {
    const { page, problems } = await openApp(narrow);
    await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling: ${overflow}px`);
    await screenshot(page, '30-narrow-insight');
    assertClean(problems);
  } finally {
    await narrow.close();
  }
});
