// The training worker: owns the one WorkerSession and does all loading,
// configuring, stepping, background work (the exact optimum, the α-sweep)
// and frame-making, in ticks of at most ~10 ms so that every message (Pause,
// Step, a new α) is handled within one frame. The main thread only draws.
//
// Protocol (main → worker): requests `{rid, type, ...}` answered by one
// `{type: 'reply', rid, ok, value | error}`; plus `{type: 'drawn'}` (a
// frame is on screen, or was replaced unseen: back-pressure). Worker → main, unasked:
// `{type: 'progress', fraction, text}` while a file loads or a sweep runs,
// `{type: 'frame', …}` (see `pump`), `{type: 'recovered', message}` after
// the engine was restarted, `{type: 'fatal', message}` when it cannot be.

import init, { WorkerSession, format_number } from './pkg/gradstep_worker.js';

/** Bytes read from a file per chunk. */
const CHUNK_BYTES = 1 << 20;
/** Most milliseconds of stepping per tick. */
const TICK_MS = 10;
/** Fast play steps in shorter ticks, so that 'drawn' is answered (and the next frame sent) sooner. */
const FAST_TICK_MS = 5;
/** Longest wait for the page to draw new data before background work. */
const BACKGROUND_HOLD_MS = 400;
/** Milliseconds of background work per tick (optimum, sweep). */
const BACKGROUND_MS = 5;

let wasm = null;
let session = null;
let hasData = false;

// What the page shows (a ViewRequest) and how it plays.
let view = {};
let playing = false;
/** Play pressed when no run can step: the page shows Pause, nothing steps. */
let idlePlay = false;
let pace = null; // steps per second, or 'fast': each play (and pace) message sets it
let clock = { t0: 0, done: 0 };
let playSeq = 0; // the page's number of its last play/pause/reset processed (frames carry it)
let convergedOnce = new Set(); // run ids that converged since their start: Play pauses once for them
let pendingSteps = 0;

// Frames and back-pressure.
let dirty = false;
let dataDirty = false;
let dataSeq = 0; // grows with each new data or configuration (not with the optimum)
/** Frames posted and not yet drawn (or dropped) by the page. */
let framesInFlight = 0;
/** At most this many: one being drawn and the next one waiting, so that
 * every animation frame has a fresh frame to draw. */
const MAX_FRAMES_IN_FLIGHT = 2;
let frameSeq = 0;
let gridSent = null; // `${a},${b},${version}` of the grid last sent
let sweepDirty = false;
/** The last sweep no longer describes the active run (the page hides it). */
let sweepWasStale = false;
let events = [];
let drawnSince = 0;

// Background work and stepping speed.
let backgroundIdle = true;
let holdUntil = 0; // background work waits until then, or until new data's frames are drawn
let backgroundRows = 50000;
let stepCost = 0; // ms per single step, measured
let sweepRunning = false;

// The last good state, to rebuild the session after a trap.
let lastGood = null; // {source, data, runs, active}
let loadToken = 0;
let tickQueued = false;
let tickTimer = 0;
let replaying = null;

const channel = new MessageChannel();
channel.port1.onmessage = () => tick();

function post(message, transfer = []) {
  self.postMessage(message, transfer);
}

function errorText(e) {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError;
}

// ------------------------------------------------------------------ guarded calls

/** Runs a session call; a trap rebuilds the session and rethrows a one-line error. */
function call(fn) {
  try {
    return fn();
  } catch (e) {
    if (isTrap(e)) {
      recover(e);
      throw new Error('the engine stopped unexpectedly and was restarted with your last good data and settings');
    }
    throw e;
  }
}

