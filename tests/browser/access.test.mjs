// Accessibility and layout: axe-core finds no serious or critical
// violations in six states (open, after an upload, diverged, tables open,
// an error shown, a phone); the phone layout (controls and the two main
// charts first, a sticky bar, touch targets, no wrapped numbers); and
// screenshots of every panel at desktop and phone size for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ROOT, startBrowser, openApp, assertClean, axe, waitData, waitStep, upload, setRate, settle, shot, screenshot,
} from './helpers.mjs';

let desktop;
let phone;
before(async () => {
  desktop = await startBrowser({ width: 1440, height: 1000 });
  phone = await startBrowser({ width: 390, height: 844, deviceScaleFactor: 2 });
});
after(async () => {
  await desktop?.close();
  await phone?.close();
});

async function noViolations(page, state) {
  const found = await axe(page);
  assert.deepEqual(found, [], `axe-core, ${state}`);
}

async function openAll(page) {
  for (const id of ['columns-box', 'loss-table-box', 'model-table-box', 'landscape-table-box', 'schedule-table-box', 'gradcheck', 'curvature', 'eigen-table-box']) {
    await page.locator(`#${id}`).evaluate((d) => { d.open = true; });
  }
  await page.locator('#model-table tbody tr').first().waitFor();
  await page.locator('#gradcheck-table tbody tr').first().waitFor();
  await settle(page);
}

test('axe-core: no serious or critical violations when open, after an upload, diverged, with tables open, with an error', async () => {
  const { page, problems } = await openApp(desktop);
  await noViolations(page, 'open');

  await upload(page, join(ROOT, 'tests/data/stackloss.csv'));
  await waitData(page, '21 rows × 4 columns');
  await settle(page);
  await noViolations(page, 'after upload');

  await setRate(page, 5);
  await page.getByLabel('Speed').selectOption('fast');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('#status-message').filter({ hasText: 'iverged' }).waitFor({ timeout: 15000 });
  await settle(page);
  await noViolations(page, 'diverged');

  await setRate(page, 0.1);
  await page.getByRole('button', { name: 'Reset' }).click();
  await waitStep(page, 0);
  await openAll(page);
  await noViolations(page, 'tables open');

  await upload(page, { name: 'broken.csv', text: 'a,b\n1,2\n3\n' });
  await page.getByRole('alert').filter({ hasText: 'broken.csv' }).waitFor();
  await noViolations(page, 'error shown');
  assertClean(problems);
  await page.close();
});

test('phone: controls and the two main charts first, a sticky bar, touch targets, no wrapped numbers', async () => {
  const { page, problems } = await openApp(phone);
  await noViolations(page, 'phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling: ${overflow}px`);
  // Order on the page: the controls, then the loss and model charts, then the data card.
  const top = async (sel) => (await page.locator(sel).boundingBox()).y;
  const [controls, loss, model, data] = [await top('#controls'), await top('#loss-canvas'), await top('#model-canvas'), await top('section.data')];
  assert.ok(controls < loss && loss < model && model < data, `order: controls ${controls}, loss ${loss}, model ${model}, data ${data}`);
  await page.screenshot({ path: join(ROOT, 'test-artifacts', '60-phone-top.png'), caret: 'initial' });
  // The controls stay on screen while scrolling.
  await page.locator('section.data').scrollIntoViewIfNeeded();
  const bar = await page.locator('#controls').boundingBox();
  assert.ok(bar.y >= -1 && bar.y < 5, `the controls bar sticks to the top: y = ${bar.y}`);
  assert.ok(bar.height < 844 * 0.3, `the bar leaves room: ${bar.height}px`);
  await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
  await waitStep(page, 10);
  await page.screenshot({ path: join(ROOT, 'test-artifacts', '61-phone-scrolled.png'), caret: 'initial' });
  // Touch targets: checkboxes, buttons, selects and the slider's thumb are ≥ 24 px.
  const small = await page.evaluate(() => [...document.querySelectorAll('input[type=checkbox], button, select, input[type=range], input[type=number], summary')]
    .filter((e) => e.offsetParent !== null && !e.closest('[hidden]'))
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
    .map(({ e, r }) => `${e.tagName}#${e.id || e.textContent.trim().slice(0, 20)} ${Math.round(r.width)}×${Math.round(r.height)}`));
  assert.deepEqual(small, [], 'targets under 24 px');
  const thumb = await page.evaluate(() => [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
    .filter((r) => r.selectorText && r.selectorText.includes('::-webkit-slider-thumb'))
    .map((r) => [r.style.width, r.style.height]));
  assert.deepEqual(thumb, [['24px', '24px']], 'the slider thumb is 24 × 24 px');
  // Numbers never wrap inside themselves.
  const wrapped = await page.evaluate(() => [...document.querySelectorAll('.live dd, .stats dd, #race-table td, #params td')]
    .filter((e) => e.offsetParent !== null && e.textContent.trim() && getComputedStyle(e).whiteSpace !== 'nowrap')
    .map((e) => e.textContent.trim()));
  assert.deepEqual(wrapped, [], 'read-outs that may wrap');
  // Scroll regions are named and focusable.
  const regions = await page.locator('.table-scroll').evaluateAll((rs) => rs.map((r) => [r.getAttribute('tabindex'), r.getAttribute('aria-label')]));
  for (const [tabindex, name] of regions) {
    assert.equal(tabindex, '0');
    assert.ok(name && name.length > 3);
  }
  await screenshot(page, '62-phone-full');
  assertClean(problems);
  await page.close();
});

test('the Example and Model selects are not cut off at 1400 px; text has enough contrast', async () => {
  const wide = await startBrowser({ width: 1400, height: 900 });
  try {
    const { page, problems } = await openApp(wide);
    for (const label of ['Example', 'Model']) {
      const fits = await page.getByLabel(label, { exact: true }).evaluate((s) => {
        const canvas = document.createElement('canvas').getContext('2d');
        canvas.font = getComputedStyle(s).font;
        const text = s.options[s.selectedIndex].text;
        return { need: canvas.measureText(text).width + 40, have: s.clientWidth, text };
      });
      assert.ok(fits.need <= fits.have, `${label} shows “${fits.text}” in full: needs ${fits.need}px, has ${fits.have}px`);
    }
    const found = await axe(page);
    assert.deepEqual(found.filter((v) => v.startsWith('color-contrast')), []);
    assertClean(problems);
    await page.close();
  } finally {
    await wide.close();
  }
});

test('screenshots of every panel, desktop and phone', async () => {
  for (const [browser, suffix] of [[desktop, 'desktop'], [phone, 'phone']]) {
    const { page, problems } = await openApp(browser);
    await page.getByRole('button', { name: 'Step ×10', exact: true }).click();
    await waitStep(page, 10);
    await openAll(page);
    const panels = {
      controls: '#controls',
      charts: '.main-top .charts',
      readouts: 'section.readouts',
      data: 'section.data',
      settings: 'section.settings',
      optimizer: 'section.lab',
      race: 'section.race',
      landscape: 'section.landscape',
      update: 'section.update',
      gradcheck: '#gradcheck',
      curvature: '#curvature',
      sweep: 'section.sweep',
      predict: 'section.predict',
      share: 'section.share',
      preview: 'section.preview-card',
    };
    for (const [name, sel] of Object.entries(panels)) {
      const node = page.locator(sel);
      if (await node.isVisible()) await shot(node, `70-${suffix}-${name}`);
    }
    await screenshot(page, `71-${suffix}-everything`);
    assertClean(problems);
    await page.close();
  }
});
