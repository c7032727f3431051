// The one place for the page's settings (in the style of TensorFlow
// Playground's state.ts): every setting with its key, its name in the share
// link, its type, its default, its scope and the control it drives.
//
// * scope `data`: a field of `DataSettings` (WorkerSession.configure);
// * scope `run`: a field of `RunSettings` (WorkerSession.set_run), at `path`;
// * scope `view`: drawing only (painter options, the ViewRequest, pacing).
//
// This list drives the controls (read/write), the share link (encode/decode)
// and the configure/set_run payloads. No other file keeps a default.

/** Play speeds, steps per second; 'fast' is as many as fit in each tick. */
export const PACES = ['1', '2', '5', '10', '30', '60', 'fast'];
/** The race table's gaps: steps until L − L* < gap · (L₀ − L*). */
export const RACE_GAPS = ['1e-2', '1e-4', '1e-6', '1e-8'];
/** Steps of one α-sweep try. */
export const SWEEP_STEPS = 50;
/** The λ the "no finite optimum" note offers. */
export const SUGGESTED_L2 = 0.01;
/** Data sets up to this many bytes travel inside a share link. */
export const LINK_DATA_BYTES = 4096;
/** Above this many cells (rows × parameters) the gradient check waits for a button. */
export const GRADCHECK_AUTO_CELLS = 2e6;

