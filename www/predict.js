// The prediction panel: one input per feature, answered in words with the
// current model ("13 hours → 70% chance of pass").

import { $, el } from './dom.js';
import { fmt } from './format.js';

const YES = /^(1|1\.0|true|yes|y|t|pos|positive)$/i;

export function createPredict(app) {
  const ui = {
    form: $('predict-form'),
    inputs: $('predict-inputs'),
    result: $('prediction'),
  };
  let key = '';

  /** Builds the inputs for the features of `s`, prefilled with the first complete row. */
  function summary(s) {
    const features = s.dataset.features;
    const newKey = `${s.source}|${features.join('\u0001')}`;
    if (newKey === key) {
      update();
      return;
    }
    key = newKey;
    const names = s.columns.map((c) => c.name);
    const row = s.preview.find((r) => features.every((f) => Number.isFinite(num(r[names.indexOf(f)])))) || [];
    ui.inputs.replaceChildren(...features.map((f, i) => {
      const id = `predict-${i}`;
      const cell = row[names.indexOf(f)];
      const value = Number.isFinite(num(cell)) ? String(cell).trim() : '0';
      return el('div', { class: 'field' },
        el('label', { for: id, text: f }),
        el('input', { type: 'number', id, step: 'any', value, inputmode: 'decimal', 'data-feature': f }));
    }));
    update();
  }

  function values() {
    return [...ui.inputs.querySelectorAll('input')].map((input) => ({
      name: input.dataset.feature,
      text: input.value.trim(),
      value: num(input.value),
    }));
  }

  /** Recomputes the answer with the current model. */
  function update() {
    const s = app.summary;
    if (!s || !app.session) return;
    const given = values();
    if (!given.length) {
      ui.result.textContent = '';
      return;
    }
    const bad = given.find((g) => !Number.isFinite(g.value));
    if (bad) {
      ui.result.textContent = `Enter a number for ${bad.name}.`;
      return;
    }
    let y;
    try {
      y = app.session.predict(Float64Array.from(given.map((g) => g.value)));
    } catch (e) {
      ui.result.textContent = app.errorText(e);
      return;
    }
    const inputs = describeInputs(given);
    if (!Number.isFinite(y)) {
      ui.result.textContent = `${inputs} → no answer: the model has diverged. Lower the learning rate and reset.`;
      return;
    }
    const classes = s.dataset.classes;
    if (classes) {
      ui.result.textContent = `${inputs} → ${chance(y)} chance of ${positiveName(s.dataset.target, classes)}`;
    } else {
      ui.result.textContent = `${inputs} → predicted ${s.dataset.target} ≈ ${fmt(y, 4)}`;
    }
  }

  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    update();
  });
  ui.inputs.addEventListener('input', update);

  return { summary, update };
}

function num(cell) {
  if (cell === undefined || cell === null) return NaN;
  const t = String(cell).trim();
  return t === '' ? NaN : Number(t);
}

/** "13 hours" for one feature, "x1 = 3, x2 = 5" for a few, the first three and a count for many. */
function describeInputs(given) {
  if (given.length === 1) {
    const g = given[0];
    return `${g.text} ${g.name}`;
  }
  const parts = given.map((g) => `${g.name} = ${g.text}`);
  if (parts.length <= 4) return parts.join(', ');
  return `${parts.slice(0, 3).join(', ')}, … (${parts.length} values)`;
}

function chance(p) {
  const v = p * 100;
  if (v > 0 && v < 1) return `${v.toFixed(1)}%`;
  if (v > 99 && v < 100) return `${v.toFixed(1)}%`;
  return `${Math.round(v)}%`;
}

/** "pass" for target pass with classes 0/1; "spam" for classes ham/spam. */
function positiveName(target, classes) {
  const positive = String(classes[1]);
  if (YES.test(positive)) return target;
  return Number.isFinite(Number(positive)) ? `${target} = ${positive}` : positive;
}