/** A fresh session after a trap, reloaded with the last good data and settings. */
function recover(trap) {
  const why = errorText(trap);
  playing = false;
  pendingSteps = 0;
  sweepRunning = false;
  try {
    session = new WorkerSession();
    hasData = false;
    if (lastGood) restoreLastGood();
    post({ type: 'recovered', message: `The engine stopped unexpectedly (${why}); it was restarted with your last good data and settings, from step 0.` });
  } catch (e) {
    post({ type: 'fatal', message: `The engine stopped unexpectedly (${why}) and could not be restarted here (${errorText(e)}).` });
  }
}

function restoreLastGood() {
  const { source, data, runs, active } = lastGood;
  if (source.kind === 'example') {
    session.load_example(source.id);
    session.configure(data);
  } else {
    // A File was read to the end before; its bytes are read again at once
    // (FileReaderSync exists in workers only).
    const bytes = source.kind === 'text'
      ? new TextEncoder().encode(source.text)
      : new Uint8Array(new FileReaderSync().readAsArrayBuffer(source.file));
    session.begin_load(source.name, bytes.length);
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) session.push_bytes(bytes.subarray(at, at + CHUNK_BYTES));
    if (bytes.length === 0) session.push_bytes(new Uint8Array(0));
    session.finish_load(data);
  }
  runs.forEach((settings, i) => {
    if (i === 0) session.set_run(0, settings);
    else session.add_run(settings);
  });
  session.select_run(Math.min(active, runs.length - 1));
  hasData = true;
  markData();
}

/** Records the data (and its settings) as the last good state. */
function remember(source) {
  if (!hasData) return;
  lastGood = { source: source || lastGood.source, data: session.summary().settings, runs: [], active: 0 };
  rememberRuns();
}

/** Records the runs' settings as the last good state. */
function rememberRuns() {
  if (!hasData || !lastGood) return;
  const readout = session.readout(view);
  lastGood.runs = readout.runs.map((r) => r.settings);
  lastGood.active = readout.active;
}

// ------------------------------------------------------------------ frames

function markDirty() {
  dirty = true;
  schedule();
}

function markData() {
  dataSeq += 1;
  dataDirty = true;
  gridSent = null;
  // The page lays out new data in its next frames: the background work
  // (a second of Newton at a million rows) waits until they are drawn, or
  // at most BACKGROUND_HOLD_MS, so that it does not compete with them for
  // the CPU (on two cores it made the page's longest task 20% longer).
  holdUntil = performance.now() + BACKGROUND_HOLD_MS;
  markDirty();
}

/** Background work is held for the page's first frames of new data. */
function held() {
  return holdUntil > 0 && performance.now() < holdUntil;
}

/** Posts a frame if one is due and fewer than MAX_FRAMES_IN_FLIGHT wait. */
function pump() {
  if (!dirty || framesInFlight >= MAX_FRAMES_IN_FLIGHT || !hasData) return;
  dirty = false;
  const message = { type: 'frame', seq: ++frameSeq, playing, playSeq, pace, dataSeq };
  const transfer = [];
  try {
    call(() => {
      if (dataDirty) {
        message.summary = session.summary();
        const scene = session.scene();
        message.scene = scene.buffer;
        transfer.push(scene.buffer);
        message.cells = session.cells();
        dataDirty = false;
      }
      const frame = session.frame(view);
      message.frame = frame.buffer;
      transfer.push(frame.buffer);
      message.readout = session.readout(view);
      if (view.pair) {
        const grid = session.grid(view.pair[0], view.pair[1]);
        const key = grid ? `${view.pair[0]},${view.pair[1]},${grid.version}` : null;
        if (grid && key !== gridSent) {
          message.grid = grid.bytes.buffer;
          transfer.push(grid.bytes.buffer);
          gridSent = key;
        }
      }
      // A sweep of other settings is hidden; back on them, it is sent again.
      const sweepStale = session.sweep_stale();
      if (sweepStale !== sweepWasStale) {
        sweepWasStale = sweepStale;
        if (sweepStale) message.sweepStale = true;
        else sweepDirty = true;
      }
      if (sweepDirty) {
        const sweep = session.sweep();
        if (sweep) {
          message.sweep = sweep.buffer;
          transfer.push(sweep.buffer);
        }
        sweepDirty = false;
      }
    });
  } catch (e) {
    post({ type: 'error', message: errorText(e) });
    return;
  }
  message.canStep = session.can_step();
  message.events = events;
  events = [];
  framesInFlight += 1;
  post(message, transfer);
}