export const SETTINGS = [
  // ---------------------------------------------------------------- data
  { key: 'target', url: 'target', type: 'string', default: null, scope: 'data', control: 'target' },
  { key: 'features', url: 'f', type: 'list', default: null, scope: 'data', control: 'features' },
  { key: 'model', url: 'model', type: 'enum', values: ['linear', 'logistic'], default: null, scope: 'data', control: 'model' },
  { key: 'standardize', url: 'std', type: 'bool', default: true, scope: 'data', control: 'standardize' },
  { key: 'missing', url: 'missing', type: 'enum', values: ['error', 'drop', 'mean'], default: 'error', scope: 'data', control: 'missing' },
  { key: 'l2', url: 'l2', type: 'number', min: 0, default: 0, scope: 'data', control: 'l2' },

  // ---------------------------------------------------------------- one run
  { key: 'optimizer', url: 'opt', type: 'enum', values: ['gd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'], default: 'gd', scope: 'run', path: 'optimizer.kind', control: 'optimizer' },
  { key: 'momentum', url: 'mu', type: 'number', min: 0, max: 1, default: 0.9, scope: 'run', path: 'optimizer.momentum', control: 'momentum' },
  { key: 'beta1', url: 'b1', type: 'number', min: 0, max: 1, default: 0.9, scope: 'run', path: 'optimizer.beta1', control: 'beta1' },
  { key: 'beta2', url: 'b2', type: 'number', min: 0, max: 1, default: 0.999, scope: 'run', path: 'optimizer.beta2', control: 'beta2' },
  { key: 'eps', url: 'eps', type: 'number', min: 0, nullable: true, default: null, scope: 'run', path: 'optimizer.eps', control: 'eps' },
  { key: 'decay', url: 'rho', type: 'number', min: 0, max: 1, default: 0.99, scope: 'run', path: 'optimizer.decay', control: 'rms-decay' },
  { key: 'learning_rate', url: 'lr', type: 'number', nullable: true, default: null, scope: 'run', path: 'learning_rate', control: 'lr-value' },
  { key: 'schedule', url: 'sched', type: 'enum', values: ['constant', 'step', 'exp', 'inverse', 'cosine'], default: 'constant', scope: 'run', path: 'schedule.kind', control: 'schedule' },
  { key: 'step_every', url: 'se', type: 'int', min: 1, default: 100, scope: 'run', path: 'schedule.every', control: 'sched-every', schedules: ['step'] },
  { key: 'step_factor', url: 'sf', type: 'number', min: 0, max: 1, default: 0.5, scope: 'run', path: 'schedule.factor', control: 'sched-factor', schedules: ['step'] },
  { key: 'exp_gamma', url: 'sg', type: 'number', min: 0, max: 1, default: 0.99, scope: 'run', path: 'schedule.gamma', control: 'sched-gamma', schedules: ['exp'] },
  { key: 'inverse_decay', url: 'sd', type: 'number', min: 0, default: 0.01, scope: 'run', path: 'schedule.decay', control: 'sched-decay', schedules: ['inverse'] },
  { key: 'cosine_period', url: 'st', type: 'int', min: 1, default: 1000, scope: 'run', path: 'schedule.period', control: 'sched-period', schedules: ['cosine'] },
  { key: 'batch_size', url: 'batch', type: 'int', min: 0, default: 0, scope: 'run', path: 'batch_size', control: 'batch-size' },
  { key: 'seed', url: 'seed', type: 'int', min: 0, default: 0, scope: 'run', path: 'seed', control: 'seed' },
  { key: 'tolerance', url: 'tol', type: 'number', min: 0, default: 1e-6, scope: 'run', path: 'tolerance', control: 'tolerance' },

  // ---------------------------------------------------------------- view
  { key: 'pace', url: 'pace', type: 'enum', values: PACES, default: '10', scope: 'view', control: 'speed' },
  { key: 'log_scale', url: 'log', type: 'bool', default: false, scope: 'view', control: 'log-scale' },
  { key: 'relative', url: 'rel', type: 'bool', default: false, scope: 'view', control: 'relative' },
  { key: 'epochs', url: 'ep', type: 'bool', default: false, scope: 'view', control: 'epochs' },
  { key: 'batch_loss', url: 'bl', type: 'bool', default: true, scope: 'view', control: 'batch-loss' },
  { key: 'view', url: 'view', type: 'enum', values: ['line', 'sigmoid', 'heatmap', 'predicted-actual'], default: null, scope: 'view', control: 'view' },
  { key: 'slice_x', url: 'sx', type: 'int', min: 0, default: 0, scope: 'view', control: 'slice-x' },
  { key: 'slice_y', url: 'sy', type: 'int', min: 0, default: 1, scope: 'view', control: 'slice-y' },
  { key: 'ghost', url: 'ghost', type: 'bool', default: true, scope: 'view', control: 'show-optimum' },
  { key: 'shares', url: 'shares', type: 'bool', default: false, scope: 'view', control: 'show-share' },
  { key: 'others', url: 'others', type: 'bool', default: true, scope: 'view', control: 'show-others' },
  { key: 'newton', url: 'newton', type: 'bool', default: false, scope: 'view', control: 'newton' },
  { key: 'pair_a', url: 'la', type: 'int', min: 0, default: null, scope: 'view', control: 'landscape-x' },
  { key: 'pair_b', url: 'lb', type: 'int', min: 0, default: null, scope: 'view', control: 'landscape-y' },
  { key: 'race_gap', url: 'gap', type: 'enum', values: RACE_GAPS, default: '1e-4', scope: 'view', control: 'race-gap' },
];

export const BY_KEY = Object.fromEntries(SETTINGS.map((s) => [s.key, s]));
const BY_URL = Object.fromEntries(SETTINGS.map((s) => [s.url, s]));

export function inScope(scope) {
  return SETTINGS.filter((s) => s.scope === scope);
}

/** `{key: default}` for a scope. */
export function defaults(scope) {
  return Object.fromEntries(inScope(scope).map((s) => [s.key, s.default]));
}

// ------------------------------------------------------------------ values

/** A value for `setting` from text (a control or a link), or undefined when invalid. */
export function parse(setting, text) {
  if (text === null || text === undefined) return undefined;
  const t = String(text).trim();
  switch (setting.type) {
    case 'bool':
      return t === '1' || t === 'true' ? true : t === '0' || t === 'false' ? false : undefined;
    case 'enum':
      return setting.values.includes(t) ? t : undefined;
    case 'string':
      return t;
    case 'list':
      return t === '' ? [] : t.split('\n');
    case 'int':
    case 'number': {
      if (t === '' && setting.nullable) return null;
      if (t === '') return undefined;
      const v = Number(t);
      if (!Number.isFinite(v)) return undefined;
      if (setting.type === 'int' && !Number.isInteger(v)) return undefined;
      return v;
    }
    default:
      return undefined;
  }
}

