// Everything that explains a step rather than takes it: the exact optimum
// as a reference (computed across frames), the learning-rate marks at 1/L
// and 2/L, the update written out, the gradient check, notes about the
// problem itself, the L2 penalty, the rows that drive the step, the
// prediction panel, the loss landscape, the chart tables, the share link,
// the keyboard shortcuts and the live region.
//
// app.js calls: summary(s) after new data or settings, redrawn() after each
// redraw, paused()/statusChanged() when Play stops, and asks modelFlags(),
// optimumOriginal() and modelLegendParts() while drawing.

import { $, el } from './dom.js';
import { fmt, fmtRate, pct } from './format.js';
import { createLandscape } from './landscape.js';
import { createTables } from './tables.js';
import { createPredict } from './predict.js';
import { createShare, decodeSettings, fromBase64Url, toBase64Url, LINK_DATA_BYTES } from './share.js';
import { installShortcuts, createAnnouncer } from './keyboard.js';

/** A panel that took t ms waits COST_FACTOR·t ms before it refreshes again during Play. */
const COST_FACTOR = 8;
/** Rows' worth of work per frame on the exact optimum, adapted to ~6 ms. */
const OPTIMUM_ROWS = 20000;
const OPTIMUM_FRAME_MS = 6;
/** At most one "Step N, loss X" announcement per this many ms while playing. */
const ANNOUNCE_MS = 2000;
const SLIDER_MIN = -5;
const SLIDER_MAX = 1;
const SUGGESTED_L2 = 0.01;
/** A panel whose refresh takes longer than this waits for a click. */
const ON_DEMAND_MS = 60;
/** Data with more numbers (rows × parameters) than this starts on request. */
const ON_DEMAND_CELLS = 1500000;

const NOTE_TITLES = {
  no_finite_optimum: 'No finite optimum',
  ill_conditioned: 'A long, narrow valley',
  collinear: 'Collinear features',
  categorical_target: 'The target looks categorical',
};

/** A share of the gradient as a percentage (huge when the pulls cancel out). */
function shareText(share) {
  if (!Number.isFinite(share)) return '–';
  const sign = share < 0 ? '−' : '';
  const v = Math.abs(share) * 100;
  return v >= 1000 ? `${sign}>999%` : `${sign}${v.toFixed(1)}%`;
}

/** A number with a real minus sign. */
function num(v, digits = 4) {
  return fmt(v, digits).replace(/-/g, '−');
}

function has(session, name) {
  return Boolean(session && typeof session[name] === 'function');
}

