// Training as a person drives it: the default pace, Play and Pause around
// convergence, any α typed, the gradient check on raw data, Adam's moments,
// the keyboard and the live region.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startBrowser, openApp, assertClean, stepCount, stepOnce, waitStep, waitData, setRate, settle, num, shot,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** Samples the step read-out every animation frame for `ms`; returns the distinct values. */
async function sampleSteps(page, ms) {
  return page.evaluate(async (duration) => {
    const seen = new Set();
    const t0 = performance.now();
    while (performance.now() - t0 < duration) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      seen.add(document.getElementById('step-count').textContent);
    }
    return [...seen];
  }, ms);
}

async function pauseAndSettle(page) {
  const pause = page.getByRole('button', { name: 'Pause' });
  if (await pause.count()) await pause.click();
  await page.getByRole('button', { name: 'Play' }).waitFor();
  await settle(page);
}

test('Play at the default pace walks visibly down the loss on every example', async () => {
  const { page, problems } = await openApp(browser);
  const examples = await page.getByLabel('Example', { exact: true }).locator('option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(examples.length >= 4);
  for (const id of examples) {
    await page.getByLabel('Example', { exact: true }).selectOption(id);
    await page.waitForFunction(() => document.getElementById('step-count').textContent === '0');
    await settle(page);
    assert.equal(await page.getByLabel('Speed').inputValue(), '10');
    await page.getByRole('button', { name: 'Play' }).click();
    const seen = await sampleSteps(page, 2000);
    // 10 steps per second: about 20 distinct counts in 2 s, each drawn.
    assert.ok(seen.length >= 14, `${id}: ${seen.length} distinct step counts in 2 s (${seen.join(' ')})`);
    assert.ok(seen.length <= 26, `${id}: not faster than the pace: ${seen.length}`);
    await pauseAndSettle(page);
  }
  assertClean(problems);
  await page.close();
});

test('convergence pauses Play once; Play on a converged run keeps going until Pause', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Speed').selectOption('fast');
  await page.getByRole('button', { name: 'Play' }).click();
  const status = page.locator('#status-message').filter({ hasText: 'Converged at step' });
  await status.waitFor({ timeout: 10000 });
  assert.match(await status.textContent(), /gradient norm .* below the tolerance/);
  await page.getByRole('button', { name: 'Play' }).waitFor();
  assert.equal(await page.locator('#status').textContent(), 'converged');
  await settle(page);
  const converged = await stepCount(page);
  // Play again: it keeps playing (no second auto-pause) and says why nothing moves.
  await page.getByLabel('Speed').selectOption('10');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('#status-message').filter({ hasText: 'gradient is about zero' }).waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await page.locator('#play').textContent(), 'Pause', 'still playing after 1 s');
  const later = await stepCount(page);
  assert.ok(later >= converged + 5, `the step count grows: ${converged} → ${later}`);
  await pauseAndSettle(page);
  assertClean(problems);
  await page.close();
});