/** Text for a value (a link). */
export function format(setting, value) {
  if (value === null || value === undefined) return '';
  if (setting.type === 'bool') return value ? '1' : '0';
  if (setting.type === 'list') return value.join('\n');
  return String(value);
}

// ------------------------------------------------------------------ payloads

/** A DataSettings payload (null fields: Rust's defaults). */
export function dataSettings(values) {
  const out = {};
  for (const s of inScope('data')) out[s.key] = values[s.key] === undefined ? s.default : values[s.key];
  return out;
}

/** The page's values from a DataSettings (as `summary.settings` reports it). */
export function fromDataSettings(ds) {
  const out = {};
  for (const s of inScope('data')) out[s.key] = ds[s.key] === undefined ? s.default : ds[s.key];
  return out;
}

function getPath(object, path) {
  return path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), object);
}

function setPath(object, path, value) {
  const keys = path.split('.');
  let o = object;
  for (const k of keys.slice(0, -1)) o = o[k] ||= {};
  o[keys[keys.length - 1]] = value;
}

/** A RunSettings payload from the page's run values. */
export function runSettings(values) {
  const out = {};
  const schedule = values.schedule ?? BY_KEY.schedule.default;
  for (const s of inScope('run')) {
    if (s.schedules && !s.schedules.includes(schedule)) continue;
    const v = values[s.key] === undefined ? s.default : values[s.key];
    setPath(out, s.path, v);
  }
  return out;
}

/**
 * The page's run values from a RunSettings (a readout's `runs[].settings`);
 * a schedule's parameters that the schedule does not use keep `keep`'s.
 */
export function fromRunSettings(rs, keep = {}) {
  const out = {};
  for (const s of inScope('run')) {
    const v = getPath(rs, s.path);
    out[s.key] = v === undefined ? (keep[s.key] ?? s.default) : v;
  }
  return out;
}

// ------------------------------------------------------------------ controls

function control(setting) {
  return setting.control ? document.getElementById(setting.control) : null;
}

/** The value a setting's control shows, or undefined when it holds no valid value. */
export function readControl(setting) {
  const node = control(setting);
  if (!node) return undefined;
  if (setting.type === 'bool') return node.checked;
  if (setting.type === 'list') {
    return [...node.querySelectorAll('input[type=checkbox]')].filter((b) => b.checked).map((b) => b.value);
  }
  const v = parse(setting, node.value);
  if (v === undefined) return undefined;
  if (typeof v === 'number' && ((setting.min !== undefined && v < setting.min) || (setting.max !== undefined && v > setting.max))) return undefined;
  return v;
}

/** Shows a value in a setting's control (not while a person is typing in it). */
export function writeControl(setting, value, { force = false } = {}) {
  const node = control(setting);
  if (!node) return;
  if (!force && document.activeElement === node && node.tagName === 'INPUT' && node.type !== 'checkbox') return;
  if (setting.type === 'bool') {
    node.checked = Boolean(value);
  } else if (setting.type === 'list') {
    const wanted = new Set(value || []);
    for (const b of node.querySelectorAll('input[type=checkbox]')) b.checked = wanted.has(b.value);
  } else if (node.tagName === 'SELECT') {
    const text = value === null || value === undefined ? '' : String(value);
    if ([...node.options].some((o) => o.value === text)) node.value = text;
  } else {
    node.value = value === null || value === undefined ? '' : String(value);
  }
}

// ------------------------------------------------------------------ share links

/**
 * The hash of a share link: the source (example id, the data itself, or the
 * file's name), the data and view settings that differ from their defaults,
 * and the race: each run's settings that differ, its step count, a fork's
 * parent and step, whether it is pinned, its start when not the default,
 * and (after `;`) each change of its settings with the step it was made at.
 */
