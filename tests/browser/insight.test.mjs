// The panels that explain a step: the exact optimum as a reference, the
// learning-rate marks, the landscape (click or type a start), the update,
// the prediction in words, notes with their actions, the chart tables,
// share links (data inside, too big, broken), exports, and the engine's
// recovery after a trap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, startBrowser, openApp, assertClean, canvasHash, canvasInk, lossValue, stepOnce, stepCount, waitStep, waitData, upload, setRate, settle, num, shot, screenshot, tempDir, generatedCsv,
  copyLink, eventually,
} from './helpers.mjs';

let browser;
let tmp;
before(async () => {
  browser = await startBrowser({ width: 1440, height: 1000 });
  tmp = tempDir();
});
after(async () => {
  await browser?.close();
  tmp?.cleanup();
});

const region = (page, name) => page.getByRole('region', { name, exact: true });

async function uploadStackloss(page) {
  await upload(page, join(ROOT, 'tests/data/stackloss.csv'));
  await waitData(page, '21 rows × 4 columns');
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

test('stackloss: optimum reference, rate marks, landscape path and start, update, prediction', async () => {
  const { page, problems } = await openApp(browser);
  await uploadStackloss(page);

  // The exact optimum: distance read-out, L*, the dashed L* line, the optimum column.
  const d0 = num(await page.locator('#distance').textContent());
  assert.ok(d0 > 0, `distance to the optimum at the start: ${d0}`);
  assert.match(await page.locator('#lstar').textContent(), /^\d/);
  assert.ok((await optimumInk(page)) > 100, 'the dashed L* line is on the loss curve');
  assert.equal(await page.getByRole('checkbox', { name: 'Show L − L*' }).isEnabled(), true);
  const optimum = await page.locator('#params tbody tr td:nth-child(4)').allTextContents();
  assert.ok(optimum.every((v) => /\d/.test(v)), `optimum column: ${optimum}`);

  // Learning-rate marks: buttons at their places on the slider, from Rust's range.
  const one = page.getByRole('button', { name: /^Set α to 1\/L/ });
  const two = page.getByRole('button', { name: /^Set α to 2\/L/ });
  const [b1, b2] = [await one.boundingBox(), await two.boundingBox()];
  assert.ok(b2.x > b1.x, '2/L sits right of 1/L');
  assert.ok(b1.height >= 24 && b1.width >= 24, 'the marks are touch targets');
  const clickMark = async (mark) => {
    const before = await page.getByLabel('Learning rate value').inputValue();
    await mark.click();
    await page.waitForFunction((b) => document.getElementById('lr-value').value !== b, before);
    return Number(await page.getByLabel('Learning rate value').inputValue());
  };
  const oneOverL = await clickMark(one);
  await two.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((a) => Number(document.getElementById('lr-value').value) > a * 1.9, oneOverL);
  assert.match(await page.locator('#lr-hint').textContent(), /L = .* 1\/L = .* above 2\/L .* diverges.* round bowl .* half of 1\/L/);
  await shot(page.locator('#controls'), '24-rate-marks');
  await setRate(page, 0.1);

  // The landscape: drawn, its path growing as we step.
  const landscape = page.getByLabel('Loss landscape plot', { exact: true });
  await landscape.scrollIntoViewIfNeeded();
  await settle(page);
  assert.ok((await eventually(() => canvasInk(page, 'Loss landscape plot'), (c) => c.ink > 1000)).ink > 1000);
  const box = await landscape.boundingBox();
  assert.ok(Math.abs(box.width - box.height) < 2, `the landscape is square: ${box.width} × ${box.height}`);
  assert.match(await page.locator('#landscape-caption').textContent(), /Click the plot, or type a point below/);
  const hash0 = await canvasHash(page, 'Loss landscape plot');
  for (let i = 0; i < 3; i++) await stepOnce(page);
  await settle(page);
  assert.notEqual(await canvasHash(page, 'Loss landscape plot'), hash0, 'the path grew on the landscape');
  assert.ok(num(await page.locator('#distance').textContent()) < d0, 'steps move toward the optimum');

  // Clicking the landscape starts every run from there…
  await landscape.click({ position: { x: box.width * 0.3, y: box.height * 0.35 } });
  await waitStep(page, 0);
  const a = await page.locator('#start-a').inputValue();
  assert.ok(a !== '' && Number.isFinite(Number(a)), 'the clicked point is shown in the start boxes');
  // …and so does typing a point (the keyboard way).
  await page.locator('#start-a').fill('0.5');
  await page.locator('#start-b').fill('-0.25');
  await stepOnce(page);
  await page.getByRole('button', { name: 'Start here' }).click();
  await waitStep(page, 0);
  await page.locator('#status-message').filter({ hasText: '= 0.5' }).waitFor();
  await shot(page.locator('section.landscape'), '20-landscape');

  // The update written out, with this step's numbers and its units.
  const update = region(page, 'This step, written out');
  assert.match(await page.locator('#update-equations').textContent(), /θ ← θ − α·g/);
  assert.equal(await page.locator('#update-table tbody tr').count(), 4);
  assert.match(await update.textContent(), /standardized units/);
  assert.match(await page.locator('#loss-formula').textContent(), /Σ/);
  await shot(update, '22-update');

  // Prediction in words.
  const predict = region(page, 'Predict');
  await predict.getByLabel('AIRFLOW', { exact: true }).fill('70');
  await predict.getByLabel('WATERTEMP', { exact: true }).fill('20');
  await predict.getByLabel('ACIDCONC', { exact: true }).fill('87');
  await predict.getByRole('button', { name: 'Predict' }).click();
  await page.locator('#prediction').filter({ hasText: '→' }).waitFor();
  assert.match(await page.locator('#prediction').textContent(), /AIRFLOW = 70.*→ predicted STACKLOSS ≈ −?\d/);
  await shot(predict, '23-predict');

  // Above 2/L it diverges, and the live region says so once.
  const twoOverL = await clickMark(two);
  assert.ok(Math.abs(twoOverL / oneOverL - 2) < 1e-9, `2/L = 2 × 1/L: ${twoOverL} ${oneOverL}`);
  await setRate(page, Number((twoOverL * 1.3).toPrecision(4)));
  await page.getByRole('button', { name: 'Reset' }).click();
  await waitStep(page, 0);
  await page.getByLabel('Speed').selectOption('fast');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('#status-message').filter({ hasText: 'iverged' }).waitFor({ timeout: 15000 });
  await page.locator('#announcer').filter({ hasText: /iverged at step \d+/ }).waitFor();
  assert.doesNotMatch(await page.locator('#announcer').textContent(), /iverged at step \d+.*iverged at step/i, 'said once');
  const live = await page.evaluate(() => [...document.querySelectorAll('[aria-live], [role="status"], [role="alert"], [role="log"]')]
    .filter((n) => /iverged at step/.test(n.textContent)).map((n) => n.id));
  assert.deepEqual(live, ['announcer'], 'one live region speaks the divergence');
  await screenshot(page, '25-stackloss-insight');
  assertClean(problems);
  await page.close();
});

test('two classes answer with a chance; separable classes get a note with the L2 way out', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByLabel('Example', { exact: true }).selectOption('study-hours');
  await waitData(page, 'Study hours');
  await page.getByRole('button', { name: 'Step ×100' }).click();
  await waitStep(page, 100);
  const predict = region(page, 'Predict');
  await predict.getByLabel('hours', { exact: true }).fill('13');
  await predict.getByRole('button', { name: 'Predict' }).click();
  await page.locator('#prediction').filter({ hasText: 'chance' }).waitFor();
  assert.match(await page.locator('#prediction').textContent(), /^hours = 13 → \d+(\.\d+)?% chance of pass = /);
  // One feature: the landscape pair is fixed to (w, b).
  assert.equal(await page.locator('#landscape-pair').isHidden(), true);
  assert.match(await page.locator('#landscape-fixed').textContent(), /w₁ \(hours\) across, b up/);
  await page.getByRole('checkbox', { name: 'Show gradient share' }).check();
  await shot(page.locator('.main-top .charts'), '26-study-hours-insight');

  // Perfectly separable classes: no finite optimum, with the L2 way out.
  await page.getByText('Paste CSV text').click();
  await page.getByLabel('Pasted CSV').fill('hours,pass\n0.5,0\n1.5,0\n2.5,0\n4,1\n5,1\n6.5,1\n');
  await page.getByRole('button', { name: 'Load pasted CSV' }).click();
  await waitData(page, '6 rows × 2 columns');
  const note = page.locator('.note[data-kind="no_finite_optimum"]');
  await note.waitFor();
  assert.match(await note.textContent(), /L2/);
  assert.equal((await page.getByRole('alert').textContent()).trim(), '', 'a note, not an alert');
  assert.equal(await page.locator('#distance').textContent(), 'none');
  await shot(page.locator('#diagnostics'), '27-no-finite-optimum');
  await note.getByRole('button', { name: /L2 penalty/ }).click();
  await page.waitForFunction(() => document.getElementById('l2').value === '0.01');
  await page.locator('#optimum-note').filter({ hasText: 'L* =' }).waitFor();
  assert.equal(await note.count(), 0, 'the note goes once the optimum is finite');
  assert.match(await page.locator('#loss-formula').textContent(), /λ/);
  assertClean(problems);
  await page.close();
});

