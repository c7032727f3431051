// Share and export: the URL hash carries the settings (and a small data set
// itself, base64url of its UTF-8 text), "Copy link", and downloads of the
// model, the loss history and each chart as files made in the browser (an
// object URL and <a download>: nothing goes over the network).

import { $, el } from './dom.js';

/** Data sets up to this size travel inside the link. */
export const LINK_DATA_BYTES = 4096;

// ------------------------------------------------------------ encoding

export function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

const FLAGS = ['std', 'drop', 'log', 'rel', 'ghost', 'share'];

/** Settings → "ex=classic&target=y&f=x1&f=x2&…" (no leading #). */
export function encodeSettings(s) {
  const p = new URLSearchParams();
  if (s.example) p.set('ex', s.example);
  else {
    p.set('data', 'file');
    if (s.name) p.set('name', s.name);
  }
  p.set('target', s.target);
  for (const f of s.features) p.append('f', f);
  p.set('model', s.model);
  p.set('lr', String(s.lr));
  p.set('l2', String(s.l2));
  for (const k of FLAGS) p.set(k, s[k] ? '1' : '0');
  if (s.view) p.set('view', s.view);
  p.set('sx', String(s.sx));
  p.set('sy', String(s.sy));
  p.set('lx', String(s.lx));
  p.set('ly', String(s.ly));
  if (s.csv) p.set('csv', s.csv);
  return p.toString();
}

/** The settings of a hash, or null when it holds none. */
export function decodeSettings(hash) {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!text) return null;
  const p = new URLSearchParams(text);
  if (!p.has('target') || (!p.has('ex') && !p.has('data'))) return null;
  const number = (k) => (p.has(k) && p.get(k) !== '' ? Number(p.get(k)) : undefined);
  const out = {
    example: p.get('ex') || '',
    name: p.get('name') || 'shared data',
    csv: p.get('csv') || '',
    target: p.get('target'),
    features: p.getAll('f'),
    model: p.get('model') || 'auto',
    lr: number('lr'),
    l2: number('l2'),
    view: p.get('view') || '',
    sx: number('sx'),
    sy: number('sy'),
    lx: number('lx'),
    ly: number('ly'),
  };
  for (const k of FLAGS) out[k] = p.has(k) ? p.get(k) === '1' : undefined;
  return out;
}

// ------------------------------------------------------------ downloads

export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

export function savePng(canvas, name) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) {
        reject(new Error('the chart could not be turned into a PNG'));
        return;
      }
      download(blob, name);
      resolve();
    }, 'image/png');
  });
}

/** A file-name-friendly form of the data set name. */
function slug(text) {
  return String(text || 'data').toLowerCase().replace(/\.[a-z0-9]+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'data';
}

// ------------------------------------------------------------ panel

/**
 * Wires the share card. `collect()` returns the current settings (without
 * the CSV); `dataLink()` returns the base64url CSV to embed or ''.
 */
export function createShare(app, { collect, dataLink }) {
  const ui = {
    url: $('share-url'),
    copy: $('copy-link'),
    hint: $('share-hint'),
    exportModel: $('export-model'),
    exportHistory: $('export-history'),
  };
  const defaultHint = ui.hint.textContent;
  let timer = 0;
  let hintTimer = 0;

  function link() {
    const settings = collect();
    if (!settings) return null;
    settings.csv = settings.example ? '' : dataLink();
    return encodeSettings(settings);
  }

  /** Puts the current settings in the address bar (no history entry, no request). */
  function sync() {
    const hash = link();
    if (hash === null) return;
    const url = `${location.href.split('#')[0]}#${hash}`;
    if (location.hash.slice(1) !== hash) history.replaceState(history.state, '', url);
    ui.url.value = url;
    const s = collect();
    if (s && !s.example && !dataLink()) {
      ui.hint.textContent = `The data (over ${LINK_DATA_BYTES / 1024} KB) is not in the link: whoever opens it loads ${s.name || 'the same file'} to see this view.`;
    } else if (!hintTimer) {
      ui.hint.textContent = defaultHint;
    }
  }

  /** Syncs soon (settings change often while dragging the slider). */
  function schedule() {
    clearTimeout(timer);
    if (!ui.url.value) sync();
    else timer = setTimeout(sync, 200);
  }

  function say(text) {
    ui.hint.textContent = text;
    clearTimeout(hintTimer);
    hintTimer = setTimeout(() => {
      hintTimer = 0;
      sync();
    }, 4000);
  }

  async function copy() {
    sync();
    const url = ui.url.value;
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      say('Link copied to the clipboard.');
    } catch {
      ui.url.focus();
      ui.url.select();
      say('The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  }

  function exportText(fn, type, name) {
    let text;
    try {
      text = fn();
    } catch (e) {
      app.showError(app.errorText(e));
      return;
    }
    download(new Blob([text], { type }), name);
  }

  ui.copy.addEventListener('click', copy);
  ui.url.addEventListener('focus', () => ui.url.select());
  ui.exportModel.addEventListener('click', () => {
    if (!app.summary) return;
    exportText(() => app.session.export_model_json(), 'application/json', `gradstep-${slug(app.summary.source)}-model.json`);
  });
  ui.exportHistory.addEventListener('click', () => {
    if (!app.summary) return;
    exportText(() => app.session.loss_history_csv(), 'text/csv', `gradstep-${slug(app.summary.source)}-loss-history.csv`);
  });

  /** Wires a "Save PNG" button to a canvas. */
  function pngButton(button, canvas, what) {
    button.addEventListener('click', () => {
      const name = `gradstep-${slug(app.summary ? app.summary.source : '')}-${what}.png`;
      savePng(canvas, name).catch((e) => app.showError(app.errorText(e)));
    });
  }

  return { sync, schedule, pngButton };
}
