// Fuzzes the wasm WorkerSession's API in node: random sequences of calls
// with hostile arguments (null, NaN, 1e308, wrong types, unknown settings,
// random CSV bytes). Oracles, for every call:
// - it returns, or throws an Error with one bounded line (never a trap: a
//   wasm RuntimeError means a panic or an abort);
// - the session keeps working: the next call is answered as before;
// - nothing it returns holds NaN or ±Infinity, in a number or in words;
// - no call takes more than 5 s (a watchdog in the main thread).
//
//   node scripts/fuzz-wasm.mjs [minutes=1] [seed]
// Needs www/pkg (bash scripts/build-web.sh). A broken invariant writes the
// case to fuzz/artifacts/wasm/ and exits 1.
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HANG_MS = 5000;

if (isMainThread) {
  const minutes = Number(process.argv[2] ?? 1);
  const seed = Number(process.argv[3] ?? Date.now() % 1e9);
  const beat = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { minutes, seed, beat } });
  let last = 0;
  let lastChange = Date.now();
  let lastCase = null;
  const watchdog = setInterval(() => {
    const now = Atomics.load(beat, 0);
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > HANG_MS) {
      clearInterval(watchdog);
      worker.terminate();
      fail(`a call took more than ${HANG_MS / 1000} s`, lastCase);
    }
  }, 250);
  worker.on('message', (m) => {
    if (m.type === 'case') lastCase = m.case;
    else if (m.type === 'call') lastCase?.calls.push(m.entry);
    else if (m.type === 'finding') {
      clearInterval(watchdog);
      worker.terminate();
      fail(m.finding, m.case);
    } else if (m.type === 'done') {
      clearInterval(watchdog);
      console.log(`fuzz-wasm: ${m.cases} cases, ${m.calls} calls (${m.errors} refused with a message) in ${m.seconds.toFixed(0)} s, seed ${seed}: no trap, no hang, no NaN or inf`);
    }
  });
  worker.on('error', (e) => {
    clearInterval(watchdog);
    fail(`the fuzzer itself failed: ${e.stack}`, lastCase);
  });
} else {
  await fuzz(workerData);
}

