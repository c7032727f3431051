// Reads a File into the wasm session in chunks, parses it and prepares the
// model a slice at a time, yielding to the browser between slices so that the
// page stays responsive and the progress bar moves.
//
// Every engine call made here is recorded as a performance measure named
// `gradstep:<call>` (read by the perf test: the longest one is the longest
// freeze the loader causes).

import { nextFrame } from './dom.js';

const CHUNK_BYTES = 2 * 1024 * 1024;
/** Milliseconds of engine work per frame while parsing. */
const PARSE_MS = 30;
/** Milliseconds of engine work per frame while preparing the model. */
const PREPARE_MS = 20;

/** Runs `fn` (an engine call) and records how long it took. */
function timed(name, fn) {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    const t1 = performance.now();
    try {
      performance.measure(`gradstep:${name}`, { start: t0, end: t1 });
    } catch {
      // An old browser without measure options: nothing to record.
    }
  }
}

/** The next slice size: aim at `budgetMs`, at most doubling per call. */
function adapt(rows, ms, budgetMs, min, max) {
  const factor = ms > 0 ? Math.min(2, budgetMs / ms) : 2;
  return Math.max(min, Math.min(max, Math.round(rows * factor)));
}

/**
 * Streams `file` into `session`, parses it and prepares the model.
 * `onProgress(fraction, text)` is called as bytes arrive, rows are parsed
 * and the model is prepared.
 * Resolves to the summary; rejects with the engine's error (the session
 * then still holds the previous data).
 */
export async function loadFile(session, file, onProgress) {
  session.begin_load();
  const total = file.size;
  let done = 0;
  onProgress(0, `Reading ${file.name}…`);
  while (done < total) {
    const end = Math.min(total, done + CHUNK_BYTES);
    const buffer = await file.slice(done, end).arrayBuffer();
    timed('push_bytes', () => session.push_bytes(new Uint8Array(buffer)));
    done = end;
    onProgress(total ? done / total : 1, `Reading ${file.name}: ${mb(done)} of ${mb(total)}`);
    await nextFrame();
  }
  // Parse a slice of rows per frame, adapting the slice to the speed
  // measured so far.
  timed('start_parse', () => session.start_parse(file.name));
  await nextFrame();
  let rows = 5000;
  while (!session.parse_done()) {
    const t0 = performance.now();
    const fraction = timed('parse_step', () => session.parse_step(rows));
    rows = adapt(rows, performance.now() - t0, PARSE_MS, 1000, 1000000);
    onProgress(fraction, `Parsing ${file.name}: ${Math.floor(fraction * 100)}%`);
    await nextFrame();
  }
  onProgress(0, `Preparing ${file.name}…`);
  await nextFrame();
  timed('end_parse', () => session.end_parse());
  return prepare(session, (fraction) =>
    onProgress(fraction, `Preparing ${file.name}: ${Math.floor(fraction * 100)}%`));
}

/**
 * Finishes the configuration the session is preparing (after `end_parse` or
 * `begin_configure`) a slice per animation frame, so that the page does not
 * freeze on big data. `onProgress(fraction)` is called after each slice.
 * Resolves to the summary; rejects with the engine's error (the session then
 * keeps its previous data and model).
 */
export async function prepare(session, onProgress) {
  let rows = 20000;
  while (!session.configure_done()) {
    const t0 = performance.now();
    const fraction = timed('configure_step', () => session.configure_step(rows));
    // Capped: the stages differ in cost per row, so a slice sized on one
    // can overshoot on the next.
    rows = adapt(rows, performance.now() - t0, PREPARE_MS, 1000, 400000);
    onProgress(fraction);
    await nextFrame();
  }
  return timed('finish_configure', () => session.finish_configure());
}

function mb(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
