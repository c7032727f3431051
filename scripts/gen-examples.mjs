// Generates the built-in example CSVs deterministically (same bytes every run).
// Usage: node scripts/gen-examples.mjs
import { writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'www', 'examples');
mkdirSync(out, { recursive: true });

// mulberry32: a tiny seeded PRNG, so the files never change.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const write = (name, header, rows) => {
  const text = [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
  writeFileSync(join(out, name), text);
  return text;
};

// (a) classic: label first, y = x1 - x2 + x3 - x4 exactly (integer cents).
{
  const r = rng(1);
  const rows = [];
  for (let i = 0; i < 200; i++) {
    const cents = [0, 0, 0, 0].map(() => Math.floor(r() * 2001) - 1000);
    const y = cents[0] - cents[1] + cents[2] - cents[3];
    rows.push([y, ...cents].map((c) => (c / 100).toFixed(2)));
  }
  write('classic.csv', ['y', 'x1', 'x2', 'x3', 'x4'], rows);
  mkdirSync(join(root, 'tests', 'data'), { recursive: true });
  copyFileSync(join(out, 'classic.csv'), join(root, 'tests', 'data', 'classic.csv'));
}

// (b) study hours -> pass (0/1), overlapping between 12 and 15 hours.
{
  const data = [
    [2, 0], [2, 0], [4, 0], [4, 0], [6, 0], [6, 0], [8, 0], [8, 0], [10, 0], [10, 0],
    [12, 0], [12, 1], [13, 0], [13, 1], [14, 1], [14, 0], [15, 1], [15, 0],
    [16, 1], [16, 1], [18, 1], [18, 1], [20, 1], [20, 1],
  ];
  write('study-hours.csv', ['hours', 'pass'], data);
}

// (c) hours studied + hours slept -> pass/fail, noisy (not separable).
{
  const r = rng(7);
  const rows = [];
  for (let i = 0; i < 150; i++) {
    const study = Math.round(r() * 160) / 10;
    const sleep = Math.round((4 + r() * 5) * 10) / 10;
    const p = sigmoid(0.8 * (study - 8) + 1.1 * (sleep - 6.5));
    rows.push([study.toFixed(1), sleep.toFixed(1), r() < p ? 'pass' : 'fail']);
  }
  write('study-sleep.csv', ['hours_studied', 'hours_slept', 'result'], rows);
}

// (d) house size -> price with noise.
{
  const r = rng(42);
  const rows = [];
  for (let i = 0; i < 80; i++) {
    const size = Math.round(40 + r() * 180);
    const price = Math.round((25000 + 1800 * size + 30000 * normal(r)) / 100) * 100;
    rows.push([size, price]);
  }
  write('house-prices.csv', ['size_m2', 'price'], rows);
}
console.log('examples written to', out);
