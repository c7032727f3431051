// Real-world files: a German Excel export, thousands/percent/currency
// cells, missing values (drop and mean), why columns are left out, and the
// page's default choices against the command line's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  ROOT, startBrowser, openApp, assertClean, lossValue, stepOnce, waitData, upload, tempDir, shot, settle,
} from './helpers.mjs';

let browser;
let tmp;
before(async () => {
  browser = await startBrowser();
  tmp = tempDir();
});
after(async () => {
  await browser?.close();
  tmp?.cleanup();
});

/** Opens the model view's table and returns its rows as text cells. */
async function modelTable(page) {
  const box = page.locator('#model-table-box');
  if (!(await box.evaluate((d) => d.open))) await box.locator('summary').click();
  await page.locator('#model-table tbody tr').first().waitFor();
  const head = await page.locator('#model-table thead th').allTextContents();
  const rows = await page.locator('#model-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  return { head, rows };
}

test('a German Excel export: BOM, CRLF, semicolons, decimal commas, thousands dots', async () => {
  const lines = [
    'Datum;Menge;Preis;Rabatt;Umsatz',
    '15.01.2024;7,88;3,5;0,5;1.234,5',
    '16.01.2024;3;12,25;1,25;2.468,75',
    '17.01.2024;0,5;99;-0,75;1.001,25',
    '18.01.2024;12,5;7,1;2;3.310,4',
    '19.01.2024;4,25;15,5;0;2.209,8',
    '20.01.2024;9;4,75;1,5;2.950,1',
  ];
  const path = tmp.write('umsatz.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]));
  const { page, problems } = await openApp(browser);
  await upload(page, path);
  await waitData(page, '6 rows × 5 columns');
  const details = await page.locator('#data-details').textContent();
  assert.match(details, /delimiter “;”/);
  assert.match(details, /UTF-8 with a byte order mark/);
  assert.equal(await page.getByLabel('Target').inputValue(), 'Umsatz');
  // How each column was read.
  await page.getByText('How each column was read').click();
  const read = await page.locator('#columns-table tbody').textContent();
  assert.match(read, /Menge\s*numeric · decimal comma/);
  assert.match(read, /Umsatz\s*numeric · decimal comma · thousands separators/);
  assert.match(read, /Datum\s*date/);
  // The date column is not a feature, and says why.
  const datum = page.locator('#features label', { hasText: 'Datum' });
  assert.equal(await datum.locator('input').isDisabled(), true);
  assert.match(await datum.getAttribute('title'), /dates/);
  assert.match(await page.locator('#excluded').textContent(), /Datum.*dates/);
  // Decimal commas and thousands dots are numbers: 7,88 → 7.88 and 1.234,5 → 1234.5.
  const { head, rows } = await modelTable(page);
  assert.deepEqual(head.slice(1, 4), ['Menge', 'Preis', 'Rabatt']);
  assert.deepEqual(rows[0].slice(1, 5), ['7.88', '3.5', '0.5', '1234.5']);
  assert.equal(rows[1][4], '2468.75');
  const before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before, 'it trains');
  await shot(page.locator('section.data'), '40-german-data');
  assertClean(problems);
  await page.close();
});

test('thousands separators, percents and currency cells are numbers', async () => {
  const text = [
    'region,revenue,growth,price',
    'North,"1,201,095",11.8%,"$1,746.70"',
    'South,"2,034",-3%,"$5.00"',
    'East,"987",0.5%,"($12.30)"',
    'West,"45,310",7.25%,"$310.15"',
    'Centre,"310,400",2%,"$88.80"',
  ].join('\n');
  const { page, problems } = await openApp(browser);
  await upload(page, { name: 'money.csv', text });
  await waitData(page, '5 rows × 4 columns');
  assert.equal(await page.getByLabel('Target').inputValue(), 'price');
  assert.match(await page.locator('#excluded').textContent(), /region.*text/);
  const { rows } = await modelTable(page);
  assert.equal(rows[0][1], '1.2011e6', '"1,201,095" is 1201095');
  assert.equal(rows[0][3], '1746.7', '"$1,746.70" is 1746.7');
  assert.equal(rows[2][3], '−12.3', '"($12.30)" is −12.3');
  assert.ok(Number(rows[0][2].replace('−', '-')) > 0, `"11.8%" is a number: ${rows[0][2]}`);
  const before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before, 'it trains');
  assertClean(problems);
  await page.close();
});

