// The optimizer lab: the active run's update rule and its hyperparameters,
// the mini-batches (size, seed) and the learning-rate schedule. Each change
// is a set_run of the active run: it takes effect on the next step.

import * as S from './state.js';
import { $, el, setText, setOptions, fillRows, count } from './dom.js';

/** The symbol each setting goes by in error messages. */
const SYMBOLS = {
  momentum: 'μ',
  beta1: 'β₁',
  beta2: 'β₂',
  eps: 'ε',
  decay: 'ρ',
  step_every: 'E',
  step_factor: 'F',
  exp_gamma: 'γ',
  inverse_decay: 'D',
  cosine_period: 'T',
  seed: 'the seed',
  tolerance: 'the tolerance',
};

/** "μ must be a number from 0 to 1 (default 0.9)": the range and default from state.js. */
function invalid(setting) {
  const what = SYMBOLS[setting.key] || setting.key;
  const kind = setting.type === 'int' ? 'a whole number' : 'a number';
  const range = setting.max !== undefined ? ` from ${setting.min} to ${setting.max}` : setting.min !== undefined ? ` ≥ ${setting.min}` : '';
  const empty = setting.nullable ? ', or empty for the optimizer’s own default' : '';
  const dflt = setting.default !== null ? ` (default ${setting.default})` : '';
  return `${what} must be ${kind}${range}${empty}${dflt}`;
}

export function createLab(app) {
  const ui = {
    runLabel: $('lab-run'),
    optimizer: $('optimizer'),
    hyper: $('hyper'),
    batch: $('batch-size'),
    batchHint: $('batch-hint'),
    fullBatch: $('full-batch'),
    batchInfo: $('batch-info'),
    batchStats: $('batch-stats'),
    noiseBall: $('noise-ball'),
    batchLossBox: $('batch-loss-box'),
    schedule: $('schedule'),
    scheduleParams: $('schedule-params'),
    formula: $('schedule-formula'),
    scheduleTable: $('schedule-table'),
    scheduleTableBox: $('schedule-table-box'),
  };
  let shownKey = '';

  const runKeys = S.inScope('run').filter((s) => !['learning_rate', 'batch_size'].includes(s.key));

  function show(values) {
    for (const s of runKeys) S.writeControl(s, values[s.key]);
    // Which hyperparameters each rule has comes from the engine's summary.
    const rule = app.summary && app.summary.optimizers.find((o) => o.kind === values.optimizer);
    for (const box of ui.hyper.querySelectorAll('[data-setting]')) {
      box.hidden = !(rule && rule.hyperparameters.includes(box.dataset.setting));
    }
    for (const box of ui.scheduleParams.querySelectorAll('[data-setting]')) {
      const s = S.BY_KEY[box.dataset.setting];
      box.hidden = !s.schedules.includes(values.schedule);
    }
    ui.scheduleParams.hidden = values.schedule === 'constant';
    const n = app.summary ? app.summary.rows_used : 0;
    const full = !values.batch_size || values.batch_size >= n;
    if (document.activeElement !== ui.batch) ui.batch.value = String(full ? n : values.batch_size);
    ui.batch.max = String(n);
    setText(ui.batchHint, full
      ? `Full batch: every step uses all ${count(n)} rows. A smaller batch (1 to ${count(n)}) makes each step cheaper and noisier.`
      : `Each step uses ${count(values.batch_size)} of the ${count(n)} rows, reshuffled every epoch with the seed.`);
    ui.fullBatch.disabled = full;
    ui.batchLossBox.hidden = full;
  }

  app.on('summary', (s) => {
    setOptions(ui.optimizer, s.optimizers.map((o) => ({ value: o.kind, label: o.label })), app.run.optimizer);
    shownKey = '';
  });

  app.on('readout', (r, { restore } = {}) => {
    const run = r.runs[r.active];
    const key = JSON.stringify([r.active, run.settings, app.summary && app.summary.rows_used]);
    if (key !== shownKey || restore) {
      shownKey = key;
      show(app.run);
    }
    setText(ui.runLabel, r.runs.length > 1 ? `Settings of run ${r.active + 1} of ${r.runs.length} (${run.label}), the active run.` : '');
    setText(ui.formula, app.run.schedule === 'constant' ? '' : r.detail.schedule);
    const n = app.summary ? app.summary.rows_used : 0;
    const b = app.run.batch_size > 0 && app.run.batch_size < n ? r.detail.batch : null;
    ui.batchInfo.hidden = !b;
    if (b) {
      const pairs = [
        ['Rows', count(b.rows)],
        ['Its own loss', b.loss],
        ['Angle to the full gradient', b.angle],
        ['‖batch g‖ / ‖full g‖', b.norm_ratio || '—'],
      ];
      const k = JSON.stringify(pairs);
      if (ui.batchStats.dataset.key !== k) {
        ui.batchStats.dataset.key = k;
        ui.batchStats.replaceChildren(...pairs.flatMap(([t, d]) => [el('dt', { text: t }), el('dd', { class: 'num', text: d })]));
      }
      setText(ui.noiseBall, b.noise_ball || (r.optimum.found ? '' : 'Once the exact optimum is known, this says how far the mini-batch noise keeps the steps from it.'));
    }
    if (ui.scheduleTableBox.open) renderScheduleTable(r);
  });

  function renderScheduleTable(r) {
    const curve = r.detail.schedule_curve;
    const every = Math.max(1, Math.ceil(curve.length / 24));
    const rows = curve.filter((_, i) => i % every === 0 || i === curve.length - 1).map(([k, rate]) => [{ text: String(k), th: true }, app.fmt(rate, 4)]);
    fillRows(ui.scheduleTable.tBodies[0], rows);
  }
  ui.scheduleTableBox.addEventListener('toggle', () => {
    if (ui.scheduleTableBox.open && app.readout) renderScheduleTable(app.readout);
  });

  // ---------------------------------------------------------------- changes

  function changed(setting) {
    const v = S.readControl(setting);
    if (v === undefined) {
      app.showError(`Invalid value: ${invalid(setting)}.`);
      S.writeControl(setting, app.run[setting.key], { force: true });
      return;
    }
    const changes = { [setting.key]: v };
    // A new rule: its own default α (the scales differ by orders of magnitude).
    if (setting.key === 'optimizer') changes.learning_rate = null;
    app.setRun(changes);
  }

  for (const s of runKeys) {
    const node = document.getElementById(s.control);
    if (node) node.addEventListener('change', () => changed(s));
  }
  ui.batch.addEventListener('change', () => {
    const n = app.summary ? app.summary.rows_used : 0;
    const v = Number(ui.batch.value);
    if (!Number.isInteger(v) || v < 1) {
      app.showError(`Invalid value: the batch size must be a whole number from 1 to ${count(n)}.`);
      show(app.run);
      return;
    }
    app.setRun({ batch_size: v >= n ? 0 : v });
  });
  ui.fullBatch.addEventListener('click', () => app.setRun({ batch_size: 0 }));
}
