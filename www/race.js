// The race: up to six runs from the same start, each with its colour (the
// painter's, so the table and the canvases agree), and the table of steps
// each needed to get within the gap of L*. Add, fork, pin, remove, select.

import * as S from './state.js';
import { $, el, setText, count } from './dom.js';

export function createRace(app) {
  const ui = {
    add: $('add-run'),
    fork: $('fork-run'),
    gap: $('race-gap'),
    table: $('race-table'),
    caption: $('race-caption'),
    gapHead: $('race-gap-head'),
  };
  const body = ui.table.tBodies[0];
  let structure = '';

  S.writeControl(S.BY_KEY.race_gap, app.view.race_gap, { force: true });

  function colors() {
    return typeof app.painter.run_colors === 'function' ? app.painter.run_colors() : [];
  }

  function build(r) {
    const palette = colors();
    body.replaceChildren(...r.runs.map((run, i) => {
      const swatch = el('span', { class: 'swatch run', 'aria-hidden': 'true' });
      if (palette.length) swatch.style.background = palette[i % palette.length];
      const select = el('button', { type: 'button', class: 'small', 'data-act': 'select', text: i === r.active ? 'Active' : 'Select', disabled: i === r.active, 'aria-label': i === r.active ? `Run ${i + 1} is the active run` : `Select run ${i + 1}` });
      const pin = el('button', { type: 'button', class: 'small', 'data-act': 'pin', text: run.pinned ? 'Unpin' : 'Pin', 'aria-label': `${run.pinned ? 'Unpin' : 'Pin'} run ${i + 1}` });
      const remove = el('button', { type: 'button', class: 'small', 'data-act': 'remove', text: 'Remove', disabled: r.runs.length === 1, 'aria-label': `Remove run ${i + 1}` });
      const row = el('tr', { 'data-index': String(i), 'aria-current': i === r.active ? 'true' : null },
        el('th', { scope: 'row' },
          el('span', { class: 'run-name' }, swatch, el('span', { 'data-f': 'label' })),
          el('span', { class: 'origin', 'data-f': 'origin' })),
        el('td', { 'data-f': 'step' }),
        el('td', { 'data-f': 'loss' }),
        el('td', { 'data-f': 'status' }),
        el('td', { 'data-f': 'reached' },
          el('span', { class: 'measured', 'data-f': 'measured' }), ' ',
          el('span', { class: 'theory', 'data-f': 'theory' })),
        el('td', { class: 'actions' }, select, pin, remove));
      return row;
    }));
  }

  function render(r) {
    const key = JSON.stringify([r.active, r.runs.map((x) => [x.id, x.pinned]), colors()]);
    if (key !== structure) {
      structure = key;
      build(r);
    }
    const found = r.optimum.found;
    const reached = r.runs.map((x) => x.reached_at).filter((x) => x !== null && x !== undefined);
    const best = reached.length > 1 ? Math.min(...reached) : null;
    r.runs.forEach((run, i) => {
      const row = body.rows[i];
      if (!row) return;
      const f = (name) => row.querySelector(`[data-f="${name}"]`);
      setText(f('label'), `Run ${i + 1}: ${run.label}`);
      setText(f('origin'), run.origin);
      setText(f('step'), run.epoch ? `${count(run.step)} (${run.epoch})` : count(run.step));
      setText(f('loss'), run.loss_text);
      setText(f('status'), run.pinned ? `${run.status}, pinned` : run.status);
      const cell = f('reached');
      let text;
      if (!found) text = r.optimum.ready ? 'no finite L*' : 'L* not known yet';
      else if (run.reached_at === null || run.reached_at === undefined) text = 'not yet';
      else text = `${count(run.reached_at)}${best !== null && run.reached_at === best ? ' (fewest)' : ''}`;
      // Two lines that never break inside: the measured count, then the theory.
      const predicted = found && run.predicted_reach !== null && run.predicted_reach !== undefined;
      setText(f('measured'), predicted ? `${text};` : text);
      setText(f('theory'), predicted ? `theory ≈ ${count(run.predicted_reach)}` : '');
      cell.classList.toggle('win', best !== null && run.reached_at === best);
    });
    const theory = r.runs.some((x) => x.predicted_reach !== null && x.predicted_reach !== undefined);
    setText(ui.caption, `Steps each run needed until ${r.race_gap}${found ? `, with L* = ${r.optimum.loss}` : ''}` +
      (theory ? '; “theory” is what the Hessian’s eigenvalues predict for the slowest direction' : ''));
    setText(ui.gapHead, 'Steps to get close');
    ui.add.disabled = r.runs.length >= 6;
    ui.fork.disabled = r.runs.length >= 6;
  }

  app.on('readout', render);

  body.addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-index]');
    if (!row || !app.readout) return;
    const index = Number(row.dataset.index);
    const button = e.target.closest('button[data-act]');
    const act = button ? button.dataset.act : 'select';
    const run = app.readout.runs[index];
    if (act === 'select') {
      if (index !== app.readout.active) app.tryAct('select-run', { index });
    } else if (act === 'pin') {
      app.tryAct('pin-run', { index, pinned: !run.pinned });
    } else if (act === 'remove') {
      app.tryAct('remove-run', { index });
    }
  });

  ui.add.addEventListener('click', async () => {
    if (!app.readout) return;
    const r = await app.tryAct('add-run', { settings: S.runSettings(app.run) });
    if (r) app.status('', `Added run ${r.index + 1} with the same settings, from the start: change one setting to compare.`);
  });
  ui.fork.addEventListener('click', async () => {
    if (!app.readout) return;
    const step = app.readout.runs[app.readout.active].step;
    const r = await app.tryAct('fork-run', { index: app.readout.active });
    if (r) app.status('', `Run ${r.index + 1} is a copy of run ${app.readout.active + 1} at step ${step}: change one setting and press Play to compare from here.`);
  });
  ui.gap.addEventListener('change', () => {
    app.view.race_gap = S.readControl(S.BY_KEY.race_gap);
    app.viewChanged();
  });
}