// ------------------------------------------------------------------ ticks

function schedule(delay = 0) {
  if (tickQueued) return;
  tickQueued = true;
  if (delay > 0) {
    tickTimer = setTimeout(() => {
      tickTimer = 0;
      tick();
    }, delay);
  } else {
    channel.port2.postMessage(0);
  }
}

function wake() {
  if (tickTimer) {
    clearTimeout(tickTimer);
    tickTimer = 0;
    tickQueued = false;
  }
  schedule();
}

/** Steps `n` times (every run that can), noting status changes. */
function stepNow(n) {
  const t0 = performance.now();
  const changes = call(() => session.step(n));
  const dt = performance.now() - t0;
  if (n > 0 && dt > 0) stepCost = stepCost ? 0.7 * stepCost + 0.3 * (dt / n) : dt / n;
  if (changes.length) onStatusChanges(changes);
  markDirty();
  return changes;
}

function onStatusChanges(changes) {
  const readout = session.readout(view);
  let newlyConverged = false;
  for (const c of changes) {
    const run = readout.runs[c.run];
    const id = run ? run.id : c.run;
    // A run whose gradient norm wanders around the tolerance (momentum) is
    // reported converged once, not at every crossing.
    if (c.status === 'converged') {
      if (convergedOnce.has(id)) continue;
      convergedOnce.add(id);
      newlyConverged = true;
    }
    events.push({ kind: c.status, run: c.run, id, step: run ? run.step : 0, message: c.message });
  }
  // Play and Step ×N stop once every run still going has converged (each
  // run once, at the step it converged), or when nothing can step any more.
  const going = readout.runs.filter((r) => !r.pinned && r.status !== 'diverged');
  const allConverged = going.every((r) => convergedOnce.has(r.id));
  const stop = !session.can_step() || (newlyConverged && allConverged);
  if (stop) pendingSteps = 0;
  if (!playing) return;
  if (stop) {
    playing = false;
    pendingSteps = 0;
    events.push({ kind: 'autopause', step: readout.runs[readout.active].step });
  }
}

/** Back to step 0: convergence pauses Play again. */
function restarted() {
  convergedOnce = new Set();
}

/** How many steps fit in `ms` milliseconds, from the measured step cost. */
function stepsFitting(ms) {
  if (!stepCost) return 1;
  return Math.max(1, Math.floor(ms / stepCost));
}

