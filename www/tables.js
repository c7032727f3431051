// Table alternatives of the loss curve and the model view, for screen
// readers and for reading exact numbers. Filled only while open.

import { $, el } from './dom.js';
import { fmt, pct } from './format.js';

const LOSS_ROWS = 50;
const MODEL_ROWS = 50;
/** Largest source text read back to list the first rows of the data. */
const SOURCE_BYTES = 1024 * 1024;

export function createTables(app, { throttle }) {
  const ui = {
    lossBox: $('loss-table-box'),
    lossTable: $('loss-table'),
    modelBox: $('model-table-box'),
    modelTable: $('model-table'),
    modelNote: $('model-table-note'),
  };
  const lossRefresh = throttle('loss-table', 250);
  const modelRefresh = throttle('model-table', 250);
  let rows = null; // [{row, features: number[], cells: string[], target: string}]
  let rowsNote = '';

  // ------------------------------------------------------------ loss table

  function renderLoss(st) {
    if (!ui.lossBox.open || !app.session || !app.summary) return;
    if (app.playing && !lossRefresh.due()) return;
    lossRefresh.measure(() => {
      let history;
      try {
        history = app.session.loss_history();
      } catch (e) {
        app.showError(app.errorText(e));
        return;
      }
      const n = history.length;
      const last = st ? st.step : n - 1;
      const from = Math.max(0, n - LOSS_ROWS);
      const trs = [];
      for (let i = n - 1; i >= from; i--) {
        const step = last - (n - 1 - i);
        trs.push(el('tr', {}, el('td', { text: step.toLocaleString('en-US') }), el('td', { text: fmt(history[i], 8) })));
      }
      ui.lossTable.tBodies[0].replaceWith(el('tbody', {}, trs));
      const caption = ui.lossTable.caption;
      if (caption) caption.textContent = `Loss after the last ${Math.min(n, LOSS_ROWS)} steps, newest first`;
    });
  }

  // ------------------------------------------------------------ model table

  /** The first rows of the data, from the source text when it is small enough, else the preview. */
  function loadRows() {
    const s = app.summary;
    const names = s.columns.map((c) => c.name);
    const featureIdx = s.dataset.features.map((f) => names.indexOf(f));
    const targetIdx = names.indexOf(s.dataset.target);
    let records = null;
    let text;
    if (typeof app.session.source_csv === 'function') {
      try {
        text = app.session.source_csv(SOURCE_BYTES);
      } catch {
        text = undefined;
      }
    }
    if (typeof text === 'string') {
      records = parseHead(text, delimiterOf(s.delimiter), MODEL_ROWS * 2 + 1);
      if (s.has_header) records.shift();
      rowsNote = '';
    } else {
      records = s.preview.map((r) => r.slice());
      rowsNote = `The data set is too big to list here: these are its first ${records.length} rows.`;
    }
    const out = [];
    records.forEach((rec, i) => {
      if (out.length >= MODEL_ROWS) return;
      const values = featureIdx.map((j) => parseNumber(rec[j]));
      if (values.some((v) => !Number.isFinite(v))) {
        if (s.config.drop_missing) return; // this row was dropped
      }
      out.push({ row: i + 1, features: values, cells: featureIdx.map((j) => rec[j] ?? ''), target: rec[targetIdx] ?? '' });
    });
    return out;
  }

  function summary() {
    rows = null;
    ui.modelTable.tHead.replaceWith(el('thead'));
    ui.modelTable.tBodies[0].replaceWith(el('tbody'));
  }

  function renderModel() {
    if (!ui.modelBox.open || !app.session || !app.summary) return;
    if (app.playing && !modelRefresh.due()) return;
    modelRefresh.measure(() => {
      const s = app.summary;
      if (!rows) {
        rows = loadRows();
        const classes = s.dataset.classes;
        const head = [el('th', { scope: 'col', text: 'Row' }),
          ...s.dataset.features.map((f) => el('th', { scope: 'col', text: f })),
          el('th', { scope: 'col', text: s.dataset.target })];
        if (classes) {
          head.push(el('th', { scope: 'col', text: `P(${s.dataset.target} = ${classes[1]})` }), el('th', { scope: 'col', text: 'Predicted class' }));
        } else {
          head.push(el('th', { scope: 'col', text: `Predicted ${s.dataset.target}` }));
        }
        ui.modelTable.tHead.replaceWith(el('thead', {}, el('tr', {}, head)));
        ui.modelNote.textContent = rowsNote || `The first ${rows.length} rows of the data with the current model's prediction.`;
      }
      const classes = s.dataset.classes;
      const trs = rows.map((r) => {
        let p = NaN;
        if (r.features.every(Number.isFinite)) {
          try {
            p = app.session.predict(Float64Array.from(r.features));
          } catch {
            p = NaN;
          }
        }
        const cells = [el('th', { scope: 'row', text: String(r.row) }), ...r.cells.map((c) => el('td', { text: c })), el('td', { text: r.target })];
        if (classes) {
          cells.push(el('td', { text: Number.isFinite(p) ? pct(p) : '–' }), el('td', { text: Number.isFinite(p) ? classes[p >= 0.5 ? 1 : 0] : '–' }));
        } else {
          cells.push(el('td', { text: fmt(p, 5) }));
        }
        return el('tr', {}, cells);
      });
      ui.modelTable.tBodies[0].replaceWith(el('tbody', {}, trs));
    });
  }

  function render(st) {
    renderLoss(st);
    renderModel();
  }

  ui.lossBox.addEventListener('toggle', () => renderLoss(app.session && app.summary ? app.session.state() : null));
  ui.modelBox.addEventListener('toggle', () => renderModel());

  return { summary, render };
}

function delimiterOf(name) {
  if (name === 'tab') return '\t';
  return name && name.length === 1 ? name : ',';
}

function parseNumber(cell) {
  if (cell === undefined) return NaN;
  const t = String(cell).trim();
  return t === '' ? NaN : Number(t);
}

/** The first `limit` records of CSV text (quotes and "" escapes, CRLF or LF). */
export function parseHead(text, delimiter, limit) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length && records.length < limit; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else {
      field += c;
    }
  }
  if (records.length < limit && (field !== '' || record.length)) {
    record.push(field);
    records.push(record);
  }
  return records;
}