export function encodeLink({ source, data, view, runs, active }) {
  const p = new URLSearchParams();
  if (source.example) p.set('ex', source.example);
  else if (source.csv) {
    p.set('data', source.csv);
    p.set('name', source.name);
  } else p.set('file', source.name);
  for (const s of inScope('data')) {
    const v = data[s.key];
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(s.default)) {
      if (s.type === 'list') for (const item of v) p.append(s.url, item);
      else p.set(s.url, format(s, v));
    }
  }
  for (const s of inScope('view')) {
    const v = view[s.key];
    if (v !== undefined && v !== s.default) p.set(s.url, format(s, v));
  }
  const settingParts = (values) => {
    const parts = [];
    for (const s of inScope('run')) {
      if (s.schedules && !s.schedules.includes(values.schedule)) continue;
      const v = values[s.key];
      if (v !== undefined && v !== s.default) parts.push(`${s.url}:${format(s, v)}`);
    }
    return parts;
  };
  runs.forEach((r) => {
    const parts = settingParts(r.values);
    parts.push(`n:${r.steps}`);
    if (r.fork) parts.push(`fork:${r.fork.parent}.${r.fork.step}`);
    if (r.pinned) parts.push('pin:1');
    if (r.start && r.start.length) parts.push(`s:${r.start.map(String).join('_')}`);
    const segments = [parts.join(',')];
    // Settings changed during the run: each from the step it was made.
    const timeline = r.timeline || [];
    if (timeline.length > 1 || (timeline.length === 1 && timeline[0].step > 0)) {
      for (const c of timeline) segments.push([`at:${c.step}`, ...settingParts(c.values)].join(','));
    }
    p.append('run', segments.join(';'));
  });
  if (active) p.set('active', String(active));
  return p.toString();
}

/** The link's contents, or null when the hash holds none. */
export function decodeLink(hash) {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!text) return null;
  const p = new URLSearchParams(text);
  if (!p.has('ex') && !p.has('data') && !p.has('file')) return null;
  const source = { example: p.get('ex') || '', csv: p.get('data') || '', name: p.get('name') || p.get('file') || 'shared data' };
  const data = {};
  for (const s of inScope('data')) {
    if (s.type === 'list') {
      if (p.has(s.url)) data[s.key] = p.getAll(s.url);
    } else if (p.has(s.url)) {
      const v = parse(s, p.get(s.url));
      if (v !== undefined) data[s.key] = v;
    }
  }
  const view = {};
  for (const s of inScope('view')) {
    if (!p.has(s.url)) continue;
    const v = parse(s, p.get(s.url));
    if (v !== undefined) view[s.key] = v;
  }
  const setting = (values, k, v) => {
    if (!BY_URL[k] || BY_URL[k].scope !== 'run') return;
    const value = parse(BY_URL[k], v);
    if (value !== undefined) values[BY_URL[k].key] = value;
  };
  const pairs = (text) => text.split(',').map((part) => {
    const at = part.indexOf(':');
    return at < 0 ? null : [part.slice(0, at), part.slice(at + 1)];
  }).filter(Boolean);
  const runs = p.getAll('run').map((entry) => {
    const [main, ...changes] = entry.split(';');
    const values = defaults('run');
    const run = { values, steps: 0, fork: null, pinned: false, start: null, timeline: [] };
    for (const [k, v] of pairs(main)) {
      if (k === 'n') run.steps = Math.max(0, Math.floor(Number(v)) || 0);
      else if (k === 'fork') {
        const [parent, step] = v.split('.').map(Number);
        if (Number.isInteger(parent) && Number.isInteger(step)) run.fork = { parent, step };
      } else if (k === 'pin') run.pinned = v === '1';
      else if (k === 's') {
        const theta = v.split('_').map(Number);
        if (theta.length && theta.every(Number.isFinite)) run.start = theta;
      } else setting(values, k, v);
    }
    for (const change of changes) {
      const c = { step: 0, values: defaults('run') };
      for (const [k, v] of pairs(change)) {
        if (k === 'at') c.step = Math.max(0, Math.floor(Number(v)) || 0);
        else setting(c.values, k, v);
      }
      run.timeline.push(c);
    }
    run.timeline.sort((a, b) => a.step - b.step);
    return run;
  });
  const active = Number(p.get('active') || 0);
  return { source, data, view, runs, active: Number.isInteger(active) ? active : 0 };
}