test('missing values: stop with an error, then drop those rows, then fill with the mean', async () => {
  let text = 'size,rooms,price\n';
  for (let i = 0; i < 30; i++) {
    const size = 40 + ((i * 37) % 90) + 0.5;
    const rooms = i === 11 ? '' : String(1 + (i % 4));
    text += `${size},${rooms},${(size * 2.1 + (i % 5) * 3).toFixed(1)}\n`;
  }
  const path = tmp.write('flats.csv', text);
  const { page, problems } = await openApp(browser);
  assert.equal(await page.getByLabel('Missing values').inputValue(), 'error');
  await upload(page, path);
  const alert = page.getByRole('alert');
  await alert.filter({ hasText: 'flats.csv' }).waitFor();
  assert.match(await alert.textContent(), /missing/);
  // The choice re-applies to the file that failed, at once.
  await page.getByLabel('Missing values').selectOption('drop');
  await waitData(page, '30 rows × 3 columns');
  await page.locator('#data-details').filter({ hasText: '1 row dropped' }).waitFor();
  assert.match(await page.locator('#data-details').textContent(), /29 rows used/);
  assert.equal((await alert.textContent()).trim(), '');
  let before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before, 'it trains after dropping');
  // …and to the loaded file, at once.
  await page.getByLabel('Missing values').selectOption('mean');
  await page.locator('#data-details').filter({ hasText: '1 cell filled with the column mean' }).waitFor();
  assert.doesNotMatch(await page.locator('#data-details').textContent(), /rows used/);
  assert.match(await page.locator('#warnings').textContent(), /filled 1/);
  before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before, 'it trains after filling');
  // The next file loads with the same choice.
  await upload(page, { name: 'flats2.csv', text: text.replace('price', 'cost') });
  await page.locator('#data-details').filter({ hasText: '1 cell filled' }).waitFor();
  assert.equal(await page.getByLabel('Missing values').inputValue(), 'mean');
  assertClean(problems);
  await page.close();
});

test('yes/no and male/female columns are 0/1 features; a few-valued text column can be checked one-hot', async () => {
  let text = 'age,sex,bmi,children,smoker,region,charges\n';
  const regions = ['southwest', 'southeast', 'northwest', 'northeast'];
  for (let i = 0; i < 60; i++) {
    const smoker = i % 5 === 0 ? 'yes' : 'no';
    const age = 18 + (i * 7) % 45;
    const cost = 250 * age + (smoker === 'yes' ? 23000 : 0) + (i % 4 === 1 ? 800 : 0) + (i * 37) % 300;
    text += `${age},${i % 2 ? 'male' : 'female'},${(22 + (i * 3) % 15).toFixed(1)},${i % 4},${smoker},${regions[i % 4]},${cost.toFixed(2)}\n`;
  }
  const { page, problems } = await openApp(browser);
  await upload(page, { name: 'insurance.csv', text });
  await waitData(page, '60 rows × 7 columns');
  assert.equal(await page.getByLabel('Target', { exact: true }).inputValue(), 'charges');
  const box = (name) => page.locator(`#features input[value="${name}"]`);
  for (const name of ['age', 'sex', 'bmi', 'children', 'smoker']) assert.ok(await box(name).isChecked(), `${name} is a feature`);
  assert.ok(!(await box('region').isChecked()) && (await box('region').isEnabled()), 'region can be checked');
  const warnings = await page.locator('#warnings').textContent();
  assert.match(warnings, /feature 'smoker' is read as 1 for 'yes' and 0 for 'no'/);
  assert.match(await page.locator('#excluded').textContent(), /'region' is text with 4 values: choose it as a feature to use it one-hot \(3 columns of 0\/1, 'southwest' as the reference\)/);
  await box('region').check();
  await page.locator('#params').filter({ hasText: 'region=northeast' }).waitFor();
  const before = await lossValue(page);
  await stepOnce(page);
  assert.ok((await lossValue(page)) < before, 'it trains with the one-hot columns');
  assert.ok(await box('region').isChecked());
  // Predict takes words for the text columns.
  const form = page.locator('#predict-form');
  await form.getByLabel('age', { exact: true }).fill('40');
  await form.getByLabel('sex', { exact: true }).selectOption('male');
  await form.getByLabel('bmi', { exact: true }).fill('30,5');
  await form.getByLabel('children', { exact: true }).fill('1');
  await form.getByLabel('smoker', { exact: true }).selectOption('yes');
  await form.getByLabel('region', { exact: true }).selectOption('northeast');
  await form.getByRole('button', { name: 'Predict' }).click();
  await page.locator('#prediction').filter({ hasText: '→' }).waitFor();
  assert.match(await page.locator('#prediction').textContent(), /^age = 40, sex = male, bmi = 30\.5, … \(6 values\) → predicted charges ≈ /);
  assertClean(problems);
  await page.close();
});

test('the page and the command line make the same default choices', { timeout: 600000 }, async () => {
  const files = [
    join(ROOT, 'tests/data/stackloss.csv'),
    join(ROOT, 'tests/data/spector.csv'),
    join(ROOT, 'tests/data/breast_cancer_mean10.csv'),
    join(ROOT, 'tests/data/csv/money.csv'),
    join(ROOT, 'tests/data/csv/german_excel.csv'),
  ];
  const { page, problems } = await openApp(browser);
  for (const file of files) {
    const cli = JSON.parse(execFileSync('cargo', ['run', '--release', '--quiet', '--', 'inspect', '--json', file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 }));
    await upload(page, file);
    await waitData(page, `${cli.rows.toLocaleString('en-US')} rows × ${cli.columns.length} columns`);
    await settle(page);
    const target = await page.getByLabel('Target').inputValue();
    const model = await page.getByLabel('Model', { exact: true }).inputValue();
    const features = await page.locator('#features input:checked').evaluateAll((boxes) => boxes.map((b) => b.value));
    assert.deepEqual({ target, model, features }, { target: cli.defaults.target, model: cli.defaults.model, features: cli.defaults.features }, file);
  }
  assertClean(problems);
  await page.close();
});