test('any positive α typed is used, also outside the slider’s range', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('house-prices');
  await waitData(page, 'House size');
  await page.getByRole('checkbox', { name: 'Standardize' }).uncheck();
  await page.locator('#update-units').filter({ hasText: 'own units' }).waitFor();
  const scalars = page.locator('#update-scalars');
  const note = page.locator('#lr-note');

  // 5e-8 on the raw house prices (typed out in full): used and shown.
  await setRate(page, '0.00000005');
  await scalars.filter({ hasText: '5e−8' }).waitFor();
  await stepOnce(page);
  assert.match(await page.locator('#race-table tbody').textContent(), /α = 5e−8/);
  assert.equal(await page.getByLabel('Learning rate value').inputValue(), '5e-8', 'the box writes it as the read-outs do');

  // 100: far above the slider; the slider sits at its right end and a note says so.
  await setRate(page, 100);
  await scalars.filter({ hasText: /α\s*100/ }).waitFor();
  await note.filter({ hasText: 'above the slider' }).waitFor();
  assert.equal(await page.getByLabel('Learning rate', { exact: true }).inputValue(), '1000');
  assert.equal(await page.getByLabel('Learning rate value').inputValue(), '100');

  // 1e-12: below it; the slider at its left end.
  await setRate(page, '1e-12');
  await note.filter({ hasText: 'below the slider' }).waitFor();
  assert.equal(await page.getByLabel('Learning rate', { exact: true }).inputValue(), '0');
  await scalars.filter({ hasText: '1e−12' }).waitFor();
  await stepOnce(page);

  // 0 and −1 are refused beside the slider (not in the far-off data card),
  // and α stays as it was.
  for (const bad of ['0', '-1']) {
    await page.getByLabel('Learning rate value').fill(bad);
    await page.getByLabel('Learning rate value').press('Enter');
    await note.filter({ hasText: 'was not used' }).waitFor();
    assert.match(await note.textContent(), /positive, finite number.*α stays 1e-12/);
    assert.equal(await page.getByLabel('Learning rate value').inputValue(), '1e-12');
    assert.equal(await page.locator('#error').textContent(), '');
  }

  // Back inside the range: the note goes.
  await setRate(page, '0.00001');
  await page.waitForFunction(() => document.getElementById('lr-note').hidden);
  assertClean(problems);
  await page.close();
});

test('the gradient check agrees on raw house prices, at step 0 and after convergence', { timeout: 120000 }, async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('house-prices');
  await waitData(page, 'House size');
  await page.getByRole('checkbox', { name: 'Standardize' }).uncheck();
  await page.locator('#update-units').filter({ hasText: 'own units' }).waitFor();
  const panel = page.locator('#gradcheck');
  await panel.locator('summary').click();
  const summary = page.locator('#gradcheck-summary');
  await summary.filter({ hasText: 'At step 0' }).waitFor();
  assert.match(await summary.textContent(), /all 2 partial derivatives agree/);
  const verdicts = await page.locator('#gradcheck-table tbody td:nth-child(2)').allTextContents();
  assert.deepEqual(verdicts, ['✓ agrees', '✓ agrees']);
  // The rule is explained in words.
  assert.match(await panel.textContent(), /central difference .* truncation error .* round-off/);

  // Converge on the raw data with momentum just below its best rate for this curvature.
  await page.locator('#curvature > summary').click();
  await page.locator('#momentum-text').filter({ hasText: 'α* = ' }).waitFor();
  const text = await page.locator('#momentum-text').textContent();
  const alpha = num(/α\* = ([^ ]+) and/.exec(text)[1]);
  const mu = num(/μ\* = ([^:]+):/.exec(text)[1]);
  await page.getByLabel('Update rule').selectOption('momentum');
  await page.getByLabel('Momentum μ').fill(String(mu));
  await page.getByLabel('Momentum μ').press('Enter');
  await setRate(page, String(Number((0.9 * alpha).toPrecision(4))));
  await page.getByLabel('Speed').selectOption('fast');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('#status-message').filter({ hasText: 'Converged at step' }).waitFor({ timeout: 60000 });
  await settle(page);
  const step = await stepCount(page);
  await summary.filter({ hasText: `At step ${step}` }).waitFor();
  assert.match(await summary.textContent(), /all 2 partial derivatives agree/);
  await shot(panel, '21-gradient-check');
  assertClean(problems);
  await page.close();
});