function tick() {
  tickQueued = false;
  if (!session) return;
  const start = performance.now();
  let delay = 0;
  try {
    if (idlePlay && playing && session.can_step()) {
      // A run became steppable (unpinned, or a new run): play it from now.
      idlePlay = false;
      clock = { t0: performance.now() - (pace === 'fast' ? 0 : 1000 / pace), done: 0 };
    }
    if (hasData && idlePlay && playing && pendingSteps === 0) {
      // Playing with nothing to step: wait for Pause or a change.
    } else if (hasData && (pendingSteps > 0 || playing)) {
      if (!session.can_step()) {
        if (playing || pendingSteps > 0) events.push({ kind: 'cannot-step' });
        playing = false;
        pendingSteps = 0;
        markDirty();
      } else if (pendingSteps > 0) {
        while (pendingSteps > 0 && performance.now() - start < TICK_MS) {
          const n = Math.min(pendingSteps, stepsFitting(TICK_MS - (performance.now() - start)));
          pendingSteps -= n;
          stepNow(n);
          if (!session.can_step()) pendingSteps = 0;
        }
      } else if (pace === 'fast') {
        while (playing && performance.now() - start < FAST_TICK_MS) {
          stepNow(stepsFitting(FAST_TICK_MS - (performance.now() - start)));
        }
      } else {
        const now = performance.now();
        let due = Math.floor(((now - clock.t0) * pace) / 1000) - clock.done;
        const fit = stepsFitting(TICK_MS);
        if (due > fit) {
          // Behind (slow steps): drop the backlog rather than race to catch up.
          clock.t0 = now - ((clock.done + fit) * 1000) / pace;
          due = fit;
        }
        if (due > 0) {
          clock.done += due;
          stepNow(due);
        }
        delay = Math.max(1, clock.t0 + ((clock.done + 1) * 1000) / pace - performance.now());
      }
    }
    if (hasData && !backgroundIdle && !held()) background(start);
  } catch (e) {
    playing = false;
    pendingSteps = 0;
    events.push({ kind: 'error', message: errorText(e) });
    markDirty();
  }
  pump();
  const waiting = !backgroundIdle && hasData;
  const stepping = playing && !idlePlay;
  const busy = pendingSteps > 0 || (stepping && pace === 'fast') || (waiting && !held());
  if (busy) schedule(0);
  else if (stepping) schedule(waiting ? Math.min(delay, holdUntil - performance.now() + 1) : delay);
  else if (waiting) schedule(Math.max(1, holdUntil - performance.now() + 1));
}

/** Background work (the exact optimum, then the α-sweep) in the time left. */
function background(start) {
  const left = Math.max(1, BACKGROUND_MS - Math.max(0, performance.now() - start - TICK_MS));
  const t0 = performance.now();
  const done = call(() => session.background(backgroundRows));
  const dt = performance.now() - t0;
  // At most doubling per tick: phases of the solver cost differently per row.
  backgroundRows = Math.max(1000, Math.min(4000000, Math.round(backgroundRows * Math.min(2, dt > 0 ? left / dt : 2))));
  if (done.optimum_ready) {
    events.push({ kind: 'optimum' });
    dataDirty = true; // the summary's notes change once the optimum is known
    markDirty();
  }
  if (done.sweep_ready) {
    sweepRunning = false;
    sweepDirty = true;
    events.push({ kind: 'sweep' });
    markDirty();
  } else if (sweepRunning && !done.idle) {
    post({ type: 'sweep-progress' });
  }
  if (done.idle) backgroundIdle = true;
}

function startBackground() {
  backgroundIdle = false;
  schedule();
}

// ------------------------------------------------------------------ loading

function stop() {
  playing = false;
  idlePlay = false;
  pendingSteps = 0;
}

/** Notes the page's command number (frames say which command they follow). */
function command(seq) {
  if (typeof seq === 'number' && seq > playSeq) playSeq = seq;
}

/** After new data: α back to each run's default rule (it depends on the data). */
function afterLoad(source) {
  hasData = true;
  restarted();
  const readout = session.readout(view);
  readout.runs.forEach((r, i) => {
    if (r.settings.learning_rate !== null) session.set_run(i, { ...r.settings, learning_rate: null });
  });
  sweepRunning = false;
  remember(source);
  markData();
  startBackground();
}

function megabytes(bytes) {
  return format_number(bytes / 1e6, 3);
}

