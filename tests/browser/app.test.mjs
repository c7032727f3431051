// The page as a new user meets it, driven through accessible names in
// headless chromium: the default example, uploads, bad input, the model
// views, divergence and the narrow layout. Screenshots go to test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ROOT, startBrowser, openApp, assertClean, canvasInk, canvasHash, canvasColours, lossValue, screenshot,
  stepButton, stepCount, stepOnce, waitStep, waitData, upload, setRate, settle, num,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test('opens with the default example at step 0 and both plots drawn', async () => {
  const { page, problems } = await openApp(browser);
  assert.equal(await page.getByLabel('Example', { exact: true }).inputValue(), 'classic');
  await waitData(page, '200 rows × 5 columns');
  assert.equal(await stepCount(page), 0);
  assert.ok(Number.isFinite(await lossValue(page)));
  for (const label of ['Loss curve', 'Model view']) {
    const { ink, total, width } = await canvasInk(page, label);
    assert.ok(width > 100, `${label} has a size`);
    assert.ok(ink > total * 0.01, `${label} has ink: ${ink} of ${total}`);
  }
  // Parameters table: four weights and the bias, named as Rust names them.
  const names = await page.locator('#params tbody th').allTextContents();
  assert.deepEqual(names, ['w₁ (x1)', 'w₂ (x2)', 'w₃ (x3)', 'w₄ (x4)', 'b']);
  // The default speed is 10 steps per second.
  assert.equal(await page.getByLabel('Speed').inputValue(), '10');
  await screenshot(page, '01-initial');
  assertClean(problems);
  await page.close();
});

test('upload stackloss, step, change the learning rate, play and pause', async () => {
  const { page, problems } = await openApp(browser);
  await upload(page, join(ROOT, 'tests/data/stackloss.csv'));
  await waitData(page, '21 rows × 4 columns');
  assert.equal(await page.getByLabel('Target').inputValue(), 'STACKLOSS');
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'linear');
  assert.equal(await page.locator('#features input:checked').count(), 3);
  assert.equal(await page.getByLabel('Example', { exact: true }).inputValue(), '');

  const loss0 = await lossValue(page);
  const lossHash = await canvasHash(page, 'Loss curve');
  const modelHash = await canvasHash(page, 'Model view');
  await stepOnce(page);
  const loss1 = await lossValue(page);
  assert.ok(loss1 < loss0, `step lowers the loss: ${loss1} < ${loss0}`);
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Loss curve'), lossHash, 'loss curve redrawn');
  assert.notEqual(await canvasHash(page, 'Model view'), modelHash, 'model view redrawn');

  // A smaller learning rate makes a smaller first step.
  const firstDrop = async (rate) => {
    await setRate(page, rate);
    await page.getByRole('button', { name: 'Reset' }).click();
    await waitStep(page, 0);
    const before = await lossValue(page);
    await stepOnce(page);
    return before - (await lossValue(page));
  };
  const big = await firstDrop(0.1);
  const small = await firstDrop(0.01);
  assert.ok(small > 0 && big > 2 * small, `first-step decrease ${big} (α=0.1) vs ${small} (α=0.01)`);

  // The slider moves α on its log scale; the box and aria-valuetext follow.
  const slider = page.getByLabel('Learning rate', { exact: true });
  const value = page.getByLabel('Learning rate value');
  const before = Number(await value.inputValue());
  await slider.focus();
  await page.keyboard.press('End');
  await page.waitForFunction((b) => Number(document.getElementById('lr-value').value) > b, before);
  assert.equal(await slider.getAttribute('aria-valuetext'), await value.inputValue());
  // Typing a value moves the slider back; the change applies without a reset.
  const stepBefore = await stepCount(page);
  await setRate(page, 0.05);
  assert.ok(Number(await slider.inputValue()) < 1000, 'the slider left its end');
  assert.equal(await stepCount(page), stepBefore);

  await page.getByRole('button', { name: 'Play' }).click();
  const pause = page.getByRole('button', { name: 'Pause' });
  await pause.waitFor();
  await page.waitForFunction((s) => Number(document.getElementById('step-count').textContent) >= s + 5, stepBefore);
  await screenshot(page, '02-stackloss-playing');
  await pause.click();
  await page.getByRole('button', { name: 'Play' }).waitFor();
  await settle(page);
  const stopped = await stepCount(page);
  await page.waitForTimeout(400);
  assert.equal(await stepCount(page), stopped, 'paused');
  assertClean(problems);
  await page.close();
});