/**
 * CSV text of `numeric` generated features (some with long names) and a
 * yes/no text column, so that the Predict form has `numeric + 1` boxes.
 */
function predictCsv(numeric) {
  const names = Array.from({ length: numeric }, (_, j) => (
    j === 2 ? 'a rather long feature name that wraps' : j === 4 ? 'Nitrogen_oxide_concentration_parts_per_10M' : `x${j + 1}`));
  const lines = generatedCsv(40, numeric, { seed: 5 }).trim().split('\n').slice(1);
  return `${[...names, 'smoker', 'y'].join(',')}\n${lines.map((line, i) => {
    const cells = line.split(',');
    cells.splice(numeric, 0, i % 3 ? 'no' : 'yes');
    return cells.join(',');
  }).join('\n')}\n`;
}

/** What is wrong with the Predict form's layout: boxes outside their cells, overlaps, clipping. */
async function predictLayout(page) {
  await page.locator('section.predict').scrollIntoViewIfNeeded();
  return page.evaluate(() => {
    const bad = [];
    const form = document.getElementById('predict-form').getBoundingClientRect();
    const card = document.querySelector('section.predict');
    const fields = [...document.querySelectorAll('#predict-inputs .field')];
    const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
    const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const rects = fields.map((field) => {
      const box = field.querySelector('input, select');
      const label = field.querySelector('label');
      const r = { field: field.getBoundingClientRect(), box: box.getBoundingClientRect(), label: label.getBoundingClientRect(), name: label.textContent };
      if (label.htmlFor !== box.id) bad.push(`${r.name}: the label is not for its box`);
      if (!inside(r.box, r.field)) bad.push(`${r.name}: the box (${r.box.left}–${r.box.right}) runs out of its cell (${r.field.left}–${r.field.right})`);
      if (!inside(r.label, r.field)) bad.push(`${r.name}: the label runs out of its cell`);
      if (!inside(r.field, form)) bad.push(`${r.name}: the cell (${r.field.left}–${r.field.right}) runs out of the form (${form.left}–${form.right})`);
      if (r.box.height < 24 || r.box.width < 24) bad.push(`${r.name}: the box is ${r.box.width}×${r.box.height}`);
      // Every box shows: no ancestor up to the card clips or scrolls it.
      for (let n = box.parentElement; n && n !== card.parentElement; n = n.parentElement) {
        const style = getComputedStyle(n);
        if ((style.overflowX !== 'visible' || style.overflowY !== 'visible') && !inside(r.box, n.getBoundingClientRect())) bad.push(`${r.name}: hidden by ${n.id || n.className}`);
        if (style.overflowY === 'auto' || style.overflowY === 'scroll') bad.push(`${r.name}: inside a scroll box (${n.id || n.className})`);
      }
      return r;
    });
    rects.forEach((a, i) => rects.forEach((b, j) => {
      if (i < j && overlap(a.field, b.field)) bad.push(`${a.name} and ${b.name} overlap`);
      if (i !== j && overlap(a.box, b.field)) bad.push(`${a.name}'s box runs under ${b.name}`);
    }));
    if (document.documentElement.scrollWidth > innerWidth) bad.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${innerWidth})`);
    return { bad, boxes: fields.length };
  });
}

test('Predict: every box fits its cell and shows; a bad value is refused in the panel; step 0 says so', async () => {
  const { page, problems } = await openApp(browser);
  const predict = region(page, 'Predict');
  const result = page.locator('#prediction');
  for (const numeric of [5, 10]) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await upload(page, { name: `predict-${numeric}.csv`, text: predictCsv(numeric) });
    await waitData(page, `40 rows × ${numeric + 2} columns`);
    assert.equal(await page.locator('#predict-inputs .field').count(), numeric + 1);
    assert.equal(await predict.locator('select').count(), 1, 'the text column is a select');
    for (const [width, height] of [[1280, 900], [1440, 900], [390, 844]]) {
      await page.setViewportSize({ width, height });
      await settle(page);
      const { bad, boxes } = await predictLayout(page);
      assert.deepEqual(bad, [], `${numeric + 1} boxes at ${width} px`);
      assert.equal(boxes, numeric + 1);
      await shot(predict, `23b-predict-${numeric + 1}-${width}`);
    }
  }

  // 11 boxes at 1280: at step 0 the answer says the model is untrained.
  await page.setViewportSize({ width: 1280, height: 900 });
  const boxes = predict.locator('input');
  for (let i = 0; i < 10; i++) await boxes.nth(i).fill(String(i + 1));
  await predict.getByLabel('smoker', { exact: true }).selectOption('yes');
  await predict.getByRole('button', { name: 'Predict' }).click();
  await result.filter({ hasText: '→' }).waitFor();
  assert.match(await result.textContent(), /→ predicted y ≈ 0 \(the model is untrained at step 0: press Step or Play first\)$/);
  await stepOnce(page);
  await predict.getByRole('button', { name: 'Predict' }).click();
  await page.waitForFunction(() => !document.getElementById('prediction').textContent.includes('untrained'));
  assert.match(await result.textContent(), /^x1 = 1, x2 = 2, .*→ predicted y ≈ −?\d/);

  // A bad value: its error in the panel, the old result gone, the box marked and focused.
  const refused = async (label, value, pattern) => {
    const box = predict.getByLabel(label, { exact: true });
    await box.fill(value);
    await predict.getByRole('button', { name: 'Predict' }).click();
    await result.filter({ hasText: pattern }).waitFor();
    const text = await result.textContent();
    assert.doesNotMatch(text, /→/, 'the old result is gone');
    assert.equal(await result.getAttribute('class'), 'prediction error');
    assert.equal(await result.getAttribute('aria-live'), 'polite');
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.equal(await box.getAttribute('aria-describedby'), 'prediction');
    assert.equal(await predict.locator('[aria-invalid]').count(), 1, 'only the offending box is marked');
    assert.equal(await box.evaluate((b) => b === document.activeElement), true, 'the offending box has the focus');
    // Focused and not under the sticky bar.
    assert.equal(await box.evaluate((b) => {
      const r = b.getBoundingClientRect();
      return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === b;
    }), true, 'the offending box is in view');
    assert.equal((await page.locator('#error').textContent()).trim(), '', 'nothing in the data card\'s error box');
    return text;
  };
  assert.match(await refused('x4', '4o', /'x4' needs a number/), /^Cannot predict: 'x4' needs a number, like .* \(got '4o'\)$/);
  await predict.getByLabel('x4', { exact: true }).fill('4');
  assert.match(await refused('Nitrogen_oxide_concentration_parts_per_10M', '$40', /got '\$40'/), /^Cannot predict: 'Nitrogen_oxide_concentration_parts_per_1…' needs a number, like .* \(got '\$40'\)$/);
  await predict.getByLabel('Nitrogen_oxide_concentration_parts_per_10M', { exact: true }).fill('5');
  assert.equal(await refused('x2', '', /Type a number/), 'Type a number for x2 to predict.');
  await page.setViewportSize({ width: 390, height: 844 });
  await settle(page);
  assert.deepEqual((await predictLayout(page)).bad, [], 'an error keeps the layout');
  await shot(predict, '23c-predict-error-390');
  await predict.getByLabel('x2', { exact: true }).fill('2');
  assert.equal(await predict.locator('[aria-invalid]').count(), 0, 'editing the box takes its mark away');
  // On a phone the first box comes out from under the sticky bar too.
  assert.match(await refused('x1', 'one', /got 'one'/), /^Cannot predict: 'x1' needs a number/);
  await predict.getByLabel('x1', { exact: true }).fill('1');

  // A good value again clears the error.
  await predict.getByRole('button', { name: 'Predict' }).click();
  await result.filter({ hasText: '→' }).waitFor();
  assert.equal(await result.getAttribute('class'), 'prediction');
  assert.match(await result.textContent(), /^x1 = 1, x2 = 2, .*→ predicted y ≈ −?\d/);
  assertClean(problems);
  await page.close();
});

test('every chart has a table; tables scroll in named, focusable regions', async () => {
  const { page, problems } = await openApp(browser);
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(page, 10);
  await page.locator('#loss-table-box summary').click();
  await page.locator('#loss-table tbody').filter({ hasText: /Run 1: Gradient descent.*10/ }).waitFor();
  await page.locator('#model-table-box summary').click();
  await page.waitForFunction(() => document.querySelectorAll('#model-table tbody tr').length === 50);
  assert.match(await page.locator('#model-table thead').textContent(), /predicted y/);
  await page.locator('#model-table-note').filter({ hasText: /first 50 of 200 rows.*step 10/ }).waitFor();
  await page.locator('#landscape-table-box summary').click();
  await page.waitForFunction(() => document.querySelectorAll('#landscape-table tbody tr').length === 2);
  await page.locator('#schedule-table-box summary').click();
  await page.waitForFunction(() => document.querySelectorAll('#schedule-table tbody tr').length > 5);
  for (const name of ['Loss table (scrolls)', 'Data and predictions table (scrolls)', 'Preview of the data (scrolls)']) {
    const r = page.getByRole('region', { name });
    assert.equal(await r.getAttribute('tabindex'), '0', `${name} is focusable`);
  }
  await shot(page.locator('.main-top .charts'), '29-tables');
  assertClean(problems);
  await page.close();
});

test('share links: the data inside, non-ASCII names, a broken link, a file too big to travel', async () => {
  const { page, problems } = await openApp(browser);
  await uploadStackloss(page);
  await page.getByRole('checkbox', { name: 'Standardize' }).uncheck();
  await page.locator('#update-units').filter({ hasText: 'own units' }).waitFor();
  await page.getByLabel('View', { exact: true }).selectOption('predicted-actual');
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  for (let i = 0; i < 5; i++) await stepOnce(page);
  const myLoss = await lossValue(page);
  const link = await copyLink(page);
  assert.match(link, /target=STACKLOSS/);
  assert.match(link, /data=/, 'the small data set travels in the link');
  const read = async (p) => ({
    target: await p.getByLabel('Target').inputValue(),
    model: await p.getByLabel('Model', { exact: true }).inputValue(),
    standardize: await p.getByRole('checkbox', { name: 'Standardize' }).isChecked(),
    rate: await p.getByLabel('Learning rate value').inputValue(),
    view: await p.getByLabel('View', { exact: true }).inputValue(),
    log: await p.getByRole('checkbox', { name: 'Log scale' }).isChecked(),
    features: await p.locator('#features input:checked').count(),
    step: await stepCount(p),
  });
  const mine = await read(page);
  const other = await openApp(browser, link);
  await waitData(other.page, '21 rows × 4 columns');
  await waitStep(other.page, 5);
  await settle(other.page);
  assert.deepEqual(await read(other.page), mine);
  assert.equal(await lossValue(other.page), myLoss, 'the same loss after the same steps');
  await screenshot(other.page, '28-shared-link');
  assertClean(other.problems);
  await other.page.close();

  // Pasted data with non-ASCII names travels too (base64url of UTF-8).
  const pasted = await openApp(browser);
  await pasted.page.getByText('Paste CSV text').click();
  await pasted.page.getByLabel('Pasted CSV').fill('température,émissions\n1.5,2.1\n2.25,3.9\n3.5,6.2\n4.75,7.8\n');
  await pasted.page.getByRole('button', { name: 'Load pasted CSV' }).click();
  await waitData(pasted.page, '4 rows × 2 columns');
  const pastedLink = await copyLink(pasted.page);
  const reopened = await openApp(browser, pastedLink);
  await waitData(reopened.page, '4 rows × 2 columns');
  assert.equal(await reopened.page.getByLabel('Target').inputValue(), 'émissions');
  assert.equal(await reopened.page.locator('#features input:checked').getAttribute('value'), 'température');
  assertClean(reopened.problems);
  await reopened.page.close();
  await pasted.page.close();

  // A broken link explains itself with a note and opens the default example.
  const broken = await openApp(browser, `${browser.url}#ex=no-such-example`);
  await broken.page.locator('.note').filter({ hasText: 'This link does not open' }).waitFor();
  assert.equal(await broken.page.getByLabel('Example', { exact: true }).inputValue(), 'classic');
  assert.equal((await broken.page.getByRole('alert').textContent()).trim(), '');
  assertClean(broken.problems);
  await broken.page.close();

  // A file too big for the link: the link names it, and loading it applies the race.
  const big = tmp.write('big-enough.csv', generatedCsv(400, 3, { seed: 3 }));
  const first = await openApp(browser);
  await upload(first.page, big);
  await waitData(first.page, '400 rows × 4 columns');
  await first.page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(first.page, 10);
  await settle(first.page);
  const bigLoss = await lossValue(first.page);
  await first.page.locator('#share-hint').filter({ hasText: /not in the link.*big-enough\.csv/ }).waitFor();
  const bigLink = await copyLink(first.page);
  assert.match(bigLink, /file=big-enough\.csv/, bigLink);
  assert.doesNotMatch(bigLink, /data=/);
  const second = await openApp(browser, bigLink);
  await second.page.locator('.note').filter({ hasText: 'Load the shared data' }).waitFor();
  await upload(second.page, big);
  await waitStep(second.page, 10);
  await settle(second.page);
  assert.equal(await lossValue(second.page), bigLoss, 'the same race after loading the file');
  assertClean(second.problems);
  await second.page.close();
  await first.page.close();

  // Exports: files made in the browser, no request.
  const saved = async (name) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path()) };
  };
  const model = await saved('Export model (JSON)');
  assert.match(model.name, /\.json$/);
  assert.equal(JSON.parse(model.text.toString('utf8')).target, 'STACKLOSS');
  const history = await saved('Export loss history (CSV)');
  assert.match(history.name, /\.csv$/);
  assert.ok(history.text.toString('utf8').trim().split('\n').length >= 6, 'one line per step and a header');
  for (const chart of ['the loss curve', 'the model view', 'the loss landscape']) {
    const png = await saved(`Save PNG of ${chart}`);
    assert.match(png.name, /\.png$/);
    assert.equal(png.text.subarray(1, 4).toString('latin1'), 'PNG');
  }
  assertClean(problems);
  await page.close();
});

test('after a trap in the engine the worker restarts with the last good data and says so', async () => {
  const { page, problems } = await openApp(browser);
  await uploadStackloss(page);
  await page.getByLabel('Update rule').selectOption('momentum');
  await page.locator('#race-table').filter({ hasText: 'Momentum' }).waitFor();
  await stepOnce(page);
  const error = await page.evaluate(() => window.__app.client.request('simulate-trap').then(() => 'no error', (e) => e.message));
  assert.match(error, /restarted/);
  await page.locator('#status-message').filter({ hasText: 'restarted with your last good data' }).waitFor();
  await waitData(page, '21 rows × 4 columns');
  await waitStep(page, 0);
  assert.match(await page.locator('#race-table').textContent(), /Momentum/, 'the settings came back too');
  await stepOnce(page);
  assert.equal(await stepCount(page), 1);
  assertClean(problems);
  await page.close();
});
