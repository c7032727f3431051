// The loss-landscape panel: contours of the loss over two chosen
// parameters, the path gradient descent took and the optimum (all drawn in
// Rust); clicking the canvas restarts training from that point. Also keeps
// the path as a table for screen readers.

import { $, el, setOptions } from './dom.js';
import { fmt } from './format.js';

/** Most path points kept for the table; past it every other one is dropped. */
const PATH_CAPACITY = 2000;
/** Rows shown in the path table. */
const TABLE_ROWS = 50;

export function createLandscape(app, { throttle }) {
  const ui = {
    canvas: $('landscape-canvas'),
    x: $('landscape-x'),
    y: $('landscape-y'),
    pair: $('landscape-pair'),
    fixed: $('landscape-fixed'),
    caption: $('landscape-caption'),
    tableBox: $('landscape-table-box'),
    table: $('landscape-table'),
  };

  let names = [];
  let info = null; // last draw_landscape answer
  let path = []; // {step, a, b, loss} in the trainer's units, every `stride` steps
  let stride = 1;
  let lastStep = -1;
  let tableDirty = true;
  let visible = false;
  let stale = true;
  const draws = throttle('landscape');

  function available() {
    const s = app.session;
    return Boolean(s && typeof s.draw_landscape === 'function' && typeof s.landscape_parameters === 'function');
  }

  function pair() {
    return [Number(ui.x.value || 0), Number(ui.y.value || 1)];
  }

  /** New data or settings: fill the parameter selects, keep the pair if it still exists. */
  function summary() {
    path = [];
    stride = 1;
    lastStep = -1;
    info = null;
    tableDirty = true;
    if (!available()) {
      ui.canvas.closest('section').hidden = true;
      return;
    }
    let p;
    try {
      p = app.session.landscape_parameters();
    } catch (e) {
      app.showError(app.errorText(e));
      return;
    }
    const sameNames = names.length === p.names.length && names.every((n, i) => n === p.names[i]);
    const keep = sameNames ? pair() : null;
    names = p.names;
    const options = names.map((n, i) => ({ value: String(i), label: n }));
    setOptions(ui.x, options, keep ? keep[0] : p.default_a);
    setOptions(ui.y, options, keep ? keep[1] : p.default_b);
    if (ui.x.value === ui.y.value) ui.y.value = String((Number(ui.x.value) + 1) % names.length);
    // One feature: the only pair is (w, b); show it as text instead of selects.
    const fixed = names.length <= 2;
    ui.pair.hidden = fixed;
    ui.fixed.hidden = !fixed;
    ui.fixed.textContent = fixed ? `The only pair: ${names[0]} across, ${names[1]} up.` : '';
    renderTableHead();
  }

  function setPair(a, b) {
    if (!names.length) return;
    const n = names.length;
    if (a >= 0 && a < n) ui.x.value = String(a);
    if (b >= 0 && b < n && b !== a) ui.y.value = String(b);
    if (ui.x.value === ui.y.value) ui.y.value = String((Number(ui.x.value) + 1) % n);
    tableDirty = true;
    renderTableHead();
  }

  function sizeCanvas(canvas) {
    const dpr = window.devicePixelRatio || 1;
    if (canvas.clientWidth < 64 || canvas.clientHeight < 64) return 0;
    const w = Math.round(canvas.clientWidth * dpr);
    const h = Math.round(canvas.clientHeight * dpr);
    if (w > 0 && h > 0 && (canvas.width !== w || canvas.height !== h)) {
      canvas.width = w;
      canvas.height = h;
    }
    return w > 0 && h > 0 ? dpr : 0;
  }

  /** Draws the landscape: only while on screen, and throttled to its cost during Play. */
  function draw(force = false) {
    if (!available() || !app.summary) return;
    if (!force && (!visible || !draws.due())) {
      stale = true;
      if (!visible && !app.playing) settleSoon();
      return;
    }
    stale = false;
    const dpr = sizeCanvas(ui.canvas);
    if (!dpr) return;
    const [a, b] = pair();
    draws.measure(() => {
      try {
        info = app.session.draw_landscape(ui.canvas, dpr, a, b);
      } catch (e) {
        app.showError(app.errorText(e));
        info = null;
      }
    });
    renderCaption();
  }

  /** Off screen and paused: draw when the page is idle (for printing, full-page captures). */
  let idleQueued = false;
  function settleSoon() {
    if (idleQueued) return;
    idleQueued = true;
    const run = () => {
      idleQueued = false;
      settle();
    };
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
    else setTimeout(run, 200);
  }

  function settle() {
    if (stale && !app.playing) draw(true);
  }

  function renderCaption() {
    const [a, b] = pair();
    const na = names[a] || 'x';
    const nb = names[b] || 'y';
    const others = names.length > 2 ? 'The other parameters stay at their current values.' : '';
    const sw = (kind) => el('span', { class: `swatch ${kind}`, 'aria-hidden': 'true' });
    const parts = [
      sw('landscape-shade'), ` Contours of the loss over ${na} (across) and ${nb} (up), darker where it is higher. `,
      sw('line fit'), ' The path of gradient descent, from ', sw('hollow'), ' the start to ', sw('dot current'), ' now. ',
      sw('dot optimum'), ' The exact optimum. ',
      others ? `${others} ` : '',
      el('strong', { text: 'Click to start from here.' }),
    ];
    if (info && info.sampled_rows) {
      parts.push(` The landscape is computed on a sample of ${Number(info.sampled_rows).toLocaleString('en-US')} rows.`);
    }
    ui.caption.replaceChildren(...parts);
  }

  /** Records the current point of the path (called after every redraw). */
  function record(st, terms) {
    if (!st || !terms) return;
    if (st.step < lastStep || (st.step === 0 && lastStep !== 0)) {
      path = [];
      stride = 1;
    }
    if (st.step === lastStep && path.length) return;
    lastStep = st.step;
    // All parameters are kept, so that changing the pair keeps the table.
    const point = { step: st.step, values: terms.map((t) => t.value), loss: st.loss };
    if (path.length && st.step % stride !== 0 && st.step !== 0) {
      // Keep the latest point even off-stride: replace the tail if it is off-stride too.
      const tail = path[path.length - 1];
      if (tail.step % stride !== 0) path[path.length - 1] = point;
      else path.push(point);
    } else {
      path.push(point);
    }
    if (path.length > PATH_CAPACITY) {
      stride *= 2;
      const last = path[path.length - 1];
      path = path.filter((p, i) => i === 0 || p.step % stride === 0);
      if (path[path.length - 1] !== last) path.push(last);
    }
    tableDirty = true;
  }

  function renderTableHead() {
    const [a, b] = pair();
    const head = el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: 'Step' }),
      el('th', { scope: 'col', text: names[a] || 'x' }),
      el('th', { scope: 'col', text: names[b] || 'y' }),
      el('th', { scope: 'col', text: 'Loss' })));
    ui.table.tHead.replaceWith(head);
  }

  function renderTable(force = false) {
    if (!ui.tableBox.open || (!tableDirty && !force)) return;
    tableDirty = false;
    const [a, b] = pair();
    // Evenly thinned to TABLE_ROWS rows, always with the first and last point.
    let rows = path;
    if (rows.length > TABLE_ROWS) {
      const picked = [];
      for (let i = 0; i < TABLE_ROWS; i++) picked.push(rows[Math.round((i * (rows.length - 1)) / (TABLE_ROWS - 1))]);
      rows = picked;
    }
    const body = el('tbody', {}, rows.map((p) => el('tr', {},
      el('td', { text: p.step.toLocaleString('en-US') }),
      el('td', { text: fmt(p.values[a], 5) }),
      el('td', { text: fmt(p.values[b], 5) }),
      el('td', { text: fmt(p.loss, 6) }))));
    ui.table.tBodies[0].replaceWith(body);
  }

  function wire() {
    const redrawPair = () => {
      tableDirty = true;
      renderTableHead();
      draw(true);
      renderTable();
      app.settingsChanged();
    };
    ui.x.addEventListener('change', () => {
      if (ui.x.value === ui.y.value) ui.y.value = String((Number(ui.x.value) + 1) % names.length);
      redrawPair();
    });
    ui.y.addEventListener('change', () => {
      if (ui.x.value === ui.y.value) ui.x.value = String((Number(ui.y.value) + 1) % names.length);
      redrawPair();
    });
    ui.canvas.addEventListener('click', (e) => {
      if (!available() || !app.summary || app.busy || typeof app.session.landscape_click !== 'function') return;
      const rect = ui.canvas.getBoundingClientRect();
      let moved;
      try {
        moved = app.session.landscape_click(e.clientX - rect.left, e.clientY - rect.top);
      } catch (err) {
        app.showError(app.errorText(err));
        return;
      }
      if (moved) app.restarted();
    });
    ui.tableBox.addEventListener('toggle', () => renderTable(true));
    new IntersectionObserver((entries) => {
      visible = entries.some((e) => e.isIntersecting);
      if (visible && stale) draw(true);
    }).observe(ui.canvas);
    let queued = false;
    new ResizeObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        if (!app.playing) draw();
      });
    }).observe(ui.canvas);
  }

  wire();

  return {
    summary,
    draw,
    record,
    renderTable,
    settle,
    pair,
    setPair,
    available,
    get canvas() {
      return ui.canvas;
    },
  };
}
