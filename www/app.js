// gradstep page: wires the controls to the wasm Session. JavaScript owns the
// animation loop; every redraw is done in Rust (plotters on the canvases).

import init, { Session } from './pkg/gradstep.js';
import { $, el, clear, setOptions, nextFrame } from './dom.js';
import { fmt, fmtRate, pct } from './format.js';
import { loadFile, prepare } from './loader.js';
import { createInsight } from './insight.js';

const FRAME_BUDGET_MS = 8;
const VIEW_LABELS = {
  line: 'Fitted line',
  sigmoid: 'Sigmoid',
  heatmap: 'Heatmap',
  'predicted-actual': 'Predicted vs actual',
};

const ui = {
  example: $('example'),
  exampleDescription: $('example-description'),
  file: $('file'),
  pasteText: $('paste-text'),
  pasteLoad: $('paste-load'),
  progressBox: $('load-progress-box'),
  progress: $('load-progress'),
  progressText: $('load-progress-text'),
  error: $('error'),
  dataInfo: $('data-info'),
  warnings: $('warnings'),
  dropMissing: $('drop-missing'),
  target: $('target'),
  features: $('features'),
  model: $('model'),
  standardize: $('standardize'),
  preview: $('preview'),
  step: $('step'),
  step10: $('step10'),
  step100: $('step100'),
  play: $('play'),
  reset: $('reset'),
  stepsPerFrame: $('steps-per-frame'),
  lrRange: $('lr-range'),
  lrValue: $('lr-value'),
  lrHint: $('lr-hint'),
  statusMessage: $('status-message'),
  stepCount: $('step-count'),
  loss: $('loss'),
  status: $('status'),
  metrics: [$('metric-1'), $('metric-2'), $('metric-3')],
  logScale: $('log-scale'),
  relative: $('relative'),
  lossCanvas: $('loss-canvas'),
  view: $('view'),
  viewLabel: $('view-label'),
  slices: $('slices'),
  sliceX: $('slice-x'),
  sliceY: $('slice-y'),
  modelCanvas: $('model-canvas'),
  modelLegend: $('model-legend'),
  params: $('params').tBodies[0],
  optimumNote: $('optimum-note'),
  dropOverlay: $('drop-overlay'),
};

let session = null;
let summary = null;
let playing = false;
let busy = false;
let chunk = 1; // steps per run() call in auto mode, adapted to the data size
let lastMetrics = null;
let metricsAt = 0;

// ---------------------------------------------------------------- errors

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function errorText(e) {
  return e instanceof Error ? e.message : String(e);
}

/** Runs an engine call; on failure shows the error and returns undefined. */
function attempt(fn) {
  try {
    return fn();
  } catch (e) {
    showError(errorText(e));
    return undefined;
  }
}

// ---------------------------------------------------------------- data

