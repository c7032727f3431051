// The optimizer lab and the analysis panels: mini-batches (the batch's
// gradient against the full one, its loss on the curve, the epochs axis),
// schedules and their curve, the curvature panel (eigenvalues, errors along
// eigendirections, the Newton step) and the α-sweep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startBrowser, openApp, assertClean, canvasHash, canvasInk, stepOnce, stepCount, waitStep, settle, num, shot,
  eventually,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test('mini-batches: the batch against the full gradient, its own loss on the curve, epochs', async () => {
  const { page, problems } = await openApp(browser);
  assert.equal(await page.getByLabel('Batch size').inputValue(), '200', 'full batch is n');
  assert.equal(await page.locator('#batch-info').isHidden(), true);
  await page.getByLabel('Batch size').fill('20');
  await page.getByLabel('Batch size').press('Enter');
  await page.locator('#batch-hint').filter({ hasText: 'Each step uses 20 of the 200 rows' }).waitFor();
  await stepOnce(page);
  await page.locator('#batch-info').waitFor();
  const stats = await page.locator('#batch-stats').textContent();
  assert.match(stats, /Rows\s*20/);
  assert.match(stats, /Angle to the full gradient\s*[\d.]+°/);
  assert.match(stats, /‖batch g‖ \/ ‖full g‖\s*[\d.]+/);
  assert.match(await page.locator('#race-table').textContent(), /batch 20/);
  // The noise ball: in words once the optimum is known, and on the landscape.
  const ball = page.locator('#noise-ball').filter({ hasText: 'SGD never settles' });
  await ball.waitFor();
  const [rms, excess] = /wanders about ([^ ]+) from θ\*.* about ([^ ]+) above L\*/.exec(await ball.textContent()).slice(1).map(num);
  assert.ok(rms > 0 && excess > 0, `${rms} ${excess}`);
  await page.locator('#landscape-caption').filter({ hasText: 'noise ball' }).waitFor();
  // Ten batches make an epoch.
  for (let i = 0; i < 9; i++) await stepOnce(page);
  await page.locator('#epoch').filter({ hasText: '1 epochs' }).waitFor();
  const steps = await canvasHash(page, 'Loss curve');
  await page.getByRole('checkbox', { name: 'Epochs on the x axis' }).check();
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Loss curve'), steps, 'the x axis counts epochs');
  const withBatch = await canvasHash(page, 'Loss curve');
  await page.getByRole('checkbox', { name: 'Mini-batch losses' }).uncheck();
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Loss curve'), withBatch, 'the batch losses are drawn on the curve');
  // The seed changes the shuffle, without a reset.
  await page.getByLabel('Shuffle seed').fill('7');
  await page.getByLabel('Shuffle seed').press('Enter');
  await page.waitForTimeout(200);
  assert.equal(await stepCount(page), 10);
  await page.getByRole('button', { name: 'Use the full batch' }).click();
  await page.waitForFunction(() => document.getElementById('batch-info').hidden);
  await shot(page.locator('section.lab'), '30-optimizer-lab');
  assertClean(problems);
  await page.close();
});

test('schedules: step decay halves α every E steps, drawn as a small curve', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Learning-rate schedule').selectOption('step');
  await page.getByLabel('Every E steps').fill('5');
  await page.getByLabel('Every E steps').press('Enter');
  await page.locator('#schedule-formula').filter({ hasText: 'α·0.5^⌊k/5⌋' }).waitFor();
  assert.equal(await page.getByLabel('γ').isVisible(), false, 'only the step schedule’s parameters');
  assert.ok((await eventually(() => canvasInk(page, 'Learning rate over the steps'), (c) => c.ink > 200)).ink > 200, 'the schedule is drawn');
  for (let i = 0; i < 5; i++) await stepOnce(page);
  // α for the next step is now 0.2 × 0.5.
  await page.locator('#update-scalars').filter({ hasText: /α\s*0\.1(?!\d)/ }).waitFor();
  await page.getByLabel('Learning-rate schedule').selectOption('cosine');
  await page.getByLabel('T steps').waitFor();
  assert.equal(await page.getByLabel('Every E steps').isVisible(), false);
  assertClean(problems);
  await page.close();
});

test('curvature: eigenvalues, the error along each eigendirection, the Newton step', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(page, 10);
  await page.locator('#curvature > summary').click();
  const facts = page.locator('#curvature-facts');
  await facts.filter({ hasText: 'Eigenvalues' }).waitFor();
  const text = await facts.textContent();
  const eig = /Eigenvalues λ \(standardized units\)([^A-Z]+)/.exec(text)[1].split(',').map(num);
  assert.equal(eig.length, 5, `one eigenvalue per parameter: ${eig}`);
  const L = num(/L, the largest curvature([\d.]+)/.exec(text)[1]);
  assert.ok(Math.abs(Math.max(...eig) - L) / L < 1e-3, `the largest eigenvalue is L: ${eig} vs ${L}`);
  assert.match(text, /exact: the loss is a quadratic/);
  assert.match(await page.locator('#predicted-rate').textContent(), /shrinks by a factor/);
  await page.locator('#eigen-canvas').scrollIntoViewIfNeeded();
  await settle(page);
  assert.ok((await eventually(() => canvasInk(page, 'Error along each eigendirection'), (c) => c.ink > 500)).ink > 500, 'the errors are drawn');
  await page.locator('#eigen-table-box summary').click();
  await page.waitForFunction(() => document.querySelectorAll('#eigen-table tbody tr').length === 5);
  // The Newton step shows on the model view and the landscape.
  const model = await canvasHash(page, 'Model view');
  await page.getByRole('checkbox', { name: 'Show the Newton step' }).check();
  assert.notEqual(await eventually(() => canvasHash(page, 'Model view'), (h) => h !== model), model, 'the Newton ghost is drawn');
  await shot(page.locator('#curvature'), '31-curvature');
  assertClean(problems);
  await page.close();
});

test('α-sweep: loss after K steps against α; clicking a point sets α', async () => {
  const { page, problems } = await openApp(browser);
  const sweep = page.locator('section.sweep');
  await sweep.scrollIntoViewIfNeeded();
  await page.getByRole('button', { name: 'Run the α-sweep' }).click();
  await page.locator('#sweep-status').filter({ hasText: 'Done' }).waitFor({ timeout: 60000 });
  await settle(page);
  const canvas = page.getByLabel("Loss after the sweep's steps against the learning rate", { exact: true });
  assert.ok((await eventually(() => canvasInk(page, "Loss after the sweep's steps against the learning rate"), (c) => c.ink > 500)).ink > 500);
  const before = await page.getByLabel('Learning rate value').inputValue();
  const box = await canvas.boundingBox();
  await canvas.click({ position: { x: box.width * 0.35, y: box.height * 0.5 } });
  await page.waitForFunction((b) => document.getElementById('lr-value').value !== b, before);
  assert.ok(Number(await page.getByLabel('Learning rate value').inputValue()) > 0);
  await shot(sweep, '32-sweep');
  // A sweep of gradient descent says nothing about Adam: it is hidden, and back on GD it shows again.
  await page.getByLabel('Update rule').selectOption('adam');
  await page.locator('#sweep-status').filter({ hasText: 'changed since the sweep' }).waitFor();
  assert.equal(await canvas.isVisible(), false, 'the stale sweep is hidden');
  await page.getByLabel('Update rule').selectOption('gd');
  await page.locator('#sweep-status').filter({ hasText: 'Done' }).waitFor();
  assert.equal(await canvas.isVisible(), true, 'the sweep is back');
  assertClean(problems);
  await page.close();
});
