// gradstep's page: the main thread. It handles input, the DOM and drawing
// (the Painter, from the worker's frames); the training worker (worker.js)
// does everything else. Panels live in their own modules and talk to the
// page through `app`.

import initPainter, { Painter, format_number, format_exact, examples_list } from './pkg/gradstep_painter.js';
import * as S from './state.js';
import { $, setText } from './dom.js';
import { createClient } from './client.js';
import { installShortcuts, createAnnouncer } from './keyboard.js';
import { createDataPanel } from './data.js';
import { createControls } from './controls.js';
import { createLab } from './lab.js';
import { createRace } from './race.js';
import { createCharts } from './charts.js';
import { createPanels } from './panels.js';
import { createShare } from './share.js';

const ui = {
  error: $('error'),
  status: $('status-message'),
  announcer: $('announcer'),
  progressBox: $('load-progress-box'),
  progress: $('load-progress'),
  progressText: $('load-progress-text'),
};

function errorText(e) {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}

const listeners = { summary: [], readout: [], frame: [], events: [] };

export const app = {
  client: null,
  painter: null,
  /** format_number: every number the page writes itself. */
  fmt: (v, digits = 4) => format_number(v, digits),
  exact: (v) => format_exact(v),
  examples: [],
  summary: null,
  readout: null,
  cells: 0,
  /** Data settings in force (names resolved by Rust). */
  data: S.defaults('data'),
  /** View settings (the page's own). */
  view: S.defaults('view'),
  /** The active run's settings, as the page's values. */
  run: S.defaults('run'),
  playing: false,
  canStep: true,
  busy: false,
  ready: false,
  /** The last load that failed (so that a new missing-values choice can retry it). */
  failedLoad: null,
  /** What the data came from: {example} | {file, name} | {text, name}. */
  source: null,

  on(name, fn) {
    listeners[name].push(fn);
  },
  emit(name, ...args) {
    for (const [i, fn] of listeners[name].entries()) {
      try {
        const t0 = performance.now();
        fn(...args);
        if (app.profile) performance.measure(`gradstep:on:${name}:${i}`, { start: t0, end: performance.now() });
      } catch (e) {
        console.error(e);
        app.showError(`the page could not update: ${errorText(e)}`);
      }
    }
  },

  showError(message) {
    setText(ui.error, message);
  },
  clearError() {
    setText(ui.error, '');
  },
  /**
   * The status line: kind is '', 'success', 'warning' or 'error'. It is not
   * a live region itself: `spoken` (the text, or a shorter line) goes to the
   * one announcer, so that a screen reader hears it once.
   */
  status(kind, text, spoken = text) {
    ui.status.className = `notice${kind ? ` ${kind}` : ''}`;
    setText(ui.status, text);
    if (spoken) app.announce(spoken, { urgent: kind !== '' });
  },
  announce(text, options = {}) {
    announcer.say(text, { playing: app.playing, ...options });
  },
  errorText,

  /**
   * Sends a request to the worker. An action (the default) clears the
   * error on success and shows it on failure; `quiet` requests do neither.
   */
  async act(type, payload = {}, { quiet = false, transfer = [] } = {}) {
    try {
      const value = await app.client.request(type, payload, transfer);
      if (!quiet) app.clearError();
      return value;
    } catch (e) {
      if (!quiet) app.showError(errorText(e));
      throw e;
    }
  },

  /** Like `act`, but resolves to undefined on failure (the error is shown). */
  async tryAct(type, payload = {}, options = {}) {
    try {
      return await app.act(type, payload, options);
    } catch {
      return undefined;
    }
  },

  // ---------------------------------------------------------------- data

  progress(fraction, text) {
    ui.progressBox.hidden = fraction === null;
    if (fraction !== null) {
      ui.progress.value = fraction;
      setText(ui.progressText, text);
    }
  },

  setBusy(on) {
    app.busy = on;
    document.body.classList.toggle('busy', on);
    app.emit('events', [{ kind: 'busy', on }]);
  },

  /** Loads a built-in example (with data settings when not the defaults). */
  async loadExample(id, data) {
    app.failedLoad = null;
    const settings = data ? S.dataSettings(data) : null;
    const ok = await app.tryAct('load-example', { id, settings });
    if (ok) app.source = { example: id, name: id };
    return Boolean(ok);
  },

  /** Loads a File in the worker (read there in chunks, never copied here). */
  async loadFile(file, data) {
    if (!file) return false;
    const values = data || { ...S.defaults('data'), missing: app.data.missing, standardize: app.data.standardize, l2: app.data.l2 };
    app.setBusy(true);
    app.progress(0, `Reading ${file.name}…`);
    try {
      const result = await app.act('load-file', { file, settings: S.dataSettings(values) });
      if (result && result.cancelled) return false;
      app.failedLoad = null;
      app.source = { file, name: file.name };
      app.lastLoad = result;
      app.emit('events', [{ kind: 'loaded', name: file.name }]);
      return true;
    } catch (e) {
      app.failedLoad = { kind: 'file', file, values };
      app.showError(`Could not load ${file.name}: ${errorText(e)}`);
      return false;
    } finally {
      app.progress(null);
      app.setBusy(false);
    }
  },

  /** Loads CSV text (pasted, or from a link). */
  async loadText(name, text, data) {
    const values = data || { ...S.defaults('data'), missing: app.data.missing, standardize: app.data.standardize, l2: app.data.l2 };
    if (!text.trim()) {
      app.showError('The paste box is empty: paste CSV text first.');
      return false;
    }
    try {
      await app.act('load-text', { name, text, settings: S.dataSettings(values) });
      app.failedLoad = null;
      app.source = { text, name };
      app.emit('events', [{ kind: 'loaded', name }]);
      return true;
    } catch (e) {
      app.failedLoad = { kind: 'text', name, text, values };
      app.showError(`Could not load ${name}: ${errorText(e)}`);
      return false;
    }
  },

  /**
   * Poses the problem anew with some data settings changed. On error the
   * controls go back to the settings in force.
   */
  async setData(changes, { resetActiveRate = false } = {}) {
    const values = { ...app.data, ...changes };
    try {
      await app.act('configure', { settings: S.dataSettings(values), resetActiveRate }, { quiet: true });
      app.clearError();
      return true;
    } catch (e) {
      app.showError(`Could not apply that change, so the last settings stay: ${errorText(e)}`);
      app.emit('summary', app.summary, { restore: true });
      return false;
    }
  },

  /** Changes some of the active run's settings (next step on, no restart). */
  async setRun(changes) {
    if (!app.readout) return false;
    const values = { ...app.run, ...changes };
    try {
      await app.act('set-run', { index: app.readout.active, settings: S.runSettings(values) });
      return true;
    } catch {
      app.emit('readout', app.readout, { restore: true });
      return false;
    }
  },

  /** The view changed: tell the worker what to compute and redraw. */
  viewChanged() {
    charts.sendView();
    charts.redraw();
    share.schedule();
  },
};

