// The data card (examples, file, drop, paste, progress, info, warnings,
// missing values) and the model settings (target, features, model,
// Standardize, L2 λ). Every fact shown comes from the worker's summary.

import * as S from './state.js';
import { $, el, setText, setOptions, count, fillHead, fillRows } from './dom.js';

export function createDataPanel(app) {
  const ui = {
    example: $('example'),
    exampleDescription: $('example-description'),
    file: $('file'),
    pasteText: $('paste-text'),
    pasteLoad: $('paste-load'),
    info: $('data-info'),
    details: $('data-details'),
    warnings: $('warnings'),
    missing: $('missing'),
    target: $('target'),
    features: $('features'),
    excluded: $('excluded'),
    model: $('model'),
    standardize: $('standardize'),
    l2: $('l2'),
    preview: $('preview'),
    overlay: $('drop-overlay'),
    columns: $('columns-table'),
  };

  setOptions(ui.example, [
    ...app.examples.map((e) => ({ value: e.id, label: e.name })),
    { value: '', label: 'Your own data', disabled: true },
  ], app.examples[0].id);
  describeExample(app.examples[0].id);

  function describeExample(id) {
    const e = app.examples.find((x) => x.id === id);
    setText(ui.exampleDescription, e ? e.description : '');
  }

  // ---------------------------------------------------------------- summary

  // What each costly part (the tables and lists that a large file makes long)
  // was last built from: a summary that changes elsewhere (the optimum is
  // ready) does not rebuild them and lay the page out again.
  const built = { columns: '', target: '', features: '', preview: '' };
  const changed = (part, key, force) => {
    if (!force && built[part] === key) return false;
    built[part] = key;
    return true;
  };

  function render(s, force) {
    const cols = s.columns;
    ui.info.replaceChildren(
      el('strong', { text: `${count(s.rows)} rows × ${cols.length} columns` }),
      ` · ${s.source}`,
    );
    const facts = [
      `delimiter ${s.delimiter === 'tab' ? 'tab' : `“${s.delimiter}”`}`,
      s.has_header ? 'header row' : 'no header row (columns are numbered)',
      `encoding ${s.encoding}`,
      ...s.notes,
    ];
    if (s.rows_used !== s.rows) facts.push(`${count(s.rows_used)} rows used`);
    if (s.dropped_rows) facts.push(`${count(s.dropped_rows)} ${s.dropped_rows === 1 ? 'row' : 'rows'} dropped`);
    if (s.imputed_cells) facts.push(`${count(s.imputed_cells)} ${s.imputed_cells === 1 ? 'cell' : 'cells'} filled with the column mean`);
    setText(ui.details, facts.join(' · '));
    ui.warnings.replaceChildren(...s.warnings.map((w) => el('li', { text: w })));
    ui.warnings.hidden = s.warnings.length === 0;
    const columnRows = cols.map((c) => [c.name, c.describe, count(c.missing)]);
    if (changed('columns', JSON.stringify(columnRows), force)) fillRows(ui.columns.tBodies[0], columnRows);

    const target = s.settings.target;
    if (changed('target', JSON.stringify([cols, target]), force)) setOptions(ui.target, cols.map((c) => {
      const usable = c.kind === 'numeric' || c.two_valued;
      const mark = c.kind === 'numeric' ? '' : c.two_valued ? ` (${c.kind}, two classes)` : ` (${c.kind})`;
      return { value: c.name, label: `${c.name}${mark}`, disabled: !usable && c.name !== target };
    }), target);

    if (changed('features', JSON.stringify([cols, target, s.settings.features]), force)) renderFeatures(cols, target, s.settings.features);

    S.writeControl(S.BY_KEY.model, s.model, { force: true });
    S.writeControl(S.BY_KEY.standardize, s.settings.standardize, { force: true });
    S.writeControl(S.BY_KEY.missing, s.settings.missing, { force: true });
    S.writeControl(S.BY_KEY.l2, s.settings.l2, { force: true });

    if (changed('preview', JSON.stringify([cols.map((c) => c.name), target, s.preview]), force)) renderPreview(cols, target, s.preview);
  }

  function renderFeatures(cols, target, features) {
    const chosen = new Set(features);
    const boxes = [];
    const left = [];
    for (const c of cols) {
      if (c.name === target) continue;
      const why = c.unusable || (chosen.has(c.name) ? null : c.excluded);
      const box = el('input', { type: 'checkbox', value: c.name, checked: chosen.has(c.name), disabled: Boolean(c.unusable) });
      if (c.unusable) box.setAttribute('aria-describedby', `why-${boxes.length}`);
      boxes.push(el('label', { class: `check${c.unusable ? ' off' : ''}`, title: why ? `${c.name}: ${why}` : `${c.name} (${c.describe})` },
        box,
        el('span', { class: 'name' }, c.name, c.unusable ? el('span', { class: 'why', id: `why-${boxes.length}`, text: c.kind }) : null)));
      if (why) left.push(el('li', { text: c.unusable ? `${c.name}: cannot be a feature, ${c.unusable}` : c.excluded }));
    }
    ui.features.replaceChildren(...boxes);
    ui.excluded.replaceChildren(...left);
  }

  function renderPreview(cols, target, preview) {
    fillHead(ui.preview.tHead || ui.preview.createTHead(), cols.map((c) => c.name));
    const headCells = ui.preview.tHead.rows[0].cells;
    cols.forEach((c, i) => headCells[i].classList.toggle('target', c.name === target));
    const body = ui.preview.tBodies[0] || ui.preview.createTBody();
    body.replaceChildren(...preview.map((row) => el('tr', {}, row.map((cell) => el('td', { text: cell })))));
    if (!ui.preview.caption) ui.preview.createCaption();
    setText(ui.preview.caption, `The first ${preview.length} rows as written in the file`);
  }

  app.on('summary', (s, { restore } = {}) => {
    if (!s) return;
    // A restore puts back controls the person changed: rebuild everything.
    render(s, Boolean(restore));
    if (!restore && app.source) {
      if (app.source.example) {
        ui.example.value = app.source.example;
        describeExample(app.source.example);
      } else {
        ui.example.value = '';
        setText(ui.exampleDescription, '');
      }
    }
  });

  // ---------------------------------------------------------------- loading

  ui.example.addEventListener('change', () => {
    const id = ui.example.value;
    if (!id) return;
    describeExample(id);
    app.loadExample(id);
  });
  ui.file.addEventListener('change', async () => {
    const file = ui.file.files && ui.file.files[0];
    if (file) await app.loadFile(file);
    ui.file.value = '';
  });
  ui.pasteLoad.addEventListener('click', () => app.loadText('pasted data', ui.pasteText.value));

  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    ui.overlay.hidden = false;
  });
  window.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) ui.overlay.hidden = true;
  });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    ui.overlay.hidden = true;
    const file = e.dataTransfer.files[0];
    if (file) app.loadFile(file);
  });

  // ---------------------------------------------------------------- settings

  ui.missing.addEventListener('change', () => {
    const missing = S.readControl(S.BY_KEY.missing);
    const failed = app.failedLoad;
    if (failed) {
      // The file that could not be read: read it again with the new choice.
      const values = { ...failed.values, missing };
      if (failed.kind === 'file') app.loadFile(failed.file, values);
      else app.loadText(failed.name, failed.text, values);
    } else if (app.summary) {
      app.setData({ missing });
    }
  });
  ui.target.addEventListener('change', () => {
    // A new target: the default features and model for it.
    app.setData({ target: ui.target.value, features: null, model: null });
  });
  ui.features.addEventListener('change', () => app.setData({ features: S.readControl(S.BY_KEY.features) }));
  ui.model.addEventListener('change', () => app.setData({ model: ui.model.value }));
  ui.standardize.addEventListener('change', () => app.setData({ standardize: ui.standardize.checked }, { resetActiveRate: true }));
  ui.l2.addEventListener('change', () => {
    const l2 = ui.l2.value.trim() === '' ? 0 : Number(ui.l2.value);
    if (!Number.isFinite(l2) || l2 < 0) {
      app.showError(`The L2 penalty λ must be a number ≥ 0, e.g. ${S.SUGGESTED_L2}.`);
      S.writeControl(S.BY_KEY.l2, app.data.l2, { force: true });
      return;
    }
    app.setData({ l2 });
  });

  app.on('events', (events) => {
    for (const e of events) {
      if (e.kind !== 'busy') continue;
      for (const c of [ui.example, ui.file, ui.pasteLoad, ui.target, ui.model, ui.standardize, ui.l2]) c.disabled = e.on;
      ui.features.closest('fieldset').disabled = e.on;
    }
  });
}