test('Adam: the update written out shows m, v, m̂ and v̂', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Update rule').selectOption('adam');
  await page.waitForFunction(() => document.getElementById('lr-value').value === '0.001');
  // Adam's own hyperparameters are offered; μ is not.
  assert.equal(await page.getByLabel('β₁ (first moment)').isVisible(), true);
  assert.equal(await page.getByLabel('Momentum μ').isVisible(), false);
  await stepOnce(page);
  await stepOnce(page);
  const head = await page.locator('#update-table thead th').allTextContents();
  for (const column of ['m', 'v', 'm̂', 'v̂']) assert.ok(head.includes(column), `column ${column} in ${head.join(', ')}`);
  assert.match(await page.locator('#update-equations').textContent(), /m̂ = m\/\(1 − β₁ᵗ\)/);
  const scalars = await page.locator('#update-scalars').textContent();
  assert.match(scalars, /β₁ᵗ/);
  assert.match(await page.locator('#update-units').textContent(), /standardized units/);
  // A hyperparameter takes effect on the next step, without a reset.
  await page.getByLabel('β₁ (first moment)').fill('0.5');
  await page.getByLabel('β₁ (first moment)').press('Enter');
  await page.locator('#update-scalars').filter({ hasText: /β₁\s*0\.5/ }).waitFor();
  assert.equal(await stepCount(page), 2);
  // An invalid one is refused in one line and the old value stays.
  await page.getByLabel('β₁ (first moment)').fill('7');
  await page.getByLabel('β₁ (first moment)').press('Enter');
  await page.getByRole('alert').filter({ hasText: 'β₁' }).waitFor();
  assert.equal(await page.getByLabel('β₁ (first moment)').inputValue(), '0.5');
  await shot(page.locator('section.update'), '22-update-adam');
  assertClean(problems);
  await page.close();
});

test('keys: → steps, Space plays and pauses (a focused button does not also click), R resets', async () => {
  const { page, problems } = await openApp(browser);
  // The skip link is the first Tab stop and lands on the controls.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the training controls');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement.id === 'controls');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step');

  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  await waitStep(page, 1);
  await page.keyboard.press('ArrowRight');
  await waitStep(page, 2);
  await page.locator('#announcer').filter({ hasText: 'Step 2, loss' }).waitFor();

  // Space with the Reset button focused plays (and does not reset).
  await page.getByRole('button', { name: 'Reset' }).focus();
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: 'Pause' }).waitFor();
  await page.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 6);
  // Space with a checkbox focused pauses (and does not toggle it).
  const log = page.getByRole('checkbox', { name: 'Log scale' });
  await log.focus();
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: 'Play' }).waitFor();
  assert.equal(await log.isChecked(), false, 'Space did not toggle the checkbox');
  await page.locator('#announcer').filter({ hasText: 'Paused at step' }).waitFor();
  await settle(page);
  const stopped = await stepCount(page);
  await page.waitForTimeout(300);
  assert.equal(await stepCount(page), stopped, 'paused');

  // Typing in a field is not a shortcut.
  await page.getByLabel('Learning rate value').focus();
  await page.keyboard.press('r');
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(200);
  assert.equal(await stepCount(page), stopped);

  // R resets, whatever else has the focus.
  await page.getByRole('button', { name: 'Step ×10', exact: true }).focus();
  await page.keyboard.press('r');
  await waitStep(page, 0);
  // The hint says exactly this.
  assert.match(await page.locator('#shortcuts').textContent(), /Space.*play or pause.*→.*one step.*R.*reset/);

  assertClean(problems);
  await page.close();
});

test('the live region speaks at most every 2 s while playing, never the same line twice', async () => {
  const { page, problems } = await openApp(browser);
  await page.evaluate(() => {
    window.__said = [];
    new MutationObserver(() => window.__said.push({ at: performance.now(), text: document.getElementById('announcer').textContent }))
      .observe(document.getElementById('announcer'), { childList: true, characterData: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(3000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForTimeout(300);
  const said = await page.evaluate(() => window.__said);
  const steps = said.filter((s) => /^Step \d+, loss/.test(s.text));
  assert.ok(steps.length >= 1 && steps.length <= 3, `step lines in 3 s: ${steps.map((s) => s.text).join(' | ')}`);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i].at - steps[i - 1].at >= 1900, `at most every 2 s: ${JSON.stringify(said)}`);
  for (let i = 1; i < said.length; i++) assert.notEqual(said[i].text, said[i - 1].text, 'never the same line twice in a row');
  assert.match(said[said.length - 1].text, /Paused at step/);
  assertClean(problems);
  await page.close();
});