function applySummary(s) {
  summary = s;
  const cols = s.columns;
  ui.dataInfo.replaceChildren(
    el('strong', { text: `${s.rows.toLocaleString('en-US')} rows × ${cols.length} columns` }),
    ` · ${s.source} · delimiter “${s.delimiter}”${s.has_header ? '' : ' · no header row'}`,
    s.dataset.rows !== s.rows ? ` · ${s.dataset.rows.toLocaleString('en-US')} used` : '',
  );
  clear(ui.warnings);
  for (const w of s.dataset.warnings) ui.warnings.append(el('li', { text: w }));
  ui.warnings.hidden = s.dataset.warnings.length === 0;
  ui.dropMissing.checked = s.config.drop_missing;

  setOptions(
    ui.target,
    cols.map((c) => ({ value: c.name, label: c.kind === 'text' ? `${c.name} (text)` : c.name })),
    s.config.target,
  );
  clear(ui.features);
  for (const c of cols) {
    if (c.name === s.config.target) continue;
    const box = el('input', {
      type: 'checkbox',
      value: c.name,
      checked: s.config.features.includes(c.name),
      disabled: c.kind === 'text',
    });
    box.addEventListener('change', () => reconfigure({}));
    ui.features.append(
      el('label', { class: 'check' }, box, c.name, c.kind === 'text' ? el('span', { class: 'kind', text: ' (text)' }) : null),
    );
  }
  ui.model.value = s.config.model;
  ui.standardize.checked = s.config.standardize;
  renderPreview(s);

  const views = s.views;
  setOptions(ui.view, views.map((v) => ({ value: v, label: VIEW_LABELS[v] || v })), ui.view.value);
  if (!views.includes(ui.view.value)) ui.view.value = views[0];
  const showViewSelect = views.length > 1;
  ui.view.hidden = !showViewSelect;
  ui.viewLabel.hidden = !showViewSelect;
  const features = s.dataset.features;
  const featureOptions = features.map((f, i) => ({ value: String(i), label: f }));
  setOptions(ui.sliceX, featureOptions, 0);
  setOptions(ui.sliceY, featureOptions, 1);

  setRateControls(s.suggested_learning_rate);
  hideStatusMessage();
  syncSlices();
  // The optimum (computed across frames), the 1/L and 2/L marks and the
  // insight panels: insight.js.
  insight.summary(s);
  redraw();
}

function renderPreview(s) {
  const head = el('thead', {}, el('tr', {}, s.columns.map((c) =>
    el('th', { scope: 'col', class: c.name === s.config.target ? 'target' : null, text: c.name }))));
  const body = el('tbody', {}, s.preview.map((row) => el('tr', {}, row.map((cell) => el('td', { text: cell })))));
  ui.preview.replaceChildren(
    el('caption', { class: 'visually-hidden', text: `First ${s.preview.length} rows` }),
    head,
    body,
  );
}

function currentConfig(overrides) {
  const features = [...ui.features.querySelectorAll('input[type=checkbox]')]
    .filter((b) => b.checked)
    .map((b) => b.value);
  return {
    target: ui.target.value,
    features,
    model: ui.model.value,
    standardize: ui.standardize.checked,
    drop_missing: ui.dropMissing.checked,
    ...overrides,
  };
}

/** Tables with more rows than this are prepared in slices across frames. */
const SLICED_CONFIGURE_ROWS = 50000;

/**
 * Applies the current choices; on error restores the controls and keeps the
 * old model. On big data the model is prepared across animation frames
 * (progress bar, controls disabled): the returned promise settles then.
 */
function reconfigure(overrides) {
  if (!session || !summary || busy) return undefined;
  pause();
  if (summary.rows > SLICED_CONFIGURE_ROWS) return reconfigureSliced(overrides);
  try {
    const s = session.configure(currentConfig(overrides));
    clearError();
    applySummary(s);
  } catch (e) {
    showError(errorText(e));
    applySummary(summary);
    // applySummary hides status; keep the error visible.
  }
}

async function reconfigureSliced(overrides) {
  busy = true;
  setBusy(true);
  setConfigBusy(true);
  ui.progress.value = 0;
  ui.progressText.textContent = 'Preparing…';
  ui.progressBox.hidden = false;
  try {
    session.begin_configure(currentConfig(overrides));
    const s = await prepare(session, (fraction) => {
      ui.progress.value = fraction;
      ui.progressText.textContent = `Preparing… ${Math.floor(fraction * 100)}%`;
    });
    clearError();
    applySummary(s);
  } catch (e) {
    showError(errorText(e));
    applySummary(summary);
  } finally {
    ui.progressBox.hidden = true;
    busy = false;
    setBusy(false);
    setConfigBusy(false);
  }
}

function afterLoad(s) {
  insight.loaded();
  clearError();
  lastMetrics = null;
  ui.view.value = '';
  applySummary(s);
}

async function loadExample(id) {
  pause();
  const s = attempt(() => session.load_example(id));
  if (s) {
    afterLoad(s);
    describeExample(id);
  }
}