test('a bad CSV shows an alert and the previous data stays usable', async () => {
  const { page, problems } = await openApp(browser);
  await upload(page, { name: 'ragged.csv', text: 'a,b,c\n1,2,3\n4,5\n6,7,8\n' });
  const alert = page.getByRole('alert');
  await alert.filter({ hasText: 'ragged.csv' }).waitFor();
  assert.match(await alert.textContent(), /ragged\.csv.*row 2 .*has 2 fields but the header has 3/);

  let text = 'x,y\n';
  for (let i = 0; i < 20; i++) text += `${(i * 1.7).toFixed(1)},${i === 7 ? 'seven' : 2 * i}\n`;
  await upload(page, { name: 'text.csv', text });
  await alert.filter({ hasText: 'text.csv' }).waitFor();
  assert.match(await alert.textContent(), /column 'y' is numeric but row 8 .*'seven'/);
  await screenshot(page, '03-bad-csv');

  // Still the default example, still trainable.
  await waitData(page, '200 rows × 5 columns');
  const before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before);

  // An empty file: one clear line.
  await upload(page, { name: 'empty.csv', text: '' });
  await alert.filter({ hasText: 'empty.csv' }).waitFor();
  assert.match(await alert.textContent(), /empty/);

  // An invalid choice: logistic on a many-valued target; the select goes back.
  await page.getByLabel('Model', { exact: true }).selectOption('logistic');
  await alert.filter({ hasText: 'exactly two classes' }).waitFor();
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'linear');
  assert.match(await alert.textContent(), /^Could not apply that change, so the last settings stay: /);
  await stepOnce(page);
  assert.equal(await stepCount(page), 2);

  // Unchecking every feature: one line that says so; the last box comes back.
  const boxes = page.locator('#features input[type=checkbox]');
  const count = await boxes.count();
  for (let i = 0; i < count - 1; i++) {
    await boxes.nth(i).uncheck();
    await page.waitForFunction((k) => document.querySelectorAll('#features input:checked').length === k, count - 1 - i);
  }
  await boxes.nth(count - 1).click();
  await alert.filter({ hasText: 'you unchecked every feature' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#features input:checked').length === 1);
  for (let i = 0; i < count - 1; i++) await boxes.nth(i).check();
  await page.waitForFunction((k) => document.querySelectorAll('#features input:checked').length === k, count);

  // An invalid α: one line beside the slider, the old α stays.
  const box = page.getByLabel('Learning rate value');
  await box.fill('-3');
  await box.press('Enter');
  await page.locator('#lr-note').filter({ hasText: 'positive' }).waitFor();
  assert.equal(await box.getAttribute('aria-invalid'), 'true');
  assert.equal(await box.inputValue(), '0.2');

  // Pasted text loads too, and the alert clears.
  await page.getByText('Paste CSV text').click();
  await page.getByLabel('Pasted CSV').fill('hours,pass\n0.5,0\n1.5,0\n2,1\n3.5,0\n4,1\n5.5,1\n');
  await page.getByRole('button', { name: 'Load pasted CSV' }).click();
  await waitData(page, '6 rows × 2 columns');
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'logistic');
  assert.equal((await alert.textContent()).trim(), '', 'the alert is cleared');

  // No NaN or Infinity anywhere on the page.
  assert.doesNotMatch(await page.locator('body').innerText(), /NaN|Infinity/);
  assertClean(problems);
  await page.close();
});

test('the two-feature logistic example draws a probability heatmap; the others their views', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('study-sleep');
  await waitData(page, '150 rows × 3 columns');
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'logistic');
  await page.getByRole('button', { name: 'Step ×100' }).click();
  await waitStep(page, 100);
  await settle(page);
  const { blue, red } = await canvasColours(page, 'Model view');
  const { total } = await canvasInk(page, 'Model view');
  assert.ok(blue > total * 0.05, `blue area: ${blue} of ${total}`);
  assert.ok(red > total * 0.05, `red area: ${red} of ${total}`);
  assert.equal(await page.getByLabel('View', { exact: true }).inputValue(), 'heatmap');
  // The legend comes from the painter and names what is drawn.
  assert.ok((await page.locator('#model-legend .item').count()) >= 2, 'the model view has a legend');
  await screenshot(page, '04-study-sleep');

  // The one-feature logistic example: a sigmoid, no view select.
  await page.getByLabel('Example', { exact: true }).selectOption('study-hours');
  await waitData(page, 'Study hours');
  assert.equal(await page.locator('#view-pick').isHidden(), true);
  await page.getByRole('button', { name: 'Step ×100' }).click();
  await waitStep(page, 100);
  await screenshot(page, '05-study-hours');

  // House prices: fitted line, and the predicted-vs-actual option.
  await page.getByLabel('Example', { exact: true }).selectOption('house-prices');
  await waitData(page, 'House size');
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(page, 10);
  assert.equal(await page.getByLabel('View', { exact: true }).inputValue(), 'line');
  const line = await canvasHash(page, 'Model view');
  await page.getByLabel('View', { exact: true }).selectOption('predicted-actual');
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Model view'), line, 'the view changed');
  await page.getByLabel('View', { exact: true }).selectOption('line');
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await screenshot(page, '06-house-prices');
  assertClean(problems);
  await page.close();
});

