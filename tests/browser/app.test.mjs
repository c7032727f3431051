// The page as a new user meets it, driven through accessible names in
// headless chromium. Screenshots go to test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ROOT, startBrowser, openApp, canvasInk, canvasHash, canvasColours, lossValue, screenshot,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

function assertClean(problems) {
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'page errors');
  assert.deepEqual(problems.lateRequests, [], 'network requests after load');
}

const stepButton = (page) => page.getByRole('button', { name: 'Step', exact: true });

test('opens with the default example trained at step 0 and both plots drawn', async () => {
  const { page, problems } = await openApp(browser);
  assert.equal(await page.getByLabel('Example', { exact: true }).inputValue(), 'classic');
  await page.getByText('200 rows × 5 columns').waitFor();
  assert.equal(await page.locator('#step-count').textContent(), '0');
  assert.ok(Number.isFinite(await lossValue(page)));
  for (const label of ['Loss curve', 'Model view']) {
    const { ink, total, width } = await canvasInk(page, label);
    assert.ok(width > 100, `${label} has a size`);
    assert.ok(ink > total * 0.01, `${label} has ink: ${ink} of ${total}`);
  }
  // Parameters table: four weights and the bias.
  assert.equal(await page.locator('#params tbody tr').count(), 5);
  await screenshot(page, '01-initial');
  assertClean(problems);
  await page.close();
});

test('upload stackloss, step, change the learning rate, play and pause', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('CSV file').setInputFiles(join(ROOT, 'tests/data/stackloss.csv'));
  await page.getByText('21 rows × 4 columns').waitFor();
  await page.getByLabel('Target').selectOption('STACKLOSS');
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'linear');
  assert.equal(await page.locator('#features input:checked').count(), 3);

  const loss0 = await lossValue(page);
  const lossHash = await canvasHash(page, 'Loss curve');
  const modelHash = await canvasHash(page, 'Model view');
  await stepButton(page).click();
  const loss1 = await lossValue(page);
  assert.ok(loss1 < loss0, `step lowers the loss: ${loss1} < ${loss0}`);
  assert.equal(await page.locator('#step-count').textContent(), '1');
  assert.notEqual(await canvasHash(page, 'Loss curve'), lossHash, 'loss curve redrawn');
  assert.notEqual(await canvasHash(page, 'Model view'), modelHash, 'model view redrawn');

  // The slider: a smaller learning rate makes a smaller first step.
  const slider = page.getByLabel('Learning rate', { exact: true });
  const value = page.getByLabel('Learning rate value');
  const firstDrop = async (log10) => {
    await page.getByRole('button', { name: 'Reset' }).click();
    await slider.fill(String(log10));
    const before = await lossValue(page);
    await stepButton(page).click();
    return before - (await lossValue(page));
  };
  const big = await firstDrop(-1);
  assert.equal(await value.inputValue(), '0.1');
  assert.equal(await slider.getAttribute('aria-valuetext'), '0.1');
  const small = await firstDrop(-2);
  assert.equal(await value.inputValue(), '0.01');
  assert.equal(await slider.getAttribute('aria-valuetext'), '0.01');
  assert.ok(small > 0 && big > 2 * small, `first-step decrease ${big} (α=0.1) vs ${small} (α=0.01)`);

  // Typing a value moves the slider; the change applies without a reset.
  const stepBefore = await page.locator('#step-count').textContent();
  await value.fill('0.05');
  await value.press('Enter');
  assert.equal(Number(await slider.inputValue()).toFixed(2), Math.log10(0.05).toFixed(2));
  assert.equal(await page.locator('#step-count').textContent(), stepBefore);

  // One step per frame, so that the run lasts long enough to watch.
  await page.getByLabel('Steps per frame').selectOption('1');
  await page.getByRole('button', { name: 'Play' }).click();
  const pause = page.getByRole('button', { name: 'Pause' });
  await pause.waitFor();
  await page.waitForFunction(() => Number(document.getElementById('step-count').textContent.replace(/,/g, '')) > 20);
  await screenshot(page, '02-stackloss-playing');
  await pause.click();
  await page.getByRole('button', { name: 'Play' }).waitFor();
  const stopped = await page.locator('#step-count').textContent();
  await page.waitForTimeout(200);
  assert.equal(await page.locator('#step-count').textContent(), stopped, 'paused');
  assertClean(problems);
  await page.close();
});