function describeExample(id) {
  const example = EXAMPLES.find((e) => e.id === id);
  ui.exampleDescription.textContent = example ? example.description : '';
}

async function loadUserFile(file) {
  if (!file || busy) return;
  pause();
  busy = true;
  setBusy(true);
  setConfigBusy(true);
  ui.progressBox.hidden = false;
  try {
    const s = await loadFile(session, file, (fraction, text) => {
      ui.progress.value = fraction;
      ui.progressText.textContent = text;
    });
    afterLoad(s);
    ui.example.value = '';
    ui.exampleDescription.textContent = '';
  } catch (e) {
    showError(`Could not load ${file.name}: ${errorText(e)}`);
  } finally {
    ui.progressBox.hidden = true;
    busy = false;
    setBusy(false);
    setConfigBusy(false);
    ui.file.value = '';
  }
}

function loadPasted() {
  const text = ui.pasteText.value;
  if (!text.trim()) {
    showError('The paste box is empty: paste CSV text first.');
    return;
  }
  pause();
  const s = attempt(() => session.load_csv(text, 'pasted data'));
  if (s) {
    afterLoad(s);
    ui.example.value = '';
    ui.exampleDescription.textContent = '';
  }
}

function setBusy(on) {
  for (const b of [ui.step, ui.step10, ui.step100, ui.play, ui.reset, ui.pasteLoad]) b.disabled = on;
}

/** Disables the data and model choices while a file loads or a model is prepared. */
function setConfigBusy(on) {
  for (const c of [ui.example, ui.file, ui.dropMissing, ui.target, ui.model, ui.standardize]) c.disabled = on;
  // The fieldset keeps the text columns' boxes disabled when re-enabled.
  ui.features.closest('fieldset').disabled = on;
}

// ---------------------------------------------------------------- learning rate

function clampRate(rate) {
  const min = summary ? summary.min_learning_rate : 1e-5;
  const max = summary ? summary.max_learning_rate : 10;
  return Math.min(max, Math.max(min, rate));
}

function setRateControls(rate) {
  ui.lrRange.value = String(Math.log10(rate));
  ui.lrRange.setAttribute('aria-valuetext', fmtRate(rate));
  ui.lrValue.value = fmtRate(rate);
}

function applyRate(rate, from) {
  if (!Number.isFinite(rate) || rate <= 0) {
    showError('The learning rate must be a positive number.');
    return;
  }
  rate = clampRate(rate);
  try {
    session.set_learning_rate(rate);
  } catch (e) {
    showError(errorText(e));
    return;
  }
  if (from !== 'range') ui.lrRange.value = String(Math.log10(rate));
  ui.lrRange.setAttribute('aria-valuetext', fmtRate(rate));
  if (from !== 'value') ui.lrValue.value = fmtRate(rate);
  clearError();
  updateReadouts();
}

// ---------------------------------------------------------------- drawing

/** Canvases narrower or lower than this (CSS px) are not drawn: no room for a plot. */
const MIN_CANVAS_CSS = 64;

function sizeCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  // A transient layout (e.g. a 1 px wide window) would only draw a broken plot.
  if (canvas.clientWidth < MIN_CANVAS_CSS || canvas.clientHeight < MIN_CANVAS_CSS) return 0;
  const w = Math.round(canvas.clientWidth * dpr);
  const h = Math.round(canvas.clientHeight * dpr);
  if (w > 0 && h > 0 && (canvas.width !== w || canvas.height !== h)) {
    canvas.width = w;
    canvas.height = h;
  }
  return w > 0 && h > 0 ? dpr : 0;
}

function slices() {
  return [Number(ui.sliceX.value || 0), Number(ui.sliceY.value || 1)];
}

function syncSlices() {
  const n = summary ? summary.dataset.features.length : 0;
  ui.slices.hidden = !(ui.view.value === 'heatmap' && n > 2);
  if (ui.sliceX.value === ui.sliceY.value && n > 1) {
    ui.sliceY.value = String((Number(ui.sliceX.value) + 1) % n);
  }
}

