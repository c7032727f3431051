// The canvases: loss curve, model view, landscape, eigendirection errors,
// α-sweep and the schedule's mini-curve, all drawn by the Painter (Rust,
// plotters) from the worker's last scene/frame/grid/sweep. Also the chart
// tools (view settings), legends, the landscape's start controls, the
// ViewRequest sent to the worker, and PNG export.

import * as S from './state.js';
import { $, el, setText, setOptions, count } from './dom.js';

/** Canvases narrower or lower than this (CSS px) are not drawn. */
const MIN_CANVAS_CSS = 64;
/** The schedule's mini-curve is redrawn at most this often while playing (ms). */
const SCHEDULE_EVERY_MS = 250;

const VIEW_LABELS = {
  line: 'Fitted line',
  sigmoid: 'Sigmoid',
  heatmap: 'Heatmap',
  'predicted-actual': 'Predicted vs actual',
};

export function createCharts(app) {
  const ui = {
    loss: $('loss-canvas'),
    model: $('model-canvas'),
    landscape: $('landscape-canvas'),
    eigen: $('eigen-canvas'),
    sweep: $('sweep-canvas'),
    schedule: $('schedule-canvas'),
    lossLegend: $('loss-legend'),
    modelLegend: $('model-legend'),
    view: $('view'),
    viewPick: $('view-pick'),
    slices: $('slices'),
    sliceX: $('slice-x'),
    sliceY: $('slice-y'),
    relative: $('relative'),
    ghost: $('show-optimum'),
    others: $('show-others'),
    shares: $('show-share'),
    pair: $('landscape-pair'),
    pairX: $('landscape-x'),
    pairY: $('landscape-y'),
    fixed: $('landscape-fixed'),
    caption: $('landscape-caption'),
    startForm: $('start-form'),
    startA: $('start-a'),
    startB: $('start-b'),
    startALabel: $('start-a-label'),
    startBLabel: $('start-b-label'),
    curvature: $('curvature'),
    eigenLog: $('eigen-log'),
    eigenNote: $('eigen-note'),
  };

  const visible = new Map();
  let lastInfo = { landscape: null, sweep: null, eigen: null };
  let scheduleAt = 0;
  let scheduleKey = '';
  let sweepKey = '';
  let hasSweep = false;
  let errorShown = '';
  const has = (name) => typeof app.painter[name] === 'function';

  // Plots the painter cannot draw yet are not shown at all.
  ui.eigen.closest('.canvas-box').hidden = !has('draw_eigen');
  ui.schedule.closest('.canvas-box').hidden = !has('draw_schedule');
  document.querySelector('.schedule-tools').hidden = !has('draw_schedule');
  ui.sweep.closest('section').hidden = !has('draw_sweep');
  ui.sweep.closest('.canvas-box').hidden = true;

  // View settings start at their defaults and drive the chart tools.
  const viewKeys = S.inScope('view').filter((s) => !['pace', 'race_gap'].includes(s.key));
  for (const s of viewKeys) S.writeControl(s, app.view[s.key], { force: true });

  // ---------------------------------------------------------------- canvases

  // CSS sizes come from the ResizeObserver: reading clientWidth every frame
  // would force a layout after each DOM update.
  const sizes = new Map();
  function cssSize(canvas) {
    let size = sizes.get(canvas);
    if (!size) {
      size = { width: canvas.clientWidth, height: canvas.clientHeight };
      sizes.set(canvas, size);
    }
    return size;
  }

  function sizeCanvas(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const css = cssSize(canvas);
    if (css.width < MIN_CANVAS_CSS || css.height < MIN_CANVAS_CSS) return 0;
    const w = Math.round(css.width * dpr);
    const h = Math.round(css.height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    return dpr;
  }

  function paint(canvas, fn) {
    const dpr = sizeCanvas(canvas);
    if (!dpr) return undefined;
    try {
      const t0 = performance.now();
      const out = fn(dpr);
      performance.measure(`gradstep:draw:${canvas.id}`, { start: t0, end: performance.now() });
      if (errorShown && errorShown === canvas.id) errorShown = '';
      return out;
    } catch (e) {
      if (errorShown !== canvas.id) {
        errorShown = canvas.id;
        app.showError(app.errorText(e));
      }
      return undefined;
    }
  }

  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      // A canvas that barely peeks into view is not worth its drawing while playing.
      const now = e.isIntersecting && e.intersectionRatio >= 0.2;
      const was = visible.get(e.target);
      visible.set(e.target, now);
      if (now && !was) {
        if (e.target === ui.landscape) sendView();
        const entry = later.find((x) => x.canvas === e.target);
        if (entry && stale.has(entry)) {
          stale.delete(entry);
          if (!entry.when || entry.when()) entry.draw();
        }
      }
    }
  }, { threshold: [0, 0.2, 0.5] });
  for (const c of [ui.loss, ui.model, ui.landscape, ui.eigen, ui.sweep, ui.schedule]) observer.observe(c);
  const onScreen = (c) => visible.get(c) !== false;

  // ---------------------------------------------------------------- the view request

  function pair() {
    const s = app.summary;
    if (!s) return null;
    const p = s.parameter_names.length;
    let a = app.view.pair_a ?? s.landscape_pair[0];
    let b = app.view.pair_b ?? s.landscape_pair[1];
    if (!(a >= 0 && a < p)) a = s.landscape_pair[0];
    if (!(b >= 0 && b < p) || b === a) b = a === s.landscape_pair[1] ? s.landscape_pair[0] : s.landscape_pair[1];
    return [a, b];
  }

  let sentView = '';
  function sendView() {
    const v = {
      pair: onScreen(ui.landscape) || !app.playing ? pair() : null,
      eigen: ui.curvature.open,
      newton: Boolean(app.view.newton),
      history_points: Math.max(256, Math.min(4096, Math.round((cssSize(ui.loss).width || 600) * (window.devicePixelRatio || 1)))),
      race_gap: Number(app.view.race_gap),
    };
    const key = JSON.stringify(v);
    if (key === sentView || !app.client) return;
    sentView = key;
    app.tryAct('view', { view: v }, { quiet: true });
  }

  // ---------------------------------------------------------------- drawing

  function drawLoss() {
    const r = app.readout;
    const batch = Boolean(r && r.detail.batch) && app.view.batch_loss;
    const info = paint(ui.loss, (dpr) => app.painter.draw_loss(ui.loss, dpr, {
      log_scale: app.view.log_scale,
      relative: app.view.relative && Boolean(r && r.optimum.found),
      epochs: app.view.epochs,
      batch,
    }));
    if (info) renderLossLegend(info);
  }

  /** Legend entries `{kind, label, color}` as swatches the canvases' marks look like. */
  function legendItems(items) {
    return items.map((it) => {
      const kind = it.kind || 'line';
      if (kind === 'none') return el('span', { class: 'item' }, it.label);
      const sw = el('span', { class: `swatch ${kind}`, 'aria-hidden': 'true' });
      if (it.color) sw.style.setProperty('--c', it.color);
      return el('span', { class: 'item' }, sw, it.label);
    });
  }

  function renderLegend(node, items) {
    const key = JSON.stringify(items);
    if (node.dataset.key === key) return;
    node.dataset.key = key;
    node.replaceChildren(...legendItems(items));
  }

  function renderLossLegend(info) {
    if (Array.isArray(info.legend)) {
      renderLegend(ui.lossLegend, info.legend);
      return;
    }
    const r = app.readout;
    const palette = has('run_colors') ? app.painter.run_colors() : [];
    const several = r.runs.length > 1;
    const items = r.runs.map((run, i) => ({
      kind: run.pinned ? 'dashed' : 'line',
      color: palette[i % (palette.length || 1)] || null,
      label: several ? `run ${i + 1}${i === r.active ? ' (active, thicker)' : ''}${run.pinned ? ', pinned' : ''}` : 'loss after each step',
    }));
    // L* and the predicted lines are labelled on the plot itself; the legend says what they are.
    if (info.reference) items.push({ kind: 'none', label: 'dashed L*: the lowest possible loss' });
    if (app.view.relative && r.optimum.found) items.push({ kind: 'none', label: 'faint dashes: the rate each run’s curvature predicts' });
    if (r.detail.batch && app.view.batch_loss) items.push({ kind: 'points', color: palette[r.active % (palette.length || 1)] || null, label: 'each mini-batch’s own loss (faint dots)' });
    renderLegend(ui.lossLegend, items);
  }

  function drawModel() {
    const info = paint(ui.model, (dpr) => app.painter.draw_model(ui.model, dpr, {
      view: app.view.view,
      slice_x: app.view.slice_x,
      slice_y: app.view.slice_y,
      ghost: app.view.ghost && Boolean(app.readout && app.readout.optimum.found),
      shares: app.view.shares,
      newton: app.view.newton,
      others: app.view.others,
    }));
    if (!info) return;
    if (info.view !== ui.view.value && [...ui.view.options].some((o) => o.value === info.view)) ui.view.value = info.view;
    syncSlices(info.view);
    if (Array.isArray(info.legend)) renderLegend(ui.modelLegend, info.legend);
  }

  function drawLandscape() {
    const info = paint(ui.landscape, (dpr) => app.painter.draw_landscape(ui.landscape, dpr));
    if (info === undefined) return;
    lastInfo.landscape = info;
    renderCaption(info);
  }

  function drawEigen() {
    if (!has('draw_eigen')) {
      setText(ui.eigenNote, '');
      return;
    }
    const info = paint(ui.eigen, (dpr) => app.painter.draw_eigen(ui.eigen, dpr, { log_scale: ui.eigenLog.checked }));
    lastInfo.eigen = info ?? null;
    // Nothing to draw (no optimum yet, or none): no old data's lines either.
    if (info === null) ui.eigen.getContext('2d').clearRect(0, 0, ui.eigen.width, ui.eigen.height);
    const r = app.readout;
    setText(ui.eigenNote, info
      ? 'One line per eigendirection: |vᵢ·(θ − θ*)|, the error along it, over the steps. Steep directions (large λ) shrink first; the flattest one sets the pace.'
      : r && r.optimum.ready && !r.optimum.found ? 'There is no finite optimum, so there is no error to measure.' : 'Drawn once the exact optimum is known.');
  }

  function drawSweep(force) {
    if (!hasSweep || !has('draw_sweep')) return;
    const r = app.readout;
    const key = JSON.stringify([r && r.runs[r.active].rate_text, cssSize(ui.sweep).width]);
    if (!force && key === sweepKey) return;
    sweepKey = key;
    lastInfo.sweep = paint(ui.sweep, (dpr) => app.painter.draw_sweep(ui.sweep, dpr)) ?? null;
    app.emit('events', [{ kind: 'sweep-drawn', info: lastInfo.sweep }]);
  }

  function drawSchedule(force) {
    const r = app.readout;
    if (!r || !has('draw_schedule')) return;
    const curve = r.detail.schedule_curve;
    const key = JSON.stringify([curve[curve.length - 1], r.runs[r.active].settings.schedule, r.runs[r.active].rate_text, cssSize(ui.schedule).width]);
    const now = performance.now();
    if (!force && (key === scheduleKey || (app.playing && now - scheduleAt < SCHEDULE_EVERY_MS))) return;
    scheduleKey = key;
    scheduleAt = now;
    const points = new Float64Array(curve.length * 2);
    curve.forEach(([k, rate], i) => {
      points[2 * i] = k;
      points[2 * i + 1] = rate;
    });
    paint(ui.schedule, (dpr) => app.painter.draw_schedule(ui.schedule, dpr, points));
  }

  // While playing, a frame draws the loss curve and then, within a budget,
  // the other visible canvases that have waited longest (their cost is
  // measured): a slow plot never holds the frame rate down; when paused
  // every canvas is drawn. The loss curve takes about 0.5 ms and the model
  // view and the landscape about 2 ms each, so they take turns (each about
  // 30 times a second): both in every frame, with the compositing of three
  // changed canvases, held Play at 100k × 10 to about 53 frames a second.
  const FRAME_BUDGET_MS = 2.5;
  const secondary = [
    { canvas: ui.model, draw: drawModel, waited: 0, cost: 0 },
    { canvas: ui.landscape, draw: drawLandscape, waited: 0, cost: 0 },
    { canvas: ui.eigen, draw: drawEigen, waited: 0, cost: 0, when: () => ui.curvature.open },
  ];

  function timed(entry) {
    const t0 = performance.now();
    entry.draw();
    const dt = performance.now() - t0;
    entry.cost = entry.cost ? 0.8 * entry.cost + 0.2 * dt : dt;
    entry.waited = 0;
  }

  // Canvases off screen are drawn later, one per idle moment (so that a
  // frame never holds the main thread for all of them at once); while
  // playing they wait until they come into view.
  const later = [
    { canvas: ui.loss, draw: () => drawLoss() },
    { canvas: ui.model, draw: () => drawModel() },
    { canvas: ui.landscape, draw: () => drawLandscape() },
    { canvas: ui.eigen, draw: () => drawEigen(), when: () => ui.curvature.open },
    { canvas: ui.sweep, draw: () => drawSweep(true) },
    { canvas: ui.schedule, draw: () => drawSchedule(true) },
  ];
  const stale = new Set();
  let idleQueued = false;

  function catchUp(deadline) {
    idleQueued = false;
    if (app.playing) return;
    for (const entry of later) {
      if (!stale.has(entry)) continue;
      stale.delete(entry);
      if (!entry.when || entry.when()) entry.draw();
      if (!deadline || deadline.timeRemaining() < 8) break;
    }
    if (stale.size) queueCatchUp();
  }

  function queueCatchUp() {
    if (idleQueued) return;
    idleQueued = true;
    if (typeof requestIdleCallback === 'function') requestIdleCallback(catchUp, { timeout: 300 });
    else setTimeout(() => catchUp(null), 50);
  }

  let deferred = false;

  /**
   * Draws a frame's plots: the loss curve now, the other visible canvases
   * that are due within the budget (the rest in the next frames or when
   * idle); with `secondaryLater` (new data, whose page layout is this
   * frame's work) those wait for the next animation frame.
   */
  function draw(frame, { secondaryLater = false } = {}) {
    if (!app.readout) return;
    if (frame && frame.sweep) {
      hasSweep = true;
      sweepKey = '';
      ui.sweep.closest('.canvas-box').hidden = false;
      app.emit('events', [{ kind: 'sweep-shown' }]);
    } else if (frame && frame.sweepStale && hasSweep) {
      hasSweep = false;
      ui.sweep.closest('.canvas-box').hidden = true;
      app.emit('events', [{ kind: 'sweep-stale' }]);
    }
    const start = performance.now();
    for (const entry of later) {
      if (!onScreen(entry.canvas)) stale.add(entry);
    }
    if (onScreen(ui.loss)) {
      stale.delete(later[0]);
      drawLoss();
    }
    if (secondaryLater) {
      requestAnimationFrame(() => drawSecondary(performance.now(), true));
    } else {
      drawSecondary(start, frame !== null);
    }
    if (onScreen(ui.sweep)) drawSweep(false);
    if (onScreen(ui.schedule)) drawSchedule(false);
    if (stale.size && !app.playing) queueCatchUp();
  }

  /**
   * The visible secondary canvases that fit the frame's budget; one that
   * did not fit last frame is drawn now (so each is redrawn at least every
   * other frame).
   */
  function drawSecondary(start, fresh) {
    const due = secondary.filter((e) => (!e.when || e.when()) && onScreen(e.canvas) && (fresh || e.waited > 0));
    due.sort((a, b) => b.waited - a.waited);
    let left = 0;
    let forced = false;
    due.forEach((e) => {
      const spent = performance.now() - start;
      const must = !forced && e.waited > 0;
      if (must || spent + e.cost <= FRAME_BUDGET_MS) {
        if (must) forced = true;
        timed(e);
      } else {
        e.waited += 1;
        left += 1;
      }
    });
    // Paused, nothing else will come: the rest in the next frame.
    if (left && !app.playing && !deferred) {
      deferred = true;
      requestAnimationFrame(() => {
        deferred = false;
        drawSecondary(performance.now(), false);
      });
    }
  }

  /** Everything again (a new view setting, a resize): the visible canvases now, the rest soon. */
  function redraw() {
    if (!app.readout) return;
    for (const entry of later) {
      if (entry.when && !entry.when()) continue;
      if (onScreen(entry.canvas)) entry.draw();
      else stale.add(entry);
    }
    if (stale.size) queueCatchUp();
  }

  // ---------------------------------------------------------------- model view tools

  function syncSlices(view) {
    const s = app.summary;
    const n = s ? s.settings.features.length : 0;
    ui.slices.hidden = !(view === 'heatmap' && n > 2);
  }

  app.on('summary', (s, { fresh } = {}) => {
    if (fresh) {
      hasSweep = false;
      ui.sweep.closest('.canvas-box').hidden = true;
    }
    setOptions(ui.view, s.views.map((v) => ({ value: v, label: VIEW_LABELS[v] || v })), app.view.view ?? s.views[0]);
    if (!s.views.includes(app.view.view)) app.view.view = null;
    ui.viewPick.hidden = s.views.length < 2;
    const features = s.settings.features.map((f, i) => ({ value: String(i), label: f }));
    if (app.view.slice_x >= features.length) app.view.slice_x = 0;
    if (app.view.slice_y >= features.length || app.view.slice_y === app.view.slice_x) app.view.slice_y = app.view.slice_x === 0 ? 1 : 0;
    setOptions(ui.sliceX, features, app.view.slice_x);
    setOptions(ui.sliceY, features, app.view.slice_y);
    syncSlices(app.view.view ?? s.views[0]);

    const names = s.parameter_names;
    const [a, b] = pair();
    const options = names.map((n, i) => ({ value: String(i), label: n }));
    setOptions(ui.pairX, options, a);
    setOptions(ui.pairY, options, b);
    const fixed = names.length <= 2;
    ui.pair.hidden = fixed;
    ui.fixed.hidden = !fixed;
    setText(ui.fixed, fixed ? `The only pair: ${names[0]} across, ${names[1]} up.` : '');
    renderStartLabels();
    sendView();
  });

  app.on('readout', (r) => {
    ui.relative.disabled = !r.optimum.found;
    ui.ghost.disabled = !r.optimum.found;
    ui.relative.closest('label').title = r.optimum.found ? '' : (r.optimum.ready ? 'There is no finite optimum' : 'Available once the exact optimum is known');
    ui.others.closest('label').hidden = r.runs.length < 2;
  });

  function onViewControl(key, after) {
    const s = S.BY_KEY[key];
    const node = document.getElementById(s.control);
    node.addEventListener('change', () => {
      const v = S.readControl(s);
      if (v === undefined) return;
      app.view[key] = v;
      if (after) after(v);
      app.viewChanged();
    });
  }
  onViewControl('log_scale');
  onViewControl('relative');
  onViewControl('epochs');
  onViewControl('batch_loss');
  onViewControl('view', (v) => syncSlices(v));
  onViewControl('slice_x', (v) => {
    if (v === app.view.slice_y) {
      const n = app.summary.settings.features.length;
      app.view.slice_y = (v + 1) % n;
      ui.sliceY.value = String(app.view.slice_y);
    }
  });
  onViewControl('slice_y', (v) => {
    if (v === app.view.slice_x) {
      const n = app.summary.settings.features.length;
      app.view.slice_x = (v + 1) % n;
      ui.sliceX.value = String(app.view.slice_x);
    }
  });
  onViewControl('ghost');
  onViewControl('shares');
  onViewControl('others');
  onViewControl('newton');
  onViewControl('pair_a', (v) => {
    if (v === app.view.pair_b || (app.view.pair_b === null && v === pair()[1])) {
      const n = app.summary.parameter_names.length;
      app.view.pair_b = (v + 1) % n;
      ui.pairY.value = String(app.view.pair_b);
    }
    renderStartLabels();
  });
  onViewControl('pair_b', (v) => {
    if (v === app.view.pair_a || (app.view.pair_a === null && v === pair()[0])) {
      const n = app.summary.parameter_names.length;
      app.view.pair_a = (v + 1) % n;
      ui.pairX.value = String(app.view.pair_a);
    }
    renderStartLabels();
  });
  ui.eigenLog.addEventListener('change', () => drawEigen());
  ui.curvature.addEventListener('toggle', () => {
    sendView();
    if (ui.curvature.open) drawEigen();
  });

  // ---------------------------------------------------------------- landscape

  function renderStartLabels() {
    const s = app.summary;
    if (!s) return;
    const [a, b] = pair();
    setText(ui.startALabel, `${s.parameter_names[a]}, ${s.parameter_units[a]}`);
    setText(ui.startBLabel, `${s.parameter_names[b]}, ${s.parameter_units[b]}`);
  }

  function renderCaption(info) {
    const s = app.summary;
    const r = app.readout;
    if (!s || !r) return;
    if (!info) {
      setText(ui.caption, 'The landscape is computed in the background and drawn here in a moment.');
      return;
    }
    const names = s.parameter_names;
    const others = names.length > 2 ? ' The other parameters are held at the active run’s current values.' : '';
    const runs = r.runs.length > 1 ? `Each run's path is drawn in its colour (the race table's), the active run's boldest.` : 'The path of the run goes from its start to where it is now.';
    const newton = app.view.newton ? ' The Newton step from here is marked too.' : '';
    const sample = info.sampled_rows ? ` The loss here is computed on a sample of ${count(info.sampled_rows)} rows.` : '';
    const units = `${names[info.a]} in ${s.parameter_units[info.a]}, ${names[info.b]} in ${s.parameter_units[info.b]}`;
    const noise = info.noise_drawn ? ' The dashed ellipse around the optimum is the active run’s noise ball: where its mini-batch steps keep wandering (two standard deviations, about 86% of the time).' : '';
    setText(ui.caption,
      `Contours of the loss over ${names[info.a]} (across, ${app.fmt(info.a_range[0], 3)} to ${app.fmt(info.a_range[1], 3)}) and ${names[info.b]} (up, ${app.fmt(info.b_range[0], 3)} to ${app.fmt(info.b_range[1], 3)}), with ${units}. ` +
      `${runs} The optimum is marked.${newton}${noise}${others}${sample} Click the plot, or type a point below, to start every run from there.`);
  }

  async function startAt(a, va, b, vb) {
    const r = await app.tryAct('set-start', { a, va, b, vb, seq: app.controls.stopping() });
    if (r) {
      app.status('', `Every run starts again from ${app.summary.parameter_names[a]} = ${app.fmt(va, 4)}, ${app.summary.parameter_names[b]} = ${app.fmt(vb, 4)}.`);
    }
  }

  ui.landscape.addEventListener('click', (e) => {
    if (!app.readout || app.busy) return;
    const rect = ui.landscape.getBoundingClientRect();
    let hit;
    try {
      hit = app.painter.landscape_value_at(e.clientX - rect.left, e.clientY - rect.top);
    } catch (err) {
      app.showError(app.errorText(err));
      return;
    }
    if (!hit) return;
    const [a, va, b, vb] = hit;
    ui.startA.value = app.exact(va);
    ui.startB.value = app.exact(vb);
    startAt(a, va, b, vb);
  });
  ui.startForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!app.readout) return;
    const va = Number(ui.startA.value);
    const vb = Number(ui.startB.value);
    if (ui.startA.value.trim() === '' || ui.startB.value.trim() === '' || !Number.isFinite(va) || !Number.isFinite(vb)) {
      app.showError('Type a number for both parameters of the starting point.');
      return;
    }
    const [a, b] = pair();
    startAt(a, va, b, vb);
  });

  // ---------------------------------------------------------------- α-sweep clicks

  ui.sweep.addEventListener('click', (e) => {
    if (!hasSweep || !has('sweep_rate_at')) return;
    const rect = ui.sweep.getBoundingClientRect();
    let rate;
    try {
      rate = app.painter.sweep_rate_at(e.clientX - rect.left, e.clientY - rect.top);
    } catch (err) {
      app.showError(app.errorText(err));
      return;
    }
    if (typeof rate === 'number' && rate > 0) app.setRun({ learning_rate: rate });
  });

  // ---------------------------------------------------------------- PNG export

  for (const button of document.querySelectorAll('button.save-png')) {
    button.addEventListener('click', () => {
      const canvas = document.getElementById(button.dataset.canvas);
      const slug = String(app.summary ? app.summary.source : 'data').toLowerCase().replace(/\.[a-z0-9]+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'data';
      canvas.toBlob((blob) => {
        if (!blob) {
          app.showError('The chart could not be turned into a PNG (it has not been drawn yet).');
          return;
        }
        app.download(blob, `gradstep-${slug}-${button.dataset.name}.png`);
      }, 'image/png');
    });
  }

  // ---------------------------------------------------------------- resizing

  let resizeQueued = false;
  const resized = new ResizeObserver((entries) => {
    for (const e of entries) {
      const box = e.contentBoxSize && e.contentBoxSize[0];
      sizes.set(e.target, box ? { width: box.inlineSize, height: box.blockSize } : { width: e.contentRect.width, height: e.contentRect.height });
    }
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(() => {
      resizeQueued = false;
      sendView();
      if (!app.playing) redraw();
    });
  });
  for (const c of [ui.loss, ui.model, ui.landscape, ui.eigen, ui.sweep, ui.schedule]) resized.observe(c);

  return {
    draw,
    redraw,
    sendView,
    pair,
    get info() {
      return lastInfo;
    },
    get hasSweep() {
      return hasSweep;
    },
  };
}