async function loadFile(file, settings) {
  const token = ++loadToken;
  const size = file.size;
  call(() => session.begin_load(file.name, size));
  const t0 = performance.now();
  let parseMs = 0;
  let rows = 0;
  try {
    // The next chunk is read while this one is parsed.
    const read = (from) => {
      if (from >= size) return null;
      const chunk = file.slice(from, Math.min(size, from + CHUNK_BYTES)).arrayBuffer();
      chunk.catch(() => {}); // a read left behind by a cancelled load fails quietly
      return chunk;
    };
    let next = read(0);
    for (let at = 0; at < size || (size === 0 && at === 0); at += CHUNK_BYTES) {
      const buffer = size === 0 ? new ArrayBuffer(0) : await next;
      next = read(at + CHUNK_BYTES);
      if (token !== loadToken) return { cancelled: true };
      const p0 = performance.now();
      const progress = call(() => session.push_bytes(new Uint8Array(buffer)));
      parseMs += performance.now() - p0;
      rows = progress.rows;
      const fraction = progress.fraction ?? (size ? Math.min(1, (at + buffer.byteLength) / size) : 1);
      post({
        type: 'progress',
        fraction,
        text: `Reading ${file.name}: ${megabytes(progress.bytes)} of ${megabytes(size)} MB, ${rows.toLocaleString('en-US')} rows`,
      });
      if (size === 0) break;
    }
    post({ type: 'progress', fraction: 1, text: `Preparing ${rows.toLocaleString('en-US')} rows of ${file.name}…` });
    const f0 = performance.now();
    call(() => session.finish_load(settings));
    const finishMs = performance.now() - f0;
    stop();
    afterLoad({ kind: 'file', name: file.name, file });
    return { rows, bytes: size, parseMs, finishMs, totalMs: performance.now() - t0 };
  } catch (e) {
    if (token === loadToken) {
      try {
        session.cancel_load();
      } catch {
        // nothing was being read
      }
    }
    throw e;
  }
}

// ------------------------------------------------------------------ replay (share links)

/**
 * Rebuilds a race from a link: runs in order (fresh ones from their start, a
 * fork as its parent at the fork step), then every run stepped to its
 * count, one at a time (the others pinned), each change of its settings
 * applied at the step it was made. Yields between slices so that the
 * worker stays responsive.
 */
async function replay(plan) {
  restarted();
  const current = session.readout(view);
  for (let i = current.runs.length - 1; i >= 1; i--) session.remove_run(i);
  session.pin_run(0, false);
  const target = plan.runs;
  const timeline = (i) => (target[i].timeline && target[i].timeline.length ? target[i].timeline : [{ step: 0, settings: target[i].settings }]);
  const settingsAt = (i, at) => timeline(i).reduce((s, c) => (c.step <= at ? c.settings : s), timeline(i)[0].settings);
  const nextChange = (i, at) => {
    const c = timeline(i).find((x) => x.step > at);
    return c ? c.step : Infinity;
  };
  const stepOf = (i) => session.readout(view).runs[i].step;
  const total = target.reduce((s, r) => s + r.steps, 0) || 1;
  let replayed = 0;
  let slice = performance.now();
  const advance = async (index, to) => {
    const count = session.readout(view).runs.length;
    for (let j = 0; j < count; j++) session.pin_run(j, j !== index);
    let at = stepOf(index);
    let chunk = 1;
    let stuck = false;
    while (at < to && !stuck) {
      session.set_run(index, settingsAt(index, at));
      const until = Math.min(to, nextChange(index, at));
      while (at < until) {
        const n = Math.min(until - at, chunk);
        const t0 = performance.now();
        session.step(n);
        const dt = performance.now() - t0;
        chunk = Math.max(1, Math.min(1000000, Math.round(n * (dt > 0 ? Math.min(4, TICK_MS / 2 / dt) : 4))));
        const now = stepOf(index);
        if (now === at) {
          stuck = true; // diverged: it cannot go on
          break;
        }
        replayed += now - at;
        at = now;
        if (performance.now() - slice > TICK_MS) {
          post({ type: 'progress', fraction: Math.min(1, replayed / total), text: `Replaying the shared race: step ${at.toLocaleString('en-US')} of run ${index + 1}` });
          await new Promise((resolve) => setTimeout(resolve, 0));
          slice = performance.now();
        }
      }
    }
    if (!stuck) session.set_run(index, settingsAt(index, at));
    for (let j = 0; j < count; j++) session.pin_run(j, false);
  };
  session.set_start((target[0] && target[0].start) || []);
  for (let i = 0; i < target.length; i++) {
    const r = target[i];
    if (r.fork && r.fork.parent < i) {
      await advance(r.fork.parent, r.fork.step);
      const index = session.fork_run(r.fork.parent);
      session.set_run(index, settingsAt(i, r.fork.step));
    } else if (i === 0) {
      session.set_run(0, settingsAt(0, 0));
    } else {
      const index = session.add_run(settingsAt(i, 0));
      if (JSON.stringify(r.start || []) !== JSON.stringify(target[0].start || [])) session.set_run_start(index, r.start || []);
    }
  }
  for (let i = 0; i < target.length; i++) await advance(i, target[i].steps);
  target.forEach((r, i) => session.pin_run(i, Boolean(r.pinned)));
  session.select_run(Math.min(plan.active || 0, target.length - 1));
  rememberRuns();
  markDirty();
  return {};
}