function redraw() {
  if (!session || !summary) return;
  try {
    let dpr = sizeCanvas(ui.lossCanvas);
    if (dpr) session.draw_loss(ui.lossCanvas, dpr, ui.logScale.checked, ui.relative.checked);
    dpr = sizeCanvas(ui.modelCanvas);
    if (dpr) {
      const [sx, sy] = slices();
      const { ghost, insight: shares } = insight.modelFlags();
      const drawn = session.draw_model(ui.modelCanvas, dpr, ui.view.value || '', sx, sy, ghost, shares);
      if (ui.modelLegend.dataset.view !== drawn || ui.modelLegend.dataset.source !== summaryKey()) {
        renderModelLegend(drawn);
      }
    }
  } catch (e) {
    showError(errorText(e));
  }
  updateReadouts();
  insight.redrawn();
}

function summaryKey() {
  return `${summary.source}|${summary.config.target}|${summary.config.features.join(',')}|${summary.config.model}|${insight.legendKey()}`;
}

function swatch(kind) {
  return el('span', { class: `swatch ${kind}`, 'aria-hidden': 'true' });
}

function renderModelLegend(view) {
  const s = summary;
  const classes = s.dataset.classes;
  const target = s.dataset.target;
  const parts = [];
  if (view === 'line') {
    parts.push(swatch('dot point'), 'data', swatch('line fit'), 'current model');
    if (insight.modelFlags().ghost) parts.push(swatch('dashed reference'), 'optimum');
  } else if (view === 'sigmoid') {
    parts.push(swatch('dot negative'), `${target} = ${classes[0]}`, swatch('dot positive'), `${target} = ${classes[1]}`,
      swatch('line primary'), `P(${target} = ${classes[1]})`, swatch('dashed threshold'), '0.5 threshold');
  } else if (view === 'heatmap') {
    const others = s.dataset.features.length > 2 ? '; the other features are held at their means' : '';
    if (classes) {
      parts.push(swatch('gradient'), `P(${target} = ${classes[1]}) from 0 (blue) to 1 (red)`, swatch('line boundary'),
        `decision boundary (P = 0.5)${others}`);
    } else {
      parts.push(swatch('gradient'), `predicted ${target}, low (blue) to high (red); dots are the data${others}`);
    }
  } else if (view === 'predicted-actual') {
    parts.push(swatch('dot point'), 'one dot per row', swatch('dashed reference'), 'perfect prediction (y = x)');
  }
  parts.push(...insight.modelLegendParts(view));
  if (s.dataset.rows > 2000) parts.push(`(showing 2,000 of ${s.dataset.rows.toLocaleString('en-US')} rows)`);
  ui.modelLegend.replaceChildren(...parts);
  ui.modelLegend.dataset.view = view;
  ui.modelLegend.dataset.source = summaryKey();
}

// ---------------------------------------------------------------- readouts

