import { startBrowser, openApp, upload, waitData, stepOnce, assertClean } from './tests/browser/helpers.mjs';
let text = 'age,sex,bmi,children,smoker,region,charges\n';
const regions = ['southwest', 'southeast', 'northwest', 'northeast'];
for (let i = 0; i < 60; i++) {
  const smoker = i % 5 === 0 ? 'yes' : 'no';
  const age = 18 + (i * 7) % 45;
  text += `${age},${i % 2 ? 'male' : 'female'},${(22 + (i * 3) % 15).toFixed(1)},${i % 4},${smoker},${regions[i % 4]},${(250 * age + (smoker === 'yes' ? 23000 : 0) + (i * 37) % 900).toFixed(2)}\n`;
}
const browser = await startBrowser({ width: 1280, height: 900 });
const { page, problems } = await openApp(browser);
await upload(page, { name: 'insurance.csv', text });
await waitData(page, '60 rows × 7 columns');
console.log(await page.locator('#features').innerText());
console.log('warnings:', await page.locator('#warnings').innerText());
console.log('excluded:', await page.locator('#excluded').innerText().catch(() => ''));
for (let i = 0; i < 30; i++) await stepOnce(page);
await page.screenshot({ path: 'test-artifacts/tmp-insurance.png', fullPage: false });
const predict = await page.locator('section.predict, #predict').first().innerText().catch((e) => String(e));
console.log('predict:', predict.slice(0, 600));
assertClean(problems);
await browser.close();
