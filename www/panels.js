// The panels that explain a step: the read-outs, notes about the problem,
// the update written out, the parameters, the gradient check, the
// curvature panel, the α-sweep, the prediction and the table alternatives
// of the charts. Every number is a string Rust wrote, or format_number.

import * as S from './state.js';
import { $, el, setText, fillRows, fillHead, count } from './dom.js';

const NOTE_TITLES = {
  no_finite_optimum: 'No finite optimum',
  ill_conditioned: 'A long, narrow valley',
  collinear: 'Collinear features',
  categorical_target: 'The target looks categorical',
};

/** The gradient check refreshes at most this often while playing (ms). */
const GRADCHECK_PLAYING_MS = 1000;
/** The model table refreshes at most this often while playing (ms). */
const ROWS_PLAYING_MS = 500;
/** Rows in the model view's table. */
const TABLE_ROWS = 50;

export function createPanels(app) {
  const ui = {
    epochBox: $('epoch-box'),
    epoch: $('epoch'),
    metrics: [$('metric-1'), $('metric-2'), $('metric-3')],
    distance: $('distance'),
    lstar: $('lstar'),
    optimumProgress: $('optimum-progress'),
    optimumNote: $('optimum-note'),
    notes: $('diagnostics'),
    updateUnits: $('update-units'),
    equations: $('update-equations'),
    scalars: $('update-scalars'),
    updateTable: $('update-table'),
    updateCaption: $('update-caption'),
    lossFormula: $('loss-formula'),
    conditioning: $('conditioning'),
    params: $('params'),
    gradcheck: $('gradcheck'),
    gradRun: $('gradcheck-run'),
    gradNote: $('gradcheck-note'),
    gradTable: $('gradcheck-table'),
    gradSummary: $('gradcheck-summary'),
    curvature: $('curvature'),
    curvatureFacts: $('curvature-facts'),
    predicted: $('predicted-rate'),
    momentumBox: $('momentum-box'),
    momentumText: $('momentum-text'),
    raceMomentum: $('race-momentum'),
    eigenTableBox: $('eigen-table-box'),
    eigenTable: $('eigen-table'),
    sweepRun: $('sweep-run'),
    sweepProgress: $('sweep-progress'),
    sweepStatus: $('sweep-status'),
    predictForm: $('predict-form'),
    predictInputs: $('predict-inputs'),
    prediction: $('prediction'),
    lossTableBox: $('loss-table-box'),
    lossTable: $('loss-table'),
    modelTableBox: $('model-table-box'),
    modelTable: $('model-table'),
    modelTableNote: $('model-table-note'),
    landscapeTableBox: $('landscape-table-box'),
    landscapeTable: $('landscape-table'),
  };

  // ---------------------------------------------------------------- read-outs

  function renderStats(r) {
    const run = r.runs[r.active];
    ui.epochBox.hidden = !run.epoch;
    setText(ui.epoch, run.epoch);
    ui.metrics.forEach((box, i) => {
      const m = r.detail.metrics[i];
      setText(box.querySelector('dt'), m ? m[0] : '');
      setText(box.querySelector('dd'), m ? m[1] : '');
    });
    const o = r.optimum;
    if (!o.ready) {
      setText(ui.distance, 'computing…');
      setText(ui.lstar, 'computing…');
      ui.optimumProgress.hidden = false;
      setText(ui.optimumProgress, `Computing the exact optimum… ${app.fmt(o.progress * 100, 3)}% done. Training goes on meanwhile.`);
      setText(ui.optimumNote, 'The optimum column fills in once the exact optimum is known.');
    } else {
      ui.optimumProgress.hidden = true;
      setText(ui.distance, o.found ? r.detail.distance : 'none');
      // The card is narrow: "0 (up to round-off: 5.8e−30)" shows as 0, in full on hover and in the note below.
      const exactFit = o.found && o.loss.startsWith('0 (');
      setText(ui.lstar, o.found ? (exactFit ? '0' : o.loss) : 'none');
      ui.lstar.title = exactFit ? o.loss : '';
      setText(ui.optimumNote, o.found
        ? `Optimum: the exact minimizer (least squares, or Newton's method for the logistic loss), with loss L* = ${o.loss}.`
        : `No finite optimum: ${o.reason || 'the loss keeps falling as the weights grow'}.`);
    }
  }

  // ---------------------------------------------------------------- notes

  function renderNotes(s) {
    const items = s.diagnostics.map((d) => {
      const actions = [];
      if (d.kind === 'no_finite_optimum' && !(app.data.l2 > 0)) {
        actions.push(button(`Use an L2 penalty λ = ${app.fmt(S.SUGGESTED_L2, 3)}`, () => app.setData({ l2: S.SUGGESTED_L2 })));
      }
      if (d.kind === 'ill_conditioned' && !app.data.standardize) {
        actions.push(button('Turn on Standardize', () => app.setData({ standardize: true }, { resetActiveRate: true })));
      }
      if (d.kind === 'categorical_target') {
        const col = s.columns.find((c) => c.name === s.settings.target);
        if (col && col.two_valued && s.model !== 'logistic') actions.push(button('Use logistic regression', () => app.setData({ model: 'logistic' })));
      }
      return el('div', { class: 'note', 'data-kind': d.kind },
        el('span', { class: 'note-icon', 'aria-hidden': 'true', text: '!' }),
        el('div', {},
          el('h3', { text: NOTE_TITLES[d.kind] || 'Note' }),
          el('p', { text: d.message }),
          actions.length ? el('div', { class: 'note-actions' }, actions) : null));
    });
    const extra = app.linkNote ? [el('div', { class: 'note info', 'data-kind': 'shared-link' },
      el('span', { class: 'note-icon', 'aria-hidden': 'true', text: 'i' }),
      el('div', {}, el('h3', { text: app.linkNote.title }), el('p', { text: app.linkNote.message })))] : [];
    ui.notes.replaceChildren(...extra, ...items);
    ui.notes.hidden = extra.length + items.length === 0;
  }
  app.renderNotes = () => app.summary ? renderNotes(app.summary) : null;

  function button(text, onClick) {
    const b = el('button', { type: 'button', class: 'small', text });
    b.addEventListener('click', onClick);
    return b;
  }

  // ---------------------------------------------------------------- the update

  function renderUpdate(r) {
    const u = r.detail.update;
    setText(ui.updateUnits, u.units === 'standardized units'
      ? 'In standardized units: the numbers the optimizer actually updates (the Parameters table shows them in the data’s own units).'
      : 'In the data’s own units (Standardize is off).');
    const eqKey = JSON.stringify(u.equations);
    if (ui.equations.dataset.key !== eqKey) {
      ui.equations.dataset.key = eqKey;
      ui.equations.replaceChildren(...u.equations.map((e) => el('li', { text: e })));
    }
    const scKey = JSON.stringify(u.scalars);
    if (ui.scalars.dataset.key !== scKey) {
      ui.scalars.dataset.key = scKey;
      ui.scalars.replaceChildren(...u.scalars.flatMap(([n, v]) => [el('dt', { text: n }), el('dd', { class: 'num', text: v })]));
    }
    // More than θ, g, step and θ next do not fit half a row: take a whole one.
    ui.updateTable.closest('.card').classList.toggle('wide', u.columns.length > 4);
    fillHead(ui.updateTable.tHead, ['Parameter', ...u.columns]);
    fillRows(ui.updateTable.tBodies[0], u.rows);
    setText(ui.updateCaption, `The next update, one row per parameter, in ${u.units}`);
  }

  function renderParams(r) {
    fillRows(ui.params.tBodies[0], r.detail.parameters.map((p) => [p.name, p.value, p.gradient, p.optimum || '—']));
  }

  // ---------------------------------------------------------------- gradient check

  let gradStep = -1;
  let gradAt = 0;
  let gradBusy = false;
  const gradAuto = () => app.cells <= S.GRADCHECK_AUTO_CELLS;

  async function runGradientCheck() {
    if (gradBusy || !app.readout) return;
    gradBusy = true;
    const step = app.readout.runs[app.readout.active].step;
    try {
      const g = await app.act('gradcheck', {}, { quiet: true });
      gradStep = step;
      gradAt = performance.now();
      renderGradientCheck(g, step);
    } catch (e) {
      setText(ui.gradSummary, `The check could not run: ${app.errorText(e)}`);
    } finally {
      gradBusy = false;
    }
  }

  function renderGradientCheck(g, step) {
    const names = app.summary.parameter_names;
    fillRows(ui.gradTable.tBodies[0], g.rows.map((row) => [
      names[row.index] ?? `θ${row.index}`,
      // The verdict first: the card is narrow, and the numbers scroll.
      { text: row.agrees ? '✓ agrees' : '✗ disagrees', className: row.agrees ? 'good' : 'bad' },
      app.fmt(row.analytic, 8),
      app.fmt(row.numerical, 8),
      app.fmt(row.step, 3),
      app.fmt(row.difference, 3),
      app.fmt(row.tolerance, 3),
    ]));
    const bad = g.rows.filter((row) => !row.agrees).length;
    setText(ui.gradSummary, g.all_agree
      ? `At step ${step}: all ${g.rows.length} partial derivatives agree with their central differences (loss ${app.fmt(g.loss, 6)}, ‖g‖ = ${app.fmt(g.gradient_norm, 4)}).`
      : `At step ${step}: ${bad} of ${g.rows.length} partial derivatives disagree with their central differences (loss ${app.fmt(g.loss, 6)}, ‖g‖ = ${app.fmt(g.gradient_norm, 4)}).`);
    setText(ui.gradNote, gradAuto() ? '' : `On this data (${count(app.cells)} numbers) the check takes a moment, so it runs when you ask.`);
  }

  function maybeGradientCheck(r) {
    if (!ui.gradcheck.open) return;
    ui.gradRun.hidden = gradAuto();
    if (!gradAuto()) {
      setText(ui.gradNote, `On this data (${count(app.cells)} numbers) the check takes a moment, so it runs when you ask.`);
      return;
    }
    const step = r.runs[r.active].step;
    if (step === gradStep && !app.gradStale) return;
    if (app.playing && performance.now() - gradAt < GRADCHECK_PLAYING_MS) return;
    app.gradStale = false;
    runGradientCheck();
  }
  ui.gradcheck.addEventListener('toggle', () => {
    if (ui.gradcheck.open && app.readout) {
      app.gradStale = true;
      maybeGradientCheck(app.readout);
    }
  });
  ui.gradRun.addEventListener('click', runGradientCheck);

  // ---------------------------------------------------------------- curvature

  let report = null; // WorkerSession.curvature(): eigenvalues, where, condition, predicted rate, best momentum
  let reportStep = '';
  let reportAt = 0;
  let reportBusy = false;

  async function refreshCurvature(force) {
    const r = app.readout;
    if (!r || !ui.curvature.open || reportBusy) return;
    const run = r.runs[r.active];
    const linear = app.summary && app.summary.model === 'linear';
    // Linear: the Hessian is constant, but the step factors follow the run's
    // settings. Logistic: it is taken at the current θ (a pass over the data).
    const step = `${run.id}:${linear ? '' : run.step}:${run.label}:${run.predicted_rate}`;
    if (!force && report && step === reportStep) {
      renderCurvature();
      return;
    }
    if (!force && app.playing && performance.now() - reportAt < GRADCHECK_PLAYING_MS) return;
    reportBusy = true;
    try {
      report = await app.act('curvature', {}, { quiet: true });
      reportStep = step;
      reportAt = performance.now();
    } catch (e) {
      report = null;
      setText(ui.predicted, `The curvature could not be computed: ${app.errorText(e)}`);
    } finally {
      reportBusy = false;
    }
    renderCurvature();
  }

  function renderCurvature() {
    const s = app.summary;
    const r = app.readout;
    if (!s || !r) return;
    const facts = [];
    // The logistic loss bends most at θ = 0 (where p(1 − p) = ¼ for every row): L bounds it there; the
    // eigenvalues below are those at the current θ, smaller.
    if (s.lipschitz) facts.push([s.model === 'logistic' ? 'L, the largest curvature anywhere (at θ = 0)' : 'L, the largest curvature', app.fmt(s.lipschitz, 5)]);
    if (report) {
      facts.push([`Eigenvalues λ (${s.training_units})`, report.eigenvalue_texts.join(', ')]);
      facts.push(['Taken', report.at]);
      facts.push(['Condition', report.condition]);
    } else {
      facts.push(['Conditioning', s.conditioning]);
    }
    const key = JSON.stringify(facts);
    if (ui.curvatureFacts.dataset.key !== key) {
      ui.curvatureFacts.dataset.key = key;
      ui.curvatureFacts.replaceChildren(...facts.flatMap(([t, d]) => [el('dt', { text: t }), el('dd', { text: d })]));
    }
    setText(ui.predicted, `Predicted rate for the active run: ${r.detail.predicted_rate}.`);
    const m = report ? report.momentum_optimum : s.momentum_optimum;
    ui.momentumBox.hidden = !m;
    if (m) {
      setText(ui.momentumText,
        `With condition number κ = ${app.fmt(m.condition_number, 4)}, heavy-ball momentum is fastest at α* = ${app.fmt(m.learning_rate, 4)} and μ* = ${app.fmt(m.momentum, 4)}: ` +
        `the error then shrinks by a factor ${app.fmt(m.rate, 4)} per step, against ${app.fmt(m.gd_rate, 4)} for gradient descent at its best α = ${app.fmt(m.gd_learning_rate, 4)} (Goh, “Why Momentum Really Works”).` +
        (s.model === 'logistic' ? ' For the logistic loss this holds near the current θ, where the curvature was taken.' : ''));
    }
    if (ui.eigenTableBox.open) renderEigenTable();
  }

  function renderEigenTable() {
    const r = app.readout;
    if (!report || !r) return;
    const factors = report.factor_head !== '';
    fillHead(ui.eigenTable.tHead, ['Direction', 'Eigenvalue λ', ...(factors ? [report.factor_head] : [])]);
    fillRows(ui.eigenTable.tBodies[0], report.eigenvalues.map((v, i) => [
      `direction ${i + 1}${i === report.eigenvalues.length - 1 ? (app.summary.model === 'logistic' ? ' (steepest here)' : ' (steepest: λ = L)') : i === 0 ? ' (flattest)' : ''}`,
      report.eigenvalue_texts[i],
      ...(factors ? [report.factor_texts[i]] : []),
    ]));
  }
  ui.eigenTableBox.addEventListener('toggle', () => {
    if (ui.eigenTableBox.open) renderEigenTable();
  });

  ui.raceMomentum.addEventListener('click', async () => {
    const m = (report && report.momentum_optimum) || (app.summary && app.summary.momentum_optimum);
    if (!m || !app.readout) return;
    // Both at their best α, so that the race measures what the theory compares.
    const gd = { ...S.defaults('run'), optimizer: 'gd', learning_rate: m.gd_learning_rate };
    const momentum = { ...S.defaults('run'), optimizer: 'momentum', momentum: m.momentum, learning_rate: m.learning_rate };
    const first = await app.tryAct('add-run', { settings: S.runSettings(gd) });
    if (!first) return;
    const second = await app.tryAct('add-run', { settings: S.runSettings(momentum) });
    if (!second) return;
    app.status('', `Added run ${first.index + 1}: gradient descent at its best α = ${app.fmt(m.gd_learning_rate, 4)}, and run ${second.index + 1}: momentum with α* = ${app.fmt(m.learning_rate, 4)} and μ* = ${app.fmt(m.momentum, 4)}, both from the start. Press Play to race them; the race table counts their steps against the theory's.`);
  });

  // ---------------------------------------------------------------- α-sweep

  ui.sweepRun.addEventListener('click', async () => {
    if (!app.readout) return;
    const ok = await app.tryAct('sweep', { steps: S.SWEEP_STEPS });
    if (ok) {
      ui.sweepProgress.hidden = false;
      ui.sweepRun.disabled = true;
      setText(ui.sweepStatus, `Training ${S.SWEEP_STEPS} steps at each of many learning rates in the background…`);
    }
  });
  let sweepStale = false;
  app.on('events', (events) => {
    for (const e of events) {
      if (e.kind === 'sweep' || (e.kind === 'sweep-shown' && sweepStale)) {
        sweepStale = false;
        ui.sweepProgress.hidden = true;
        ui.sweepRun.disabled = false;
        setText(ui.sweepStatus, `Done: the loss after ${S.SWEEP_STEPS} steps at each rate. Click a point to use that α.`);
        app.announce('The α-sweep is done.', { urgent: true });
      } else if (e.kind === 'sweep-stale') {
        sweepStale = true;
        setText(ui.sweepStatus, 'The active run’s optimizer, schedule, batch or start changed since the sweep: run it again for these settings.');
      }
    }
  });

  // ---------------------------------------------------------------- predict

  function renderPredict(s) {
    // One box per chosen column: a number, or a text column's words.
    ui.predictInputs.replaceChildren(...s.predict_inputs.map((input, i) => {
      const id = `predict-${i}`;
      const box = input.choices.length
        ? el('select', { id }, ...input.choices.map((c) => el('option', { value: c, text: c, selected: c === input.example })))
        : el('input', { type: 'text', id, inputmode: 'decimal', autocomplete: 'off', placeholder: input.example ? `e.g. ${input.example}` : '' });
      return el('div', { class: 'field' }, el('label', { for: id, text: input.name }), box);
    }));
    showPrediction('');
  }

  /** A column name as Rust quotes it in a message (one line, at most 40 characters). */
  function quoted(name) {
    const chars = Array.from(name, (c) => (/\p{Cc}/u.test(c) ? ' ' : c));
    return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : chars.join('');
  }

  /** The box a refusal names ('name' …), or -1: the earliest (then the longest) name in it. */
  function refusedBox(message) {
    let best = -1;
    let at = Infinity;
    let length = 0;
    app.summary.predict_inputs.forEach((input, i) => {
      const q = `'${quoted(input.name)}'`;
      const k = message.indexOf(q);
      if (k >= 0 && (k < at || (k === at && q.length > length))) [best, at, length] = [i, k, q.length];
    });
    return best;
  }

  /**
   * The panel's answer: a prediction (with a note at step 0), or an error
   * that names the offending box (marked invalid and focused). Either
   * replaces what was there, so that no stale result stays beside an error.
   */
  function showPrediction(text, { error = false, note = '', box = null } = {}) {
    for (const b of ui.predictInputs.querySelectorAll('[aria-invalid]')) {
      b.removeAttribute('aria-invalid');
      b.removeAttribute('aria-describedby');
    }
    ui.prediction.classList.toggle('error', error);
    ui.prediction.replaceChildren(...(text ? [text] : []), ...(note ? [' ', el('span', { class: 'prediction-note', text: note })] : []));
    if (box) {
      box.setAttribute('aria-invalid', 'true');
      box.setAttribute('aria-describedby', ui.prediction.id);
      box.focus({ preventScroll: true });
      reveal(box);
    }
  }

  /** Scrolls `node` into view and out from under the sticky controls bar (focus() alone may leave it there). */
  function reveal(node) {
    node.scrollIntoView({ block: 'nearest' });
    const bar = document.querySelector('.controls');
    if (!bar) return;
    const below = bar.getBoundingClientRect().bottom + 8;
    const top = node.getBoundingClientRect().top;
    if (top < below) window.scrollBy(0, top - below);
  }

  ui.predictInputs.addEventListener('input', (e) => {
    // Editing the refused box takes its mark away (the message stays until the next Predict).
    if (e.target.getAttribute('aria-invalid')) {
      e.target.removeAttribute('aria-invalid');
      e.target.removeAttribute('aria-describedby');
    }
  });

  ui.predictForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const boxes = [...ui.predictInputs.querySelectorAll('input, select')];
    const empty = boxes.findIndex((b) => b.value.trim() === '');
    if (empty >= 0) {
      showPrediction(`Type a number for ${app.summary.predict_inputs[empty].name} to predict.`, { error: true, box: boxes[empty] });
      return;
    }
    try {
      const out = await app.act('predict', { cells: boxes.map((b) => b.value) }, { quiet: true });
      const run = app.readout && app.readout.runs[app.readout.active];
      const untrained = run && run.step === 0;
      showPrediction(out.text, { note: untrained ? '(the model is untrained at step 0: press Step or Play first)' : '' });
    } catch (err) {
      const message = app.errorText(err);
      const i = refusedBox(message);
      showPrediction(message.charAt(0).toUpperCase() + message.slice(1), { error: true, box: i >= 0 ? boxes[i] : null });
    }
  });

  // ---------------------------------------------------------------- chart tables

  function renderLossTable(r) {
    fillHead(ui.lossTable.tHead, ['Run', 'Steps', 'Loss', 'Status', 'Steps to get close']);
    fillRows(ui.lossTable.tBodies[0], r.runs.map((run, i) => [
      `Run ${i + 1}: ${run.label}`,
      count(run.step),
      run.loss_text,
      run.status,
      run.reached_at === null || run.reached_at === undefined ? (r.optimum.found ? 'not yet' : '—') : count(run.reached_at),
    ]));
    const caption = ui.lossTable.caption;
    setText(caption, `Each run's loss now${r.optimum.found ? `; the lowest possible loss is L* = ${r.optimum.loss}` : ''}; “close” means ${r.race_gap}`);
  }

  let rowsAt = 0;
  let rowsStep = -1;
  async function renderModelTable(r, force) {
    const step = r.runs[r.active].step;
    if (!force && step === rowsStep) return;
    if (!force && app.playing && performance.now() - rowsAt < ROWS_PLAYING_MS) return;
    rowsAt = performance.now();
    rowsStep = step;
    const rows = await app.tryAct('rows', { from: 0, count: TABLE_ROWS }, { quiet: true });
    if (!rows) return;
    fillHead(ui.modelTable.tHead, ['Row', ...rows.columns]);
    fillRows(ui.modelTable.tBodies[0], rows.rows.map(([n, cells]) => [count(n), ...cells]));
    setText(ui.modelTableNote, rows.total > rows.rows.length
      ? `The first ${rows.rows.length} of ${count(rows.total)} rows, with the active run's prediction at step ${step}.`
      : `All ${rows.rows.length} rows, with the active run's prediction at step ${step}.`);
  }

  function renderLandscapeTable(r) {
    const s = app.summary;
    const info = app.charts && app.charts.info.landscape;
    const [a, b] = app.charts.pair();
    const u = r.detail.update;
    const col = u.columns.indexOf('θ') + 1;
    const current = (i) => (col > 0 && u.rows[i] ? u.rows[i][col] : '—');
    fillHead(ui.landscapeTable.tHead, ['Parameter', 'Axis', 'Now', 'The plot covers', 'Units']);
    fillRows(ui.landscapeTable.tBodies[0], [
      [s.parameter_names[a], 'across', current(a), info ? `${app.fmt(info.a_range[0], 4)} to ${app.fmt(info.a_range[1], 4)}` : '—', s.parameter_units[a]],
      [s.parameter_names[b], 'up', current(b), info ? `${app.fmt(info.b_range[0], 4)} to ${app.fmt(info.b_range[1], 4)}` : '—', s.parameter_units[b]],
    ]);
  }

  ui.lossTableBox.addEventListener('toggle', () => ui.lossTableBox.open && app.readout && renderLossTable(app.readout));
  ui.modelTableBox.addEventListener('toggle', () => ui.modelTableBox.open && app.readout && renderModelTable(app.readout, true));
  ui.landscapeTableBox.addEventListener('toggle', () => ui.landscapeTableBox.open && app.readout && renderLandscapeTable(app.readout));

  // ---------------------------------------------------------------- wiring

  app.on('summary', (s, { fresh } = {}) => {
    renderNotes(s);
    setText(ui.lossFormula, s.loss_formula);
    setText(ui.conditioning, `The loss surface: ${s.conditioning}.`);
    if (fresh) {
      report = null;
      renderPredict(s);
      gradStep = -1;
      rowsStep = -1;
      fillRows(ui.gradTable.tBodies[0], []);
      setText(ui.gradSummary, '');
      ui.sweepProgress.hidden = true;
      ui.sweepRun.disabled = false;
      setText(ui.sweepStatus, '');
    }
  });

  app.on('readout', (r) => {
    renderStats(r);
    renderUpdate(r);
    renderParams(r);
    maybeGradientCheck(r);
    if (ui.lossTableBox.open) renderLossTable(r);
    if (ui.modelTableBox.open) renderModelTable(r, false);
    if (ui.landscapeTableBox.open) renderLandscapeTable(r);
  });
  ui.curvature.addEventListener('toggle', () => refreshCurvature(true));
  app.on('readout', () => refreshCurvature(false));
}