function updateReadouts() {
  if (!session || !summary) return null;
  let st;
  try {
    st = session.state();
  } catch (e) {
    showError(errorText(e));
    return null;
  }
  ui.stepCount.textContent = st.step.toLocaleString('en-US');
  ui.loss.textContent = fmt(st.loss, 6);
  ui.status.textContent = st.status;
  ui.status.className = `badge ${st.status}`;

  // Metrics take a pass over every row: on big data, refresh them at most
  // twice a second while playing.
  const now = performance.now();
  const stale = !playing || summary.dataset.rows <= 100000 || now - metricsAt > 500;
  if (stale || !lastMetrics) {
    try {
      lastMetrics = session.metrics();
      metricsAt = now;
    } catch (e) {
      showError(errorText(e));
      return null;
    }
  }
  const m = lastMetrics;
  const entries = m.kind === 'linear'
    ? [['MSE', fmt(m.mse)], ['RMSE', fmt(m.rmse)], ['R²', fmt(m.r2)]]
    : [['Log-loss', fmt(m.log_loss)], ['Accuracy', pct(m.accuracy)]];
  ui.metrics.forEach((box, i) => {
    const entry = entries[i];
    box.hidden = !entry;
    if (entry) {
      box.querySelector('dt').textContent = entry[0];
      box.querySelector('dd').textContent = entry[1];
    }
  });

  const names = summary.dataset.features;
  const opt = insight.optimumOriginal();
  const rows = names.map((name, i) => [`w · ${name}`, st.weights[i], st.gradient_weights[i], opt ? opt.weights[i] : undefined]);
  rows.push(['b (bias)', st.bias, st.gradient_bias, opt ? opt.bias : undefined]);
  const body = ui.params;
  if (body.rows.length !== rows.length) {
    clear(body);
    for (const _ of rows) body.append(el('tr', {}, el('th', { scope: 'row' }), el('td'), el('td'), el('td')));
  }
  rows.forEach((r, i) => {
    const cells = body.rows[i].cells;
    cells[0].textContent = r[0];
    cells[1].textContent = fmt(r[1], 5);
    cells[2].textContent = fmt(r[2], 3);
    cells[3].textContent = r[3] === undefined ? '–' : fmt(r[3], 5);
  });
  return st;
}

function showStatusMessage(kind, text) {
  ui.statusMessage.className = `notice ${kind}`;
  ui.statusMessage.textContent = text;
  ui.statusMessage.hidden = false;
}

function hideStatusMessage() {
  ui.statusMessage.hidden = true;
  ui.statusMessage.textContent = '';
}