const announcer = createAnnouncer(ui.announcer);
let charts;
let share;

// ------------------------------------------------------------------ frames

/** Applies a frame; a promise when part of it waits for the next animation frame. */
function applyFrame(f) {
  const t0 = performance.now();
  try {
    return applyFrameNow(f);
  } finally {
    performance.measure('gradstep:frame', { start: t0, end: performance.now() });
  }
}

function applyFrameNow(f) {
  const p = app.painter;
  try {
    if (f.scene) p.set_scene(new Uint8Array(f.scene));
    p.set_frame(new Uint8Array(f.frame));
    if (f.grid) p.set_grid(new Uint8Array(f.grid));
    if (f.sweep) p.set_sweep(new Uint8Array(f.sweep));
  } catch (e) {
    app.showError(errorText(e));
    return;
  }
  if (typeof f.cells === 'number') app.cells = f.cells;
  if (f.summary) {
    const fresh = f.dataSeq !== app.dataSeq;
    app.dataSeq = f.dataSeq;
    app.summary = f.summary;
    app.data = S.fromDataSettings(f.summary.settings);
    app.emit('summary', f.summary, { fresh });
    if (fresh && app.ready) {
      // New data rebuilds tables and lists: their layout is this frame's
      // work, and the read-outs and plots come in the next one (both at
      // once held the main thread for 80–110 ms after a large load).
      // The worker's next frame waits until then.
      return new Promise((resolve) => {
        requestAnimationFrame(() => {
          try {
            applyRest(f, { fresh: true });
          } finally {
            resolve();
          }
        });
      });
    }
  }
  applyRest(f);
  return undefined;
}

