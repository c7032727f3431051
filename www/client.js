// The main thread's side of the worker protocol (see worker.js): requests
// with replies, and the frames, drawn at most once per animation frame, the
// latest only, each acknowledged so that the worker sends the next.

export function createClient({ onFrame, onProgress, onRecovered, onFatal, onError, onSweepProgress }) {
  let worker = null;
  let nextId = 1;
  const pending = new Map();
  let latest = null;
  let queued = false;
  let halfDrawn = false; // a frame's second part waits for the next animation frame
  let started = null;
  let restart = null; // () => Promise, set by the page: reloads the last good state

  function spawn() {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    started = new Promise((resolve) => {
      const first = (e) => {
        if (e.data && e.data.type === 'ready') {
          worker.removeEventListener('message', first);
          resolve();
        }
      };
      worker.addEventListener('message', first);
    });
    worker.addEventListener('message', (e) => receive(e.data));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      fatal(`the training worker failed: ${e.message || 'it could not start'}`);
    });
    return started;
  }

  function fatal(message) {
    for (const { reject } of pending.values()) reject(new Error(message));
    pending.clear();
    latest = null;
    onFatal(message);
  }

  function receive(m) {
    switch (m.type) {
      case 'reply': {
        const p = pending.get(m.rid);
        if (!p) return;
        pending.delete(m.rid);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.error));
        break;
      }
      case 'frame':
        // At most two are in flight (see worker.js); a frame replaced
        // before it was drawn counts as drawn, so that the worker goes on.
        if (latest) {
          worker.postMessage({ type: 'drawn', seq: latest.seq });
          // What the worker sends once (new data, a grid, a sweep, events)
          // is kept from the replaced frame.
          for (const key of ['summary', 'scene', 'cells', 'grid', 'sweep']) {
            if (m[key] === undefined && latest[key] !== undefined) m[key] = latest[key];
          }
          if (latest.events && latest.events.length) m.events = [...latest.events, ...(m.events || [])];
        }
        latest = m;
        queueDraw();
        break;
      case 'progress':
        onProgress(m);
        break;
      case 'sweep-progress':
        onSweepProgress(m);
        break;
      case 'recovered':
        onRecovered(m.message);
        break;
      case 'error':
        onError(m.message);
        break;
      case 'fatal':
        fatal(m.message);
        break;
      default:
        break;
    }
  }

  /** The next animation frame draws the latest frame (not while one is half drawn). */
  function queueDraw() {
    if (queued || halfDrawn || !latest) return;
    queued = true;
    requestAnimationFrame(draw);
  }

  function draw() {
    queued = false;
    const frame = latest;
    latest = null;
    if (!frame) return;
    let rest;
    try {
      rest = onFrame(frame);
    } finally {
      // Drawn: now, or once the part left for the next animation frame is.
      const drawn = () => {
        halfDrawn = false;
        worker.postMessage({ type: 'drawn', seq: frame.seq });
        queueDraw();
      };
      if (rest && typeof rest.then === 'function') {
        halfDrawn = true;
        rest.then(drawn, drawn);
      } else {
        drawn();
      }
    }
  }

  /** Sends a request; resolves with the reply's value, rejects with a one-line Error. */
  function request(type, payload = {}, transfer = []) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...payload, rid: id, type }, transfer);
    });
  }

  /** A new worker after a fatal error, then the page's reload of its last good state. */
  async function respawn() {
    try {
      worker.terminate();
    } catch {
      // already gone
    }
    await spawn();
    if (restart) await restart();
  }

  return {
    start: spawn,
    request,
    respawn,
    set restart(fn) {
      restart = fn;
    },
    get worker() {
      return worker;
    },
  };
}