// ------------------------------------------------------------------ messages

const handlers = {
  async 'load-example'({ id, settings }) {
    stop();
    loadToken += 1;
    call(() => session.load_example(id));
    if (settings) call(() => session.configure(settings));
    afterLoad({ kind: 'example', id });
    return {};
  },
  'load-file'({ file, settings }) {
    return loadFile(file, settings);
  },
  'load-text'({ name, text, settings }) {
    loadToken += 1;
    call(() => session.load_text(name, text, settings));
    stop();
    afterLoad({ kind: 'text', name, text });
    return {};
  },
  configure({ settings, resetActiveRate }) {
    call(() => session.configure(settings));
    restarted();
    if (resetActiveRate) {
      const r = session.readout(view);
      session.set_run(r.active, { ...r.runs[r.active].settings, learning_rate: null });
    }
    stop();
    sweepRunning = false;
    remember();
    markData();
    startBackground();
    return {};
  },
  'set-run'({ index, settings }) {
    call(() => session.set_run(index, settings));
    rememberRuns();
    markDirty();
    return {};
  },
  'add-run'({ settings }) {
    const index = call(() => session.add_run(settings));
    session.select_run(index);
    rememberRuns();
    markDirty();
    return { index };
  },
  'fork-run'({ index }) {
    const copy = call(() => session.fork_run(index));
    session.select_run(copy);
    rememberRuns();
    markDirty();
    return { index: copy };
  },
  'pin-run'({ index, pinned }) {
    call(() => session.pin_run(index, pinned));
    markDirty();
    return {};
  },
  'remove-run'({ index }) {
    call(() => session.remove_run(index));
    rememberRuns();
    markDirty();
    return {};
  },
  'select-run'({ index }) {
    call(() => session.select_run(index));
    rememberRuns();
    markDirty();
    return {};
  },
  step({ n }) {
    if (!call(() => session.can_step())) return { stepped: false };
    if (n === 1 && !playing && pendingSteps === 0) {
      stepNow(1);
      pump();
    } else {
      pendingSteps += n;
      wake();
    }
    return { stepped: true };
  },
  play({ pace: p, seq }) {
    pace = p;
    command(seq);
    if (!call(() => session.can_step())) {
      // Play plays until Pause even so; the page says why nothing moves.
      playing = true;
      idlePlay = true;
      pendingSteps = 0;
      markDirty();
      return { playing: true, idle: true, playSeq };
    }
    idlePlay = false;
    const readout = session.readout(view);
    const going = readout.runs.filter((r) => !r.pinned && r.status !== 'diverged');
    const converged = going.length > 0 && going.every((r) => r.status === 'converged' || convergedOnce.has(r.id));
    playing = true;
    pendingSteps = 0;
    clock = { t0: performance.now() - (pace === 'fast' ? 0 : 1000 / pace), done: 0 };
    wake();
    return { playing: true, playSeq, converged };
  },
  pause({ seq }) {
    command(seq);
    stop();
    markDirty();
    const r = session.readout(view);
    return { playSeq, step: r.runs[r.active].step };
  },
  pace({ pace: p }) {
    pace = p;
    if (playing) {
      clock = { t0: performance.now(), done: 0 };
      wake();
    }
    return {};
  },
  reset({ seq }) {
    command(seq);
    stop();
    call(() => session.reset());
    restarted();
    markDirty();
    return { playSeq };
  },
  'set-start'({ a, va, b, vb, seq }) {
    command(seq);
    stop();
    call(() => session.set_start_pair(a, va, b, vb));
    restarted();
    markDirty();
    return { playSeq };
  },
  view({ view: v }) {
    view = v;
    markDirty();
    return {};
  },
  sweep({ steps }) {
    call(() => session.start_sweep(steps));
    sweepRunning = true;
    startBackground();
    return {};
  },
  gradcheck() {
    return call(() => session.gradient_check());
  },
  curvature() {
    return call(() => session.curvature());
  },
  predict({ cells }) {
    return call(() => session.predict_cells(cells));
  },
  rows({ from, count }) {
    return call(() => session.rows(from, count));
  },
  'export-model'() {
    return JSON.stringify(call(() => session.export_model()), null, 2);
  },
  'history-csv'() {
    return call(() => session.history_csv());
  },
  'race-record'() {
    return call(() => session.race_record());
  },
  'source-text'({ max }) {
    return call(() => session.source_text(max)) ?? null;
  },
  replay({ plan }) {
    stop();
    replaying = replay(plan).finally(() => {
      replaying = null;
    });
    return replaying;
  },
  stats() {
    return { memory: wasm.memory.buffer.byteLength, stepCost, cells: session.cells(), idle: backgroundIdle && !playing && pendingSteps === 0 };
  },
  /** Times single steps (the bench): `n` calls of step(1), in ms. */
  /**
   * Benchmarks: `n` samples of the time per step, each the mean over a block
   * of `block` steps (the browser's timer is coarse next to a 0.5 ms step).
   */
  'time-steps'({ n, block = 1 }) {
    const times = [];
    const k = Math.max(1, Math.floor(block));
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      session.step(k);
      times.push((performance.now() - t0) / k);
    }
    markDirty();
    return { times };
  },
  /** Tests the trap recovery: behaves as a wasm trap inside a session call. */
  'simulate-trap'() {
    return call(() => {
      throw new WebAssembly.RuntimeError('unreachable executed (simulated)');
    });
  },
};