let readoutFrames = 0;

/** The frame's read-outs and plots (see `applyFrameNow`). */
function applyRest(f, { fresh = false } = {}) {
  app.canStep = f.canStep;
  if (f.playSeq >= controls.playSeq) controls.setPlaying(f.playing);
  app.readout = f.readout;
  app.run = S.fromRunSettings(f.readout.runs[f.readout.active].settings, app.run);
  // The plots first: a canvas's font needs the page's style and layout, so
  // drawing after the read-outs' DOM updates would lay the page out twice.
  charts.draw(f, { secondaryLater: fresh });
  // Fast play changes every number about 60 times a second, faster than
  // anyone reads: the read-outs follow every other frame, which halves the
  // page's text layout and paint while the plots keep every frame (Play at
  // 100k × 10 went from about 55 to 59 frames a second).
  readoutFrames += 1;
  const fastPlay = f.playing && app.view.pace === 'fast' && !(f.events && f.events.length);
  if (!fastPlay || readoutFrames % 2 === 0) app.emit('readout', f.readout, {});
  if (f.events && f.events.length) app.emit('events', f.events);
  app.emit('frame', f);
  if (app.afterFrame) {
    const then = app.afterFrame;
    app.afterFrame = null;
    then();
  }
  if (!app.ready) {
    app.ready = true;
    document.body.dataset.ready = 'true';
  }
}

// ------------------------------------------------------------------ start

async function main() {
  await initPainter();
  app.painter = new Painter();
  app.examples = examples_list();
  app.client = createClient({
    onFrame: applyFrame,
    onProgress: (m) => {
      if (app.busy) app.progress(m.fraction, m.text);
    },
    onSweepProgress: () => app.emit('events', [{ kind: 'sweep-progress' }]),
    onRecovered: (message) => {
      // Said after the reloaded data is on screen (a new summary clears the status line).
      app.afterFrame = () => {
        app.status('warning', message);
      };
    },
    onError: (message) => app.showError(message),
    onFatal: async (message) => {
      app.showError(`${message} Restarting the engine…`);
      try {
        await app.client.respawn();
        app.status('warning', `${message} The engine was restarted with your last good data and settings.`);
      } catch (e) {
        app.showError(`${message} The engine could not be restarted: ${errorText(e)}. Reload the page.`);
      }
    },
  });
  // After a fatal error the new worker reloads the last good data and race.
  app.client.restart = async () => {
    const snapshot = share.snapshot();
    if (snapshot) await share.open(snapshot, { quiet: true });
    else await app.loadExample(app.examples[0].id);
  };
  await app.client.start();
  createDataPanel(app);
  createLab(app);
  createRace(app);
  createPanels(app);
  charts = createCharts(app);
  share = createShare(app);
  app.share = share;
  app.charts = charts;
  charts.sendView();
  installShortcuts({
    togglePlay: () => controls.togglePlay(),
    step: () => controls.step(1),
    reset: () => controls.reset(),
  });
  if (!(await share.restore(location.hash))) await app.loadExample(app.examples[0].id);
}

const controls = createControls(app);
window.__app = app;
app.controls = controls;

main().catch((e) => {
  app.showError(`gradstep could not start: ${errorText(e)}`);
});
