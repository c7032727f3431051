// Share and export. The link (also kept in the address bar) carries the
// settings of state.js, the data (an example's id, the data itself when
// small, or the file's name), and the race: each run's settings, its step
// count, a fork's parent and step. Opening it loads, configures and replays
// the steps in the worker (training is deterministic). Exports are files
// made in the browser: nothing goes over the network.

import * as S from './state.js';
import { $, el, setText } from './dom.js';

export function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function slug(text) {
  return String(text || 'data').toLowerCase().replace(/\.[a-z0-9]+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'data';
}

/** A fork's parent (index) and step, from the run's origin ("forked from run 2 at step 20"). */
function forkOf(origin) {
  const m = /run (\d+) at step (\d+)/.exec(origin || '');
  return m ? { parent: Number(m[1]) - 1, step: Number(m[2]) } : null;
}

export function createShare(app) {
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
  let dataText = { seq: -1, csv: '' };
  let pending = null; // a link whose file is too big to travel: waits for that file
  let opening = false;

  app.download = (blob, name) => {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  };

  /** The current state as a link's contents (with the File or text itself, for a restart). */
  function snapshot() {
    const r = app.readout;
    if (!r || !app.source) return null;
    return {
      source: app.source,
      data: { ...app.data },
      view: { ...app.view },
      runs: r.runs.map((run) => ({
        values: S.fromRunSettings(run.settings),
        steps: run.step,
        fork: forkOf(run.origin),
        pinned: run.pinned,
      })),
      active: r.active,
    };
  }

  async function sourceForLink() {
    const src = app.source;
    if (src.example) return { example: src.example };
    if (dataText.seq !== app.dataSeq) {
      dataText = { seq: app.dataSeq, csv: '' };
      if (app.summary && app.summary.source_kept) {
        const text = await app.tryAct('source-text', { max: S.LINK_DATA_BYTES }, { quiet: true });
        if (typeof text === 'string' && text.length) dataText = { seq: app.dataSeq, csv: toBase64Url(text) };
      }
    }
    return dataText.csv ? { csv: dataText.csv, name: src.name } : { name: src.name };
  }

  async function link() {
    const snap = snapshot();
    if (!snap) return null;
    const record = await app.tryAct('race-record', {}, { quiet: true });
    if (record && record.runs && record.runs.length === snap.runs.length) {
      snap.runs.forEach((run, i) => {
        const r = record.runs[i];
        run.start = r.start;
        run.timeline = r.timeline.map((c) => ({ step: c.step, values: S.fromRunSettings(c.settings) }));
      });
    }
    const source = await sourceForLink();
    return { hash: S.encodeLink({ ...snap, source }), inLink: Boolean(source.example || source.csv), name: source.name };
  }

  async function sync() {
    if (opening) return;
    const l = await link();
    if (!l) return;
    const url = `${location.href.split('#')[0]}#${l.hash}`;
    if (location.hash.slice(1) !== l.hash) history.replaceState(history.state, '', url);
    ui.url.value = url;
    if (!hintTimer) {
      setText(ui.hint, l.inLink ? defaultHint
        : `The data (${app.summary && app.summary.source_kept ? 'over 4 KB' : 'a big file'}) is not in the link: whoever opens it is asked to load “${l.name}”, and then sees this race.`);
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(sync, 300);
  }

  function say(text) {
    setText(ui.hint, text);
    clearTimeout(hintTimer);
    hintTimer = setTimeout(() => {
      hintTimer = 0;
      sync();
    }, 4000);
  }

  // ---------------------------------------------------------------- opening a link

  /** Loads a link's data with its settings and replays its race. */
  async function open(st, { quiet = false } = {}) {
    opening = true;
    try {
      for (const s of S.inScope('view')) {
        if (st.view[s.key] !== undefined) app.view[s.key] = st.view[s.key];
        S.writeControl(s, app.view[s.key], { force: true });
      }
      const data = { ...S.defaults('data'), ...st.data };
      let ok;
      if (st.source.example) {
        if (!app.examples.some((e) => e.id === st.source.example)) {
          app.linkNote = { title: 'This link does not open', message: `It names an example that does not exist (“${st.source.example}”), so the default example is shown.` };
          return false;
        }
        ok = await app.loadExample(st.source.example, data);
      } else if (st.source.file) {
        ok = await app.loadFile(st.source.file, data);
      } else if (st.source.text !== undefined) {
        ok = await app.loadText(st.source.name, st.source.text, data);
      } else if (st.source.csv) {
        let text;
        try {
          text = fromBase64Url(st.source.csv);
        } catch {
          app.linkNote = { title: 'This link does not open', message: 'The data inside it is damaged (it was probably cut short when copied), so the default example is shown.' };
          return false;
        }
        ok = await app.loadText(st.source.name, text, data);
      } else {
        pending = st;
        app.linkNote = {
          title: 'Load the shared data',
          message: `This link was made with “${st.source.name}”, which is too big to travel inside a link. Load that file (with “CSV file” or by dropping it here) to see the shared race; until then the default example is shown.`,
        };
        return false;
      }
      if (!ok) {
        if (!quiet) app.linkNote = { title: 'This link does not open', message: 'Its data could not be read with its settings, so the default example is shown.' };
        return false;
      }
      if (st.runs.length) await replay(st);
      app.viewChanged();
      return true;
    } finally {
      opening = false;
      schedule();
    }
  }

  async function replay(st) {
    const plan = {
      runs: st.runs.slice(0, 6).map((r) => ({
        settings: S.runSettings(r.values),
        steps: r.steps,
        fork: r.fork,
        pinned: r.pinned,
        start: r.start,
        timeline: (r.timeline || []).map((c) => ({ step: c.step, settings: S.runSettings(c.values) })),
      })),
      active: st.active,
    };
    app.setBusy(true);
    app.progress(0, 'Replaying the shared race…');
    try {
      await app.act('replay', { plan });
    } finally {
      app.progress(null);
      app.setBusy(false);
    }
  }

  /** Opens the link in `hash`; false when it holds none or cannot open (a note says why). */
  async function restore(hash) {
    const st = S.decodeLink(hash);
    if (!st) return false;
    app.linkNote = null;
    const ok = await open(st);
    if (!ok) {
      await app.loadExample(app.examples[0].id);
      app.renderNotes();
    }
    return true;
  }

  // A file loaded while a link waits for it: the link's settings and race.
  app.on('events', (events) => {
    for (const e of events) {
      if (e.kind === 'loaded' && pending && e.name === pending.source.name) {
        const st = pending;
        pending = null;
        app.linkNote = null;
        queueMicrotask(async () => {
          await app.setData({ ...S.defaults('data'), ...st.data });
          if (st.runs.length) await replay(st);
          app.viewChanged();
          app.renderNotes();
          app.status('success', `The shared settings and race are applied to “${e.name}”.`);
        });
      } else if (e.kind === 'loaded' && !pending && app.linkNote && !opening) {
        app.linkNote = null;
        app.renderNotes();
      }
    }
  });

  app.on('readout', () => schedule());
  window.addEventListener('hashchange', () => {
    if (location.hash.slice(1) === ui.url.value.split('#')[1]) return;
    if (S.decodeLink(location.hash) && !app.busy) {
      app.controls.pause();
      restore(location.hash);
    }
  });

  // ---------------------------------------------------------------- copy and exports

  ui.copy.addEventListener('click', async () => {
    clearTimeout(timer);
    await sync();
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(ui.url.value);
      say('Link copied to the clipboard.');
    } catch {
      ui.url.focus();
      ui.url.select();
      say('The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  });
  ui.url.addEventListener('focus', () => ui.url.select());

  async function exportText(type, mime, what) {
    if (!app.summary) return;
    const text = await app.tryAct(type);
    if (typeof text === 'string') app.download(new Blob([text], { type: mime }), `gradstep-${slug(app.summary.source)}-${what}`);
  }
  ui.exportModel.addEventListener('click', () => exportText('export-model', 'application/json', 'model.json'));
  ui.exportHistory.addEventListener('click', () => exportText('history-csv', 'text/csv', 'loss-history.csv'));

  return { schedule, sync, restore, open, snapshot };
}