export function createInsight(app) {
  const ui = {
    lrRange: $('lr-range'),
    lrHint: $('lr-hint'),
    markOne: $('lr-mark-1'),
    markTwo: $('lr-mark-2'),
    distance: $('distance'),
    optimumProgress: $('optimum-progress'),
    optimumNote: $('optimum-note'),
    relative: $('relative'),
    logScale: $('log-scale'),
    lossLegendOptimum: $('loss-legend-optimum'),
    showOptimum: $('show-optimum'),
    showShare: $('show-share'),
    notes: $('diagnostics'),
    l2: $('l2'),
    gradH: $('gradcheck-h'),
    gradTable: $('gradcheck-table'),
    gradHint: $('gradcheck-hint'),
    updateUnits: $('update-units'),
    updateList: $('update-list'),
    lossFormula: $('loss-formula'),
    lossFormulaNote: $('loss-formula-note'),
    contribTable: $('contrib-table'),
    contribMissHead: $('contrib-miss-head'),
    contribNote: $('contrib-note'),
    announcer: $('announcer'),
  };
  const gradHintText = ui.gradHint.textContent;

  const throttle = (name, minInterval = 0) => {
    let next = 0;
    return {
      due: () => !app.playing || performance.now() >= next,
      /** Milliseconds the last measured call took. */
      cost: null,
      measure(fn) {
        const t0 = performance.now();
        const out = fn();
        const dt = performance.now() - t0;
        this.cost = dt;
        next = t0 + Math.max(minInterval, dt * COST_FACTOR);
        return out;
      },
    };
  };

  /**
   * A panel that follows every step but may take a pass or more over the
   * data: during Play refreshed only while on screen and throttled to its
   * cost; when paused always (screen readers read off-screen text too);
   * and only on request (a button) once a refresh costs more than
   * ON_DEMAND_MS.
   */
  const lazyPanel = ({ section, button, note, what, render }) => {
    const t = throttle(what);
    let stale = true;
    let visible = false;
    let onDemand = false;
    const showButton = () => {
      button.hidden = !onDemand;
      button.disabled = !stale;
      note.textContent = onDemand
        ? `On this data ${what} takes about ${t.cost === null ? 'a moment' : `${Math.round(t.cost)} ms`}, so it runs when you ask${stale ? '' : ' (up to date)'}.`
        : '';
    };
    const refresh = () => {
      if (!app.session || !app.summary) return;
      stale = false;
      t.measure(render);
      if (t.cost > ON_DEMAND_MS) onDemand = true;
      showButton();
    };
    const panel = {
      /** New data or settings: guess the cost from the data's size. */
      reset(cells) {
        t.cost = null;
        onDemand = cells > ON_DEMAND_CELLS;
        stale = true;
        showButton();
      },
      /** The parameters moved. */
      changed() {
        stale = true;
        if (onDemand) {
          showButton();
          return;
        }
        if (!app.playing || (visible && t.due())) refresh();
      },
      /** Play stopped: catch up. */
      settle() {
        if (stale && !onDemand) refresh();
      },
      refresh,
    };
    button.addEventListener('click', refresh);
    new IntersectionObserver((entries) => {
      visible = entries.some((e) => e.isIntersecting);
      if (visible && stale && !onDemand) refresh();
    }).observe(section);
    return panel;
  };

  const landscape = createLandscape(app, { throttle });
  const tables = createTables(app, { throttle });
  const predict = createPredict(app);
  const announcer = createAnnouncer(ui.announcer);

  let optimum = null; // optimum_info() once ready
  let optimumGen = 0;
  let optimumRows = OPTIMUM_ROWS;
  let pendingRelative = false;
  let curvature = null;
  let diagnostics = [];
  let extraNotes = []; // {kind, title, message}
  let freshData = false;
  let pendingShared = null; // settings waiting for their (too big) file
  let announcedStep = -1;
  let announcedAt = 0;
  let dataLinkCache = null;
  let restoring = false;
  let keepNotesOnce = false; // the default data loaded under a "load the shared file" note

  // ------------------------------------------------------------ exact optimum

  /** Starts (or restarts) computing the exact optimum, a slice per frame. */
  function startOptimum() {
    optimumGen += 1;
    optimum = null;
    optimumRows = OPTIMUM_ROWS;
    diagnostics = [];
    const gen = optimumGen;
    const session = app.session;
    if (!has(session, 'advance_optimum')) {
      // An engine without the incremental solver: the summary carries it.
      const o = app.summary && app.summary.optimum;
      optimum = o
        ? { ready: true, found: o.kind === 'found', loss: o.loss ?? null, weights: o.weights ?? null, bias: o.bias ?? null, reason: o.reason ?? null, distance: null }
        : null;
      optimumReady(false);
      return;
    }
    showOptimumProgress(true);
    const tick = (first) => {
      if (gen !== optimumGen || !app.summary) return;
      let done;
      const t0 = performance.now();
      try {
        done = session.advance_optimum(optimumRows);
      } catch (e) {
        showOptimumProgress(false);
        app.showError(app.errorText(e));
        return;
      }
      const dt = performance.now() - t0;
      // At most doubling per frame: the cost per row differs between phases of the solver.
      optimumRows = Math.max(5000, Math.min(5000000, Math.round(optimumRows * Math.min(2, dt > 0 ? OPTIMUM_FRAME_MS / dt : 2))));
      if (done) {
        try {
          optimum = session.optimum_info();
        } catch (e) {
          app.showError(app.errorText(e));
          optimum = null;
        }
        optimumReady(!first);
      } else {
        requestAnimationFrame(() => tick(false));
      }
    };
    tick(true);
  }

  function showOptimumProgress(on) {
    ui.optimumProgress.hidden = !on;
    if (on) {
      ui.optimumNote.textContent = 'Computing the exact optimum…';
      ui.distance.textContent = 'computing…';
      setOptimumControls(false);
    }
  }

  function found() {
    return Boolean(optimum && optimum.ready !== false && optimum.found);
  }

  function setOptimumControls(ok) {
    ui.relative.disabled = !ok;
    if (!ok) ui.relative.checked = false;
    ui.lossLegendOptimum.hidden = !ok;
    syncToggles();
  }

  /** The optimum is known: notes, toggles, and a redraw for the L* line and the ghost fit. */
  function optimumReady(redraw) {
    showOptimumProgress(false);
    const ok = found();
    setOptimumControls(ok);
    if (ok && pendingRelative) ui.relative.checked = true;
    pendingRelative = false;
    if (!optimum) {
      ui.optimumNote.textContent = '';
    } else if (ok) {
      ui.optimumNote.textContent = `Optimum: the exact minimizer, loss L* = ${num(optimum.loss, 6)}.`;
    } else {
      ui.optimumNote.textContent = `No finite optimum: ${optimum.reason || 'the loss keeps decreasing as the weights grow'}`;
    }
    scheduleDiagnostics();
    if (redraw && !app.playing) app.redraw();
    else updateDistance();
  }

  function updateDistance() {
    if (!optimum) return;
    if (!found()) {
      ui.distance.textContent = 'none';
      ui.distance.title = 'There is no finite optimum to measure the distance to.';
      return;
    }
    ui.distance.title = '';
    let info = optimum;
    if (has(app.session, 'optimum_info')) {
      try {
        info = app.session.optimum_info();
        if (info && info.ready) optimum = info;
      } catch {
        // keep the last one
      }
    }
    ui.distance.textContent = typeof info.distance === 'number' ? num(info.distance, 4) : '–';
  }

  // ------------------------------------------------------------ learning-rate marks

  function refreshCurvature() {
    curvature = null;
    if (has(app.session, 'curvature')) {
      try {
        curvature = app.session.curvature();
      } catch (e) {
        app.showError(app.errorText(e));
      }
    }
    if (!curvature && app.summary) {
      const L = app.summary.lipschitz;
      curvature = { lipschitz: L, one_over_l: 1 / L, two_over_l: 2 / L, condition_number: null, standardized: app.summary.config.standardize };
    }
    renderRateMarks();
  }

  function placeMark(button, value, text) {
    const p = (Math.log10(value) - SLIDER_MIN) / (SLIDER_MAX - SLIDER_MIN);
    const show = Number.isFinite(p) && p >= 0 && p <= 1;
    button.hidden = !show;
    if (!show) return;
    button.style.setProperty('--p', String(p));
    button.dataset.rate = String(value);
    button.title = text;
    button.setAttribute('aria-label', text);
  }

  function renderRateMarks() {
    const c = curvature;
    const s = app.summary;
    if (!c || !s || !(c.lipschitz > 0)) {
      ui.markOne.hidden = true;
      ui.markTwo.hidden = true;
      ui.lrHint.textContent = '';
      return;
    }
    const one = c.one_over_l;
    const two = c.two_over_l;
    placeMark(ui.markOne, one, `Set α to 1/L ≈ ${fmtRate(one)}: always descends`);
    placeMark(ui.markTwo, two, `Set α to 2/L ≈ ${fmtRate(two)}: above this the steps overshoot and diverge`);
    const on = c.standardized ? ' (on standardized features)' : '';
    const logistic = s.config.model === 'logistic';
    ui.lrHint.textContent =
      `L = ${fmt(c.lipschitz)} is the largest curvature of the loss${on}. ` +
      `α ≤ 1/L ≈ ${fmtRate(one)} always descends; above 2/L ≈ ${fmtRate(two)} the steps overshoot and diverge` +
      (logistic ? ' (for logistic loss L is an upper bound, so a little above can still work).' : '.');
  }

  // ------------------------------------------------------------ notes

  /** Diagnostics take passes over the data: on big data, do them when the page is idle. */
  function scheduleDiagnostics() {
    const gen = optimumGen;
    const run = () => {
      if (gen === optimumGen) refreshDiagnostics();
    };
    const cells = app.summary ? app.summary.dataset.rows * (app.summary.dataset.features.length + 1) : 0;
    if (cells < ON_DEMAND_CELLS / 10 || typeof requestIdleCallback !== 'function') run();
    else requestIdleCallback(run, { timeout: 1500 });
  }

  function refreshDiagnostics() {
    diagnostics = [];
    if (has(app.session, 'diagnostics') && app.summary) {
      try {
        diagnostics = app.session.diagnostics();
      } catch (e) {
        app.showError(app.errorText(e));
      }
    } else if (optimum && !found() && optimum.reason) {
      diagnostics = [{ kind: 'no_finite_optimum', message: `No finite optimum: ${optimum.reason}` }];
    }
    renderNotes();
  }

  function noteActions(kind) {
    const s = app.summary;
    const actions = [];
    if (kind === 'no_finite_optimum' && currentL2() === 0) {
      const b = el('button', { type: 'button', class: 'small', text: `Use an L2 penalty λ = ${SUGGESTED_L2}` });
      b.addEventListener('click', () => {
        ui.l2.value = String(SUGGESTED_L2);
        applyL2(SUGGESTED_L2);
        ui.l2.focus();
      });
      actions.push(b);
    }
    if (kind === 'ill_conditioned' && s && !s.config.standardize) {
      const b = el('button', { type: 'button', class: 'small', text: 'Turn on Standardize' });
      b.addEventListener('click', () => {
        app.ui.standardize.checked = true;
        app.reconfigure({ standardize: true });
      });
      actions.push(b);
    }
    if (kind === 'categorical_target' && s) {
      const col = s.columns.find((c) => c.name === s.config.target);
      if (col && col.distinct === 2) {
        const b = el('button', { type: 'button', class: 'small', text: 'Use logistic regression' });
        b.addEventListener('click', () => {
          app.ui.model.value = 'logistic';
          app.reconfigure({ model: 'logistic' });
        });
        actions.push(b);
      }
    }
    return actions;
  }

  function renderNotes() {
    const items = [
      ...extraNotes.map((n) => ({ ...n, info: true })),
      ...diagnostics.map((d) => ({ kind: d.kind, title: NOTE_TITLES[d.kind] || 'Note', message: d.message })),
    ];
    ui.notes.replaceChildren(...items.map((n) => {
      const actions = n.info ? [] : noteActions(n.kind);
      return el('div', { class: `note${n.info ? ' info' : ''}`, 'data-kind': n.kind },
        el('span', { class: 'note-icon', 'aria-hidden': 'true', text: n.info ? 'i' : '!' }),
        el('div', {},
          el('h3', { text: n.title }),
          el('p', { text: n.message }),
          actions.length ? el('div', { class: 'note-actions' }, actions) : null));
    }));
    ui.notes.hidden = items.length === 0;
  }

  // ------------------------------------------------------------ L2 penalty

  function currentL2() {
    if (has(app.session, 'l2')) {
      try {
        return app.session.l2();
      } catch {
        return 0;
      }
    }
    return 0;
  }

  function applyL2(lambda, { quiet = false } = {}) {
    if (!app.session || !app.summary || app.busy) return false;
    if (!Number.isFinite(lambda) || lambda < 0) {
      app.showError('The L2 penalty λ must be a number ≥ 0 (0 turns it off).');
      return false;
    }
    if (!has(app.session, 'set_l2')) return false;
    app.pause();
    try {
      app.session.set_l2(lambda);
    } catch (e) {
      app.showError(app.errorText(e));
      ui.l2.value = String(currentL2());
      return false;
    }
    app.clearError();
    refreshCurvature();
    startOptimum();
    if (!quiet) app.restarted();
    return true;
  }

  // ------------------------------------------------------------ the update, written out

  function renderUpdate(u) {
    if (!u) return;
    const standardized = u.units === 'standardized';
    ui.updateUnits.textContent = standardized
      ? 'On standardized features: these are the numbers gradient descent actually updates (the Parameters table shows them in the data’s units).'
      : 'In the data’s own units.';
    const alpha = fmtRate(u.learning_rate);
    const list = ui.updateList;
    if (list.children.length !== u.terms.length) {
      list.replaceChildren(...u.terms.map(() => el('li', {},
        el('span', { class: 'param' }), ' ← ', el('span', { class: 'value' }), ' − ', el('span', { class: 'alpha' }),
        ' × ', el('span', { class: 'grad' }), ' = ', el('span', { class: 'next' }))));
    }
    u.terms.forEach((t, i) => {
      const [name, value, a, grad, next] = list.children[i].children;
      name.textContent = t.name;
      value.textContent = num(t.value, 4);
      a.textContent = alpha;
      grad.textContent = t.gradient < 0 ? `(${num(t.gradient, 3)})` : num(t.gradient, 3);
      next.textContent = num(t.next, 4);
    });
    if (ui.lossFormula.textContent !== u.loss_formula) ui.lossFormula.textContent = u.loss_formula;
    const rows = app.summary.dataset.rows.toLocaleString('en-US');
    ui.lossFormulaNote.textContent = `Σ runs over all n = ${rows} rows; each step moves every parameter against its partial derivative ∂L/∂θ, α = ${alpha}.`;
  }

  // ------------------------------------------------------------ gradient check

  function gradH() {
    const h = Number(ui.gradH.value);
    return Number.isFinite(h) && h > 0 && h <= 1 ? h : null;
  }

  function renderGradientCheck() {
    if (!has(app.session, 'gradient_check')) return;
    const h = gradH();
    if (h === null) {
      ui.gradHint.textContent = 'h must be a number between 0 and 1, e.g. 1e-5.';
      return;
    }
    let rows;
    try {
      rows = app.session.gradient_check(h);
    } catch (e) {
      app.showError(app.errorText(e));
    }
    if (!rows) return;
    ui.gradHint.textContent = `${gradHintText.replace(/\.$/, '')}, with h = ${fmt(h, 3)}. A relative error below about 1e-6 means the analytic gradient is right.`;
    const body = ui.gradTable.tBodies[0];
    if (body.rows.length !== rows.length) {
      body.replaceChildren(...rows.map(() => el('tr', {}, el('th', { scope: 'row' }), el('td'), el('td'), el('td'))));
    }
    rows.forEach((r, i) => {
      const cells = body.rows[i].cells;
      cells[0].textContent = r.parameter;
      cells[1].textContent = fmt(r.analytic, 6);
      cells[2].textContent = fmt(r.numerical, 6);
      cells[3].textContent = fmt(r.relative_error, 2);
      cells[3].className = Number.isFinite(r.relative_error) && r.relative_error < 1e-6 ? 'good' : r.relative_error < 1e-4 ? '' : 'bad';
    });
  }

  // ------------------------------------------------------------ top contributors

  function renderContributors() {
    if (!has(app.session, 'top_contributors')) return;
    let rows;
    try {
      rows = app.session.top_contributors(5);
    } catch (e) {
      app.showError(app.errorText(e));
    }
    if (!rows) return;
    const s = app.summary;
    const classes = s.dataset.classes;
    const logistic = Boolean(classes);
    ui.contribMissHead.hidden = !logistic;
    const body = ui.contribTable.tBodies[0];
    body.replaceChildren(...rows.map((r) => {
      const target = logistic ? classes[r.target >= 0.5 ? 1 : 0] : fmt(r.target, 5);
      const prediction = logistic ? `P = ${pct(r.prediction)}` : fmt(r.prediction, 5);
      const cells = [
        el('th', { scope: 'row', text: `row ${Number(r.row).toLocaleString('en-US')}` }),
        el('td', { text: shareText(r.share) }),
        el('td', { text: target }),
        el('td', { text: prediction }),
      ];
      if (logistic) {
        cells.push(r.misclassified
          ? el('td', { class: 'miss', text: '✗ yes' })
          : el('td', { text: r.misclassified === false ? 'no' : '–' }));
      }
      return el('tr', {}, cells);
    }));
    const cancelling = rows.some((r) => Math.abs(r.share) > 10);
    ui.contribNote.textContent = cancelling
      ? 'The gradient is almost zero here: the rows pull hard in opposite directions and cancel out, so each share is huge.'
      : '';
    if (!rows.length) body.replaceChildren(el('tr', {}, el('td', { colspan: logistic ? 5 : 4, text: 'The gradient is zero: no row pulls.' })));
  }

  const gradPanel = lazyPanel({
    section: $('gradcheck'),
    button: $('gradcheck-run'),
    note: $('gradcheck-cost'),
    what: 'the check',
    render: renderGradientCheck,
  });
  const contribPanel = lazyPanel({
    section: $('contrib'),
    button: $('contrib-run'),
    note: $('contrib-cost'),
    what: 'finding them',
    render: renderContributors,
  });

  // ------------------------------------------------------------ model view flags and legend

  function modelFlags() {
    return {
      ghost: ui.showOptimum.checked && found(),
      insight: ui.showShare.checked,
    };
  }

  function legendKey() {
    const f = modelFlags();
    return `${f.ghost ? 'g' : ''}${f.insight ? 's' : ''}`;
  }

  /** The view the model canvas shows (app.js records it on the legend). */
  function drawnView() {
    return app.ui.modelLegend.dataset.view || app.ui.view.value || '';
  }

  /** The optimum's ghost exists for the line, the sigmoid and a logistic boundary. */
  function ghostDrawable(view) {
    const logistic = Boolean(app.summary && app.summary.dataset.classes);
    return view === 'line' || view === 'sigmoid' || (view === 'heatmap' && logistic);
  }

  /** Greys out the overlay toggles a view cannot show. */
  function syncToggles() {
    const view = drawnView();
    const ghost = found() && ghostDrawable(view);
    ui.showOptimum.disabled = !ghost;
    ui.showOptimum.parentElement.title = ghost ? 'The optimum’s fit, drawn faintly for comparison'
      : found() ? 'This view has no line or boundary to compare with the optimum’s' : 'Available once the optimum is known (and finite)';
    const shares = view !== 'predicted-actual';
    ui.showShare.disabled = !shares;
    ui.showShare.parentElement.title = shares ? 'Dot size: each row’s share of this step’s gradient' : 'Not available in the predicted-vs-actual view';
  }

  /** Legend entries for the two overlays of the model view. */
  function modelLegendParts(view) {
    const f = modelFlags();
    const parts = [];
    const sw = (kind) => el('span', { class: `swatch ${kind}`, 'aria-hidden': 'true' });
    if (f.ghost && view === 'sigmoid') parts.push(sw('dashed reference'), 'the optimum’s sigmoid');
    if (f.ghost && view === 'heatmap' && ghostDrawable(view)) parts.push(sw('dashed reference'), 'the optimum’s boundary');
    if (f.insight && view !== 'predicted-actual') {
      parts.push(sw('dot point small'), sw('dot point big'), 'dot size: the row’s share of this step’s gradient');
      if (app.summary && app.summary.dataset.classes) parts.push(sw('dot ring'), 'ringed: misclassified');
    }
    return parts;
  }

  // ------------------------------------------------------------ share

  function dataLink() {
    if (dataLinkCache !== null) return dataLinkCache;
    dataLinkCache = '';
    if (has(app.session, 'source_csv')) {
      try {
        const text = app.session.source_csv(LINK_DATA_BYTES);
        if (typeof text === 'string' && text.length) dataLinkCache = toBase64Url(text);
      } catch {
        dataLinkCache = '';
      }
    }
    return dataLinkCache;
  }

  function collect() {
    const s = app.summary;
    if (!s || !app.session) return null;
    let rate = null;
    try {
      rate = app.session.state().learning_rate;
    } catch {
      rate = 10 ** Number(ui.lrRange.value);
    }
    const [lx, ly] = landscape.pair();
    return {
      example: app.ui.example.value || '',
      name: s.source,
      target: s.config.target,
      features: s.config.features,
      model: s.config.model,
      std: s.config.standardize,
      drop: s.config.drop_missing,
      lr: rate,
      l2: currentL2(),
      view: app.ui.view.value || '',
      sx: Number(app.ui.sliceX.value || 0),
      sy: Number(app.ui.sliceY.value || 1),
      log: ui.logScale.checked,
      rel: ui.relative.checked || pendingRelative,
      ghost: ui.showOptimum.checked,
      share: ui.showShare.checked,
      lx,
      ly,
    };
  }

  const share = createShare(app, { collect, dataLink });
  share.pngButton($('save-loss'), $('loss-canvas'), 'loss-curve');
  share.pngButton($('save-model'), $('model-canvas'), 'model-fit');
  share.pngButton($('save-landscape'), landscape.canvas, 'loss-landscape');

  /** Applies shared settings to the loaded data. */
  async function applySettings(st) {
    restoring = true;
    try {
      const config = { target: st.target, model: st.model || 'auto' };
      if (st.features.length) config.features = st.features;
      if (st.std !== undefined) config.standardize = st.std;
      if (st.drop !== undefined) config.drop_missing = st.drop;
      await app.reconfigure(config);
      if (st.l2 > 0) {
        ui.l2.value = String(st.l2);
        applyL2(st.l2, { quiet: true });
      }
      if (st.lr > 0) app.applyRate(st.lr);
      const views = [...app.ui.view.options].map((o) => o.value);
      if (st.view && views.includes(st.view)) app.ui.view.value = st.view;
      const features = app.summary ? app.summary.dataset.features.length : 0;
      if (st.sx >= 0 && st.sx < features) app.ui.sliceX.value = String(st.sx);
      if (st.sy >= 0 && st.sy < features) app.ui.sliceY.value = String(st.sy);
      app.syncSlices();
      if (st.log !== undefined) ui.logScale.checked = st.log;
      if (st.ghost !== undefined) ui.showOptimum.checked = st.ghost;
      if (st.share !== undefined) ui.showShare.checked = st.share;
      if (st.lx !== undefined && st.ly !== undefined) landscape.setPair(st.lx, st.ly);
      if (st.rel) {
        if (found()) ui.relative.checked = true;
        else pendingRelative = true;
      }
    } finally {
      restoring = false;
    }
    app.redraw();
  }

  /** Opens the view a link describes; false when the hash holds no settings. */
  async function restore(hash) {
    const st = decodeSettings(hash);
    if (!st) return false;
    extraNotes = [];
    /** The link cannot be opened as it is: say why (a note that survives loading the default data). */
    const cannot = (title, message) => {
      extraNotes = [{ kind: 'shared-link', title, message }];
      renderNotes();
      keepNotesOnce = true;
      return false;
    };
    if (st.example) {
      if (!app.examples.some((e) => e.id === st.example)) {
        return cannot('This link does not open', `It names an example that does not exist (“${st.example}”).`);
      }
      app.ui.example.value = st.example;
      await app.loadExample(st.example);
    } else if (st.csv) {
      let text;
      try {
        text = fromBase64Url(st.csv);
      } catch {
        return cannot('This link does not open', 'The data inside it is damaged (it was probably cut short when copied).');
      }
      if (!app.loadCsvText(text, st.name)) {
        return cannot('This link does not open', `The data inside it could not be read as CSV.`);
      }
    } else {
      pendingShared = st;
      return cannot('Load the shared data', `This link was made with “${st.name}”, which is too big to travel inside a link. Load that file (with “CSV file” or by dropping it here) to see the shared view.`);
    }
    await applySettings(st);
    return true;
  }

  // ------------------------------------------------------------ hooks for app.js

  /** New data (a load, not a change of settings) is about to be applied. */
  function loaded() {
    freshData = true;
  }

  /** After new data or settings: everything that depends on the problem. */
  function summary(s) {
    const fresh = freshData;
    freshData = false;
    dataLinkCache = null;
    if (fresh) {
      if (pendingShared && s.source === pendingShared.name) {
        const st = pendingShared;
        pendingShared = null;
        extraNotes = [];
        queueMicrotask(() => applySettings(st));
      } else if (keepNotesOnce) {
        keepNotesOnce = false;
      } else if (extraNotes.length && !restoring) {
        extraNotes = [];
        pendingShared = null;
      }
      ui.l2.value = String(currentL2());
    } else {
      // Settings changed on the same data: keep the penalty the person set.
      const wanted = Number(ui.l2.value);
      if (Number.isFinite(wanted) && wanted > 0 && wanted !== currentL2() && has(app.session, 'set_l2')) {
        try {
          app.session.set_l2(wanted);
        } catch (e) {
          app.showError(app.errorText(e));
        }
      }
      ui.l2.value = String(currentL2());
    }
    ui.l2.disabled = !has(app.session, 'set_l2');
    landscape.summary();
    tables.summary();
    predict.summary(s);
    refreshCurvature();
    const cells = s.dataset.rows * (s.dataset.features.length + 1);
    gradPanel.reset(cells);
    contribPanel.reset(cells);
    announcedStep = -1;
    startOptimum();
    renderNotes();
  }

  /** After every redraw (each frame while playing). */
  function redrawn() {
    const session = app.session;
    if (!session || !app.summary) return;
    let st;
    try {
      st = session.state();
    } catch {
      return;
    }
    if (optimum) updateDistance();
    syncToggles();
    let u = null;
    if (has(session, 'update_terms')) {
      try {
        u = session.update_terms();
      } catch (e) {
        app.showError(app.errorText(e));
      }
    }
    renderUpdate(u);
    landscape.record(st, u && u.terms);
    landscape.draw();
    landscape.renderTable();
    gradPanel.changed();
    contribPanel.changed();
    predict.update();
    tables.render(st);
    announceStep(st);
    share.schedule();
  }

  function announceStep(st) {
    if (st.step === announcedStep) return;
    const now = performance.now();
    if (app.playing && now - announcedAt < ANNOUNCE_MS) return;
    announcedStep = st.step;
    announcedAt = now;
    announcer.say(`Step ${st.step.toLocaleString('en-US')}, loss ${fmt(st.loss, 5)}`);
  }

  function paused() {
    if (!app.session || !app.summary) return;
    gradPanel.settle();
    contribPanel.settle();
    landscape.settle();
    try {
      const st = app.session.state();
      announcedStep = st.step;
      announcer.say(`Paused at step ${st.step.toLocaleString('en-US')}, loss ${fmt(st.loss, 5)}.`);
    } catch {
      // nothing to say
    }
  }

  function statusChanged(status) {
    if (!app.session || !app.summary) return;
    let st;
    try {
      st = app.session.state();
    } catch {
      return;
    }
    announcedStep = st.step;
    const at = `step ${st.step.toLocaleString('en-US')}`;
    if (status === 'diverged') announcer.say(`Diverged at ${at}: ${st.message || 'the loss blew up'}.`);
    else if (status === 'converged') announcer.say(`Converged at ${at}, loss ${fmt(st.loss, 5)}.`);
  }

  /** The optimum in original units for the Parameters table, once known. */
  function optimumOriginal() {
    if (!found() || !optimum.weights) return null;
    return { weights: optimum.weights, bias: optimum.bias };
  }

  // ------------------------------------------------------------ wiring

  function settingsChanged() {
    share.schedule();
  }

  ui.l2.addEventListener('change', () => {
    const v = ui.l2.value.trim() === '' ? 0 : Number(ui.l2.value);
    if (!applyL2(v)) ui.l2.value = String(currentL2());
  });
  for (const mark of [ui.markOne, ui.markTwo]) {
    mark.addEventListener('click', () => {
      const rate = Number(mark.dataset.rate);
      if (rate > 0) app.applyRate(rate);
    });
  }
  ui.showOptimum.addEventListener('change', () => app.redraw());
  ui.showShare.addEventListener('change', () => app.redraw());
  ui.gradH.addEventListener('change', () => gradPanel.refresh());
  window.addEventListener('hashchange', () => {
    const st = decodeSettings(location.hash);
    if (st && !app.busy) {
      app.pause();
      restore(location.hash);
    }
  });
  installShortcuts(document, {
    togglePlay: () => (app.playing ? app.pause() : app.play()),
    step: () => app.stepN(1),
    reset: () => app.resetTraining(),
  });

  return {
    loaded,
    summary,
    redrawn,
    paused,
    statusChanged,
    modelFlags,
    legendKey,
    modelLegendParts,
    optimumOriginal,
    restore,
    settingsChanged,
  };
}