async function handle(message) {
  if (message.type === 'drawn') {
    framesInFlight = Math.max(0, framesInFlight - 1);
    drawnSince += 1;
    pump();
    if (holdUntil && framesInFlight === 0 && !dataDirty) {
      // The new data is on the page: background work may start.
      holdUntil = 0;
      if (!backgroundIdle) wake();
    }
    return;
  }
  const { rid, type } = message;
  // A shared race being rebuilt finishes first (Pause and the view go on).
  if (replaying && type !== 'pause' && type !== 'view' && type !== 'replay') await replaying.catch(() => {});
  const handler = handlers[type];
  if (!handler) {
    post({ type: 'reply', rid, ok: false, error: `unknown request ${type}` });
    return;
  }
  try {
    const value = await handler(message);
    post({ type: 'reply', rid, ok: true, value });
  } catch (e) {
    post({ type: 'reply', rid, ok: false, error: errorText(e) });
    markDirty();
  }
  pump();
}

// Messages that arrive before the engine is ready wait for it.
const ready = init().then((exports) => {
  wasm = exports;
  session = new WorkerSession();
});
self.onmessage = (e) => {
  ready.then(() => handle(e.data), (err) => post({ type: 'fatal', message: `the engine could not start: ${errorText(err)}` }));
};
ready.then(() => post({ type: 'ready' }));