function fail(finding, testCase) {
  mkdirSync(join(ROOT, 'fuzz/artifacts/wasm'), { recursive: true });
  const file = join(ROOT, 'fuzz/artifacts/wasm', `case-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(testCase, null, 1));
  console.error(`fuzz-wasm: ${finding}\nfuzz-wasm: the calls are in ${file}`);
  process.exit(1);
}

async function fuzz({ minutes, seed, beat }) {
  const glue = await import(join(ROOT, 'www/pkg/gradstep_worker.js'));
  glue.initSync({ module: readFileSync(join(ROOT, 'www/pkg/gradstep_worker_bg.wasm')) });
  let state = seed >>> 0 || 1;
  const rand = () => {
    // xorshift32
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const files = readdirSync(join(ROOT, 'tests/data')).filter((f) => f.endsWith('.csv'))
    .map((f) => readFileSync(join(ROOT, 'tests/data', f)).subarray(0, 20000));
  const seeds = readdirSync(join(ROOT, 'tests/data/fuzz')).map((f) => readFileSync(join(ROOT, 'tests/data/fuzz', f)).subarray(8));
  const tokens = ['1e308', '-1e308', 'NaN', 'inf', '', '"', ',', ';', '\t', '\n', '\r\n', '0', '-0', '1,5', '1.000,5', '$3', '50%', '2024-01-31', 'x', '\u00e9', '\ufeff', '\0'];
  const mutate = (bytes) => {
    const text = Array.from(Buffer.from(bytes).toString('latin1'));
    const n = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < n; k++) {
      const at = Math.floor(rand() * (text.length + 1));
      const r = rand();
      if (r < 0.4) text.splice(at, 0, pick(tokens));
      else if (r < 0.7) text.splice(at, 1 + Math.floor(rand() * 4));
      else text.splice(at, 0, text.slice(at, at + Math.floor(rand() * 40)).join(''));
    }
    return Buffer.from(text.join(''), 'latin1');
  };
  let forbidden = [];
  // Every file a case reads may itself hold the words NaN or inf (in a cell
  // or a name the page quotes back): those are the person's, not ours.
  const csv = () => {
    const bytes = rand() < 0.15 ? pick(files) : mutate(pick(rand() < 0.5 ? files : seeds));
    const words = new Set(Buffer.from(bytes).toString('latin1').split(/[^A-Za-z0-9]+/));
    // A word cut short when quoted ('…nanEEE' → '…nan') is the person's too.
    forbidden = forbidden.filter((w) => ![...words].some((x) => x.includes(w)));
    return bytes;
  };
  const numbers = [0, -1, 1, 0.5, 1e-3, 1e308, -1e308, 5e-324, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53];
  const anything = () => pick([null, undefined, 'text', {}, [], { bogus: 1 }, true, pick(numbers), new Float64Array([NaN, 1]), 'x'.repeat(5000)]);
  const number = () => (rand() < 0.7 ? pick(numbers) : anything());
  const index = () => (rand() < 0.8 ? Math.floor(rand() * 4) : pick([-1, 2 ** 32 - 1, NaN]));
  const runSettings = () => pick([
    undefined, null,
    { learning_rate: number() },
    { optimizer: { kind: pick(['gd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'sgd']) }, learning_rate: number() },
    { optimizer: { kind: 'adam', beta1: number(), beta2: number(), eps: number() } },
    { schedule: pick([{ kind: 'step', every: number(), factor: number() }, { kind: 'exp', gamma: number() }, { kind: 'cosine', period: number() }, { kind: 'warp' }]) },
    { batch_size: number(), seed: number(), tolerance: number() },
    { bogus: 1 },
    anything(),
  ]);
  const dataSettings = () => pick([
    undefined, null,
    { standardize: rand() < 0.5 },
    { missing: pick(['error', 'drop', 'mean', 'guess']) },
    { model: pick(['linear', 'logistic', 'poisson']) },
    { l2: number() },
    { target: pick(['y', 'x', 'nope', '']), features: rand() < 0.5 ? null : [pick(['x', 'a', 'b'])] },
    { transforms: [pick([{ kind: 'power', column: 'x', degree: number() }, { kind: 'one_hot', column: 'nope' }, 'junk'])] },
    { bogus: true },
    anything(),
  ]);
  const view = () => pick([undefined, null, {}, { pair: [0, 1], eigen: true, newton: true }, { pair: [index(), index()] }, { history_points: number() }, { race_gap: number() }, { bogus: 1 }, anything()]);

  const calls = {
    begin_load: () => [pick(['data.csv', null, 5, 'x'.repeat(3000)]), pick([null, 100, NaN, -5])],
    push_bytes: () => [rand() < 0.9 ? csv() : anything()],
    finish_load: () => [dataSettings()],
    cancel_load: () => [],
    load_text: () => ['f.csv', rand() < 0.9 ? csv() : anything(), dataSettings()],
    load_example: () => [pick(['classic', 'study-hours', 'nope', null, 7])],
    configure: () => [dataSettings()],
    set_run: () => [index(), runSettings()],
    add_run: () => [runSettings()],
    fork_run: () => [index()],
    pin_run: () => [index(), rand() < 0.5],
    remove_run: () => [index()],
    select_run: () => [index()],
    step: () => [pick([1, 5, 100, 0, 2 ** 32 - 1])],
    can_step: () => [],
    reset: () => [],
    set_start: () => [pick([[0, 0], [NaN], [1e308, -1e308, 1e308], new Float64Array(3), null, 'x'])],
    set_start_pair: () => [index(), number(), index(), number()],
    background: () => [pick([10, 1000, 0])],
    start_sweep: () => [pick([1, 20, 0])],
    summary: () => [],
    readout: () => [view()],
    scene: () => [],
    frame: () => [view()],
    grid: () => [index(), index()],
    sweep: () => [],
    curvature: () => [],
    contributors: () => [pick([0, 3, 1000])],
    gradient_check: () => [],
    predict_cells: () => [pick([['1'], ['1', '2'], ['x'], [], null, 'x', [1], ['1e308'], ['NaN', '−2'], ['7,5', 'yes'], ['a'.repeat(5000)]])],
    rows: () => [pick([0, 3, 2 ** 32 - 1]), pick([0, 5, 2 ** 32 - 1])],
    export_model: () => [],
    history_csv: () => [],
    source_text: () => [pick([0, 100, 1 << 20])],
    cells: () => [],
  };
  const names = Object.keys(calls);
  const check = (value, forbidden, where) => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `${where} is ${value}`;
    } else if (typeof value === 'string') {
      for (const w of value.split(/[^A-Za-z0-9]+/)) if (forbidden.includes(w)) return `${where} shows "${w}": ${value.slice(0, 200)}`;
    } else if (ArrayBuffer.isView(value)) {
      if (value instanceof Float64Array || value instanceof Float32Array) {
        for (const v of value) if (!Number.isFinite(v)) return `${where} holds ${v}`;
      }
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const bad = check(v, forbidden, `${where}.${k}`);
        if (bad) return bad;
      }
    }
    return null;
  };

  // Arguments as JSON can hold them: bytes as base64, non-finite numbers as text.
  const describe = (v) => {
    if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('base64') };
    if (v instanceof Float64Array) return { f64: Array.from(v, String) };
    if (typeof v === 'number' && !Number.isFinite(v)) return { number: String(v) };
    if (v === undefined) return { undefined: true };
    if (typeof v === 'string' && v.length > 100) return { repeat: v[0], times: v.length };
    if (Array.isArray(v)) return v.map(describe);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
    return v;
  };

  const t0 = Date.now();
  let cases = 0;
  let callCount = 0;
  let errors = 0;
  let beatCount = 0;
  while (Date.now() - t0 < minutes * 60000) {
    cases++;
    const session = new glue.WorkerSession();
    const log = [];
    const record = { seed, case: cases, calls: log };
    parentPort.postMessage({ type: 'case', case: { seed, case: cases, calls: [] } });
    forbidden = ['NaN', 'nan', 'inf', 'Infinity', 'infinity'];
    // Most cases start with data, so that later calls reach the engine.
    const first = csv();
    log.push(['load_text', 'f.csv', describe(first)]);
    parentPort.postMessage({ type: 'call', entry: log[0] });
    try { session.load_text('f.csv', first, undefined); } catch (e) { /* checked below */ }
    for (let k = 0; k < 25; k++) {
      const name = pick(names);
      const args = calls[name]();
      const entry = [name, ...args.map(describe)];
      log.push(entry);
      parentPort.postMessage({ type: 'call', entry });
      Atomics.store(beat, 0, ++beatCount);
      let value;
      let thrown = null;
      try {
        value = session[name](...args);
      } catch (e) {
        thrown = e;
      }
      callCount++;
      if (thrown) {
        errors++;
        if (thrown instanceof WebAssembly.RuntimeError) {
          parentPort.postMessage({ type: 'finding', finding: `${name} trapped: ${thrown.message}`, case: record });
          return;
        }
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        if (!(thrown instanceof Error) || /\n/.test(message) || message.length > 600 || /recursive use|unreachable/.test(message)) {
          parentPort.postMessage({ type: 'finding', finding: `${name} threw a bad error: ${JSON.stringify(message.slice(0, 300))}`, case: record });
          return;
        }
        const bad = check(message, forbidden, `${name}'s error`);
        if (bad) {
          parentPort.postMessage({ type: 'finding', finding: bad, case: record });
          return;
        }
      } else if (name !== 'source_text') {
        // The page writes the model file with JSON.stringify: what a person
        // gets is that text (a value too large is null, with a reason).
        const shown = name === 'export_model' ? JSON.parse(JSON.stringify(value)) : value;
        const bad = check(shown, forbidden, name);
        if (bad) {
          parentPort.postMessage({ type: 'finding', finding: bad, case: record });
          return;
        }
      }
      // The session still answers.
      try {
        session.can_step();
        session.cells();
      } catch (e) {
        parentPort.postMessage({ type: 'finding', finding: `after ${name}, the session no longer answers: ${e.message}`, case: record });
        return;
      }
    }
    session.free();
  }
  parentPort.postMessage({ type: 'done', cases, calls: callCount, errors, seconds: (Date.now() - t0) / 1000 });
}