test('a bad CSV shows an alert and the previous data stays usable', async () => {
  const { page, problems } = await openApp(browser);
  const input = page.getByLabel('CSV file');
  await input.setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n') });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const ragged = await alert.textContent();
  assert.match(ragged, /ragged\.csv/);
  assert.match(ragged, /row 2 .*has 2 fields but the header has 3/);

  let text = 'x,y\n';
  for (let i = 0; i < 20; i++) text += `${i},${i === 7 ? 'seven' : 2 * i}\n`;
  await input.setInputFiles({ name: 'text.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByRole('alert').filter({ hasText: 'text.csv' }).waitFor();
  const message = await alert.textContent();
  assert.match(message, /column 'y' is numeric but row 8 .*'seven'/);
  await screenshot(page, '03-bad-csv');

  // Still the default example, still trainable.
  await page.getByText('200 rows × 5 columns').waitFor();
  const before = await lossValue(page);
  await stepButton(page).click();
  assert.ok((await lossValue(page)) < before);

  // An invalid choice: logistic on a many-valued target.
  await page.getByLabel('Model', { exact: true }).selectOption('logistic');
  await page.getByRole('alert').filter({ hasText: 'exactly two classes' }).waitFor();
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'linear');
  await stepButton(page).click();
  assert.equal(await page.locator('#step-count').textContent(), '2');

  // Pasted text loads too.
  await page.getByText('Paste CSV text').click();
  await page.getByLabel('Pasted CSV').fill('hours,pass\n1,0\n2,0\n3,1\n4,0\n5,1\n6,1\n');
  await page.getByRole('button', { name: 'Load pasted CSV' }).click();
  await page.getByText('6 rows × 2 columns').waitFor();
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'logistic');
  assert.equal(await page.getByRole('alert').count(), 0, 'the alert is cleared');

  // Errors appear on the page, not the console.
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.lateRequests, []);
  await page.close();
});

test('the two-feature logistic example draws a probability heatmap and boundary', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('study-sleep');
  await page.getByText('150 rows × 3 columns').waitFor();
  assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'logistic');
  await page.getByRole('button', { name: 'Step ×100' }).click();
  const { blue, red } = await canvasColours(page, 'Model view');
  const { total } = await canvasInk(page, 'Model view');
  assert.ok(blue > total * 0.05, `blue area: ${blue} of ${total}`);
  assert.ok(red > total * 0.05, `red area: ${red} of ${total}`);
  // The legend names the classes.
  await page.getByText('decision boundary (P = 0.5)').waitFor();
  await screenshot(page, '04-study-sleep');

  // The one-feature logistic example: sigmoid view.
  await page.getByLabel('Example', { exact: true }).selectOption('study-hours');
  await page.getByRole('button', { name: 'Step ×100' }).click();
  await page.getByText('0.5 threshold').waitFor();
  await screenshot(page, '05-study-hours');

  // House prices: fitted line, and the predicted-vs-actual option.
  await page.getByLabel('Example', { exact: true }).selectOption('house-prices');
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await page.getByLabel('View', { exact: true }).selectOption('predicted-actual');
  await page.getByText('perfect prediction (y = x)').waitFor();
  await page.getByLabel('View', { exact: true }).selectOption('line');
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await screenshot(page, '06-house-prices');
  assertClean(problems);
  await page.close();
});

test('the classic example offers slice selects and log scale', async () => {
  const { page, problems } = await openApp(browser);
  const x = page.getByLabel('Slice feature X');
  const y = page.getByLabel('Slice feature Y');
  assert.equal(await x.inputValue(), '0');
  assert.equal(await y.inputValue(), '1');
  const before = await canvasHash(page, 'Model view');
  await y.selectOption({ label: 'x3' });
  assert.notEqual(await canvasHash(page, 'Model view'), before);
  await page.getByRole('button', { name: 'Step ×100' }).click();
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await page.getByRole('checkbox', { name: 'Show L − L*' }).check();
  await screenshot(page, '07-classic-log');
  assertClean(problems);
  await page.close();
});

test('a huge learning rate diverges, pauses Play and says what to change', async () => {
  const { page, problems } = await openApp(browser);
  const value = page.getByLabel('Learning rate value');
  await value.fill('10');
  await value.press('Enter');
  assert.equal(await page.getByLabel('Learning rate', { exact: true }).getAttribute('aria-valuetext'), '10');
  await page.getByRole('button', { name: 'Play' }).click();
  const message = page.getByRole('status').filter({ hasText: 'diverged' });
  await message.waitFor({ timeout: 10000 });
  assert.match(await message.textContent(), /lower the learning rate below 2\/L/);
  await page.getByRole('button', { name: 'Play' }).waitFor();
  assert.equal(await page.locator('#status').textContent(), 'diverged');
  await screenshot(page, '08-diverged');
  // Reset and a safe rate recover.
  await value.fill('0.1');
  await value.press('Enter');
  await page.getByRole('button', { name: 'Reset' }).click();
  const before = await lossValue(page);
  await stepButton(page).click();
  assert.ok((await lossValue(page)) < before);
  assertClean(problems);
  await page.close();
});

test('a narrow screen stacks the layout', async () => {
  const narrow = await startBrowser({ width: 420, height: 900, deviceScaleFactor: 2 });
  try {
    const { page, problems } = await openApp(narrow);
    const { width } = await canvasInk(page, 'Loss curve');
    const css = await page.getByLabel('Loss curve', { exact: true }).evaluate((c) => c.clientWidth);
    assert.equal(width, Math.round(css * 2), 'canvas backing store is CSS size × devicePixelRatio');
    await screenshot(page, '09-narrow');
    assertClean(problems);
  } finally {
    await narrow.close();
  }
});