test('the classic example offers slice selects, log scale and L − L*', async () => {
  const { page, problems } = await openApp(browser);
  const x = page.getByLabel('Slice x');
  const y = page.getByLabel('Slice y');
  assert.equal(await x.inputValue(), '0');
  assert.equal(await y.inputValue(), '1');
  const before = await canvasHash(page, 'Model view');
  await y.selectOption({ label: 'x3' });
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Model view'), before);
  // Picking the same feature twice moves the other slice.
  await x.selectOption({ label: 'x3' });
  assert.notEqual(await y.inputValue(), await x.inputValue());
  await page.getByRole('button', { name: 'Step ×100' }).click();
  await page.waitForFunction(() => Number(document.getElementById('step-count').textContent) >= 30);
  const plain = await canvasHash(page, 'Loss curve');
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await page.getByRole('checkbox', { name: 'Show L − L*' }).check();
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Loss curve'), plain);
  await screenshot(page, '07-classic-log');
  assertClean(problems);
  await page.close();
});

test('a huge learning rate diverges, pauses Play and says what to change', async () => {
  const { page, problems } = await openApp(browser);
  await setRate(page, 10);
  // Beside the slider, before any step: above 2/L gradient descent diverges.
  await page.locator('#lr-note').filter({ hasText: 'Above 2/L = 0.894' }).waitFor();
  await page.getByRole('button', { name: 'Play' }).click();
  const message = page.locator('#status-message').filter({ hasText: 'iverged' });
  await message.waitFor({ timeout: 10000 });
  assert.match(await message.textContent(), /lower the learning rate below 0\.894 .*press Reset/);
  await page.getByRole('button', { name: 'Play' }).waitFor();
  assert.equal(await page.locator('#status').textContent(), 'diverged');
  const diverged = await stepCount(page);
  // Play plays until Pause even so, steps nothing and says why; Pause
  // clears that line. Step asks for Reset or a lower α.
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('#status-message').filter({ hasText: 'Playing, but nothing can move' }).waitFor();
  assert.match(await page.locator('#status-message').textContent(), /diverged at step \d+.*Press Pause to stop/);
  await page.waitForTimeout(600);
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 1, 'Play stays on until Pause');
  assert.equal(await stepCount(page), diverged);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Play' }).waitFor();
  await page.waitForFunction(() => !/Playing, but/.test(document.querySelector('#status-message').textContent));
  await stepButton(page).click();
  await page.locator('#status-message').filter({ hasText: 'Cannot step' }).waitFor();
  await page.waitForTimeout(300);
  assert.equal(await stepCount(page), diverged);
  assert.doesNotMatch(await page.locator('body').innerText(), /NaN|Infinity/);
  await screenshot(page, '08-diverged');
  // Reset and a safe rate recover.
  await setRate(page, 0.1);
  await page.getByRole('button', { name: 'Reset' }).click();
  await waitStep(page, 0);
  const before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before);
  assert.equal(num(await page.locator('#step-count').textContent()), 1);
  assertClean(problems);
  await page.close();
});

test('a narrow screen stacks the layout; canvases are CSS size × devicePixelRatio', async () => {
  const narrow = await startBrowser({ width: 420, height: 900, deviceScaleFactor: 2 });
  try {
    const { page, problems } = await openApp(narrow);
    const { width } = await canvasInk(page, 'Loss curve');
    const css = await page.getByLabel('Loss curve', { exact: true }).evaluate((c) => c.clientWidth);
    assert.equal(width, Math.round(css * 2), 'canvas backing store is CSS size × devicePixelRatio');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling: ${overflow}px`);
    await screenshot(page, '09-narrow');
    assertClean(problems);
  } finally {
    await narrow.close();
  }
});