/** Reacts to the status after steps: divergence pauses and explains. */
function handleStatus(status) {
  if (status === 'diverged' || status === 'converged') {
    const st = session.state();
    pause();
    const text = st.message || status;
    if (status === 'diverged') showStatusMessage('warning', `${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
    else showStatusMessage('success', `Converged: ${text}.`);
    insight.statusChanged(status);
  } else {
    hideStatusMessage();
  }
}

// ---------------------------------------------------------------- stepping

function stepN(n) {
  if (!session || !summary || busy) return;
  const status = attempt(() => (n === 1 ? session.step() : session.run(n)));
  if (status === undefined) return;
  redraw();
  handleStatus(status);
}

function play() {
  if (playing || busy || !session || !summary) return;
  playing = true;
  ui.play.textContent = 'Pause';
  ui.play.setAttribute('aria-pressed', 'true');
  hideStatusMessage();
  requestAnimationFrame(frame);
}

function pause() {
  if (!playing) return;
  playing = false;
  ui.play.textContent = 'Play';
  ui.play.setAttribute('aria-pressed', 'false');
  updateReadouts();
  insight.paused();
}

function frame() {
  if (!playing) return;
  const wanted = ui.stepsPerFrame.value === 'auto' ? Infinity : Number(ui.stepsPerFrame.value);
  const start = performance.now();
  let done = 0;
  let status = 'running';
  try {
    // Whatever is asked, stop after the time budget so the page never freezes.
    while (done < wanted && status === 'running') {
      const n = Math.max(1, Math.min(chunk, wanted - done));
      const t0 = performance.now();
      status = session.run(n);
      const dt = performance.now() - t0;
      done += n;
      // Aim for ~2 ms per call.
      chunk = Math.max(1, Math.min(100000, Math.round(n * (dt > 0 ? 2 / dt : 4))));
      if (performance.now() - start >= FRAME_BUDGET_MS) break;
    }
  } catch (e) {
    showError(errorText(e));
    pause();
    return;
  }
  redraw();
  if (status !== 'running') handleStatus(status);
  if (playing) requestAnimationFrame(frame);
}

function resetTraining() {
  if (!session || !summary || busy) return;
  pause();
  try {
    session.reset();
  } catch (e) {
    showError(errorText(e));
    return;
  }
  hideStatusMessage();
  redraw();
}

// ---------------------------------------------------------------- wiring

let EXAMPLES = [];

/** Pasted or linked CSV text: loads it as "Your own data"; false on error (shown). */
function loadCsvText(text, name) {
  pause();
  const s = attempt(() => session.load_csv(text, name));
  if (!s) return false;
  afterLoad(s);
  ui.example.value = '';
  ui.exampleDescription.textContent = '';
  return true;
}

/** What insight.js (and the modules it drives) may use of this page. */
const app = {
  get session() { return session; },
  get summary() { return summary; },
  get playing() { return playing; },
  /** A file loads or a model is being prepared: no engine changes meanwhile. */
  get busy() { return busy; },
  get examples() { return EXAMPLES; },
  ui,
  errorText,
  showError,
  clearError,
  redraw,
  syncSlices,
  reconfigure,
  loadExample,
  loadCsvText,
  afterLoad,
  applyRate,
  stepN,
  play,
  pause,
  resetTraining,
  /** The trainer went back to a (new) start: clear the status and redraw. */
  restarted() {
    hideStatusMessage();
    redraw();
  },
  settingsChanged() {
    insight.settingsChanged();
  },
};
const insight = createInsight(app);

function wire() {
  ui.example.addEventListener('change', () => {
    if (ui.example.value) loadExample(ui.example.value);
  });
  ui.file.addEventListener('change', () => loadUserFile(ui.file.files && ui.file.files[0]));
  ui.pasteLoad.addEventListener('click', loadPasted);
  ui.dropMissing.addEventListener('change', () => reconfigure({}));
  ui.target.addEventListener('change', () => {
    // A new target: all other numeric columns as features, model picked by the data.
    reconfigure({ features: undefined, model: 'auto' });
  });
  ui.model.addEventListener('change', () => reconfigure({}));
  ui.standardize.addEventListener('change', () => reconfigure({}));

  ui.step.addEventListener('click', () => stepN(1));
  ui.step10.addEventListener('click', () => stepN(10));
  ui.step100.addEventListener('click', () => stepN(100));
  ui.play.addEventListener('click', () => (playing ? pause() : play()));
  ui.reset.addEventListener('click', resetTraining);
  ui.stepsPerFrame.addEventListener('change', () => { chunk = 1; });

  ui.lrRange.addEventListener('input', () => applyRate(10 ** Number(ui.lrRange.value), 'range'));
  ui.lrValue.addEventListener('change', () => applyRate(Number(ui.lrValue.value), 'value'));

  ui.logScale.addEventListener('change', redraw);
  ui.relative.addEventListener('change', redraw);
  ui.view.addEventListener('change', () => { syncSlices(); redraw(); });
  ui.sliceX.addEventListener('change', () => { syncSlices(); redraw(); });
  ui.sliceY.addEventListener('change', () => {
    if (ui.sliceX.value === ui.sliceY.value) {
      const n = summary.dataset.features.length;
      ui.sliceX.value = String((Number(ui.sliceY.value) + 1) % n);
    }
    redraw();
  });

  // Drag and drop anywhere on the page.
  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    ui.dropOverlay.hidden = false;
  });
  window.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) ui.dropOverlay.hidden = true;
  });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    ui.dropOverlay.hidden = true;
    loadUserFile(e.dataTransfer.files[0]);
  });

  let resizeQueued = false;
  new ResizeObserver(() => {
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(() => {
      resizeQueued = false;
      if (!playing) redraw();
    });
  }).observe(ui.lossCanvas);
}

async function main() {
  await init();
  session = new Session();
  EXAMPLES = Session.examples();
  setOptions(ui.example, [
    ...EXAMPLES.map((e) => ({ value: e.id, label: e.name })),
    { value: '', label: 'Your own data', disabled: true },
  ], EXAMPLES[0].id);
  wire();
  await nextFrame();
  if (!(await insight.restore(location.hash))) await loadExample(EXAMPLES[0].id);
  document.body.dataset.ready = 'true';
}

main().catch((e) => showError(`gradstep could not start: ${errorText(e)}`));
