// The training controls: Step, ×10, ×100, Play/Pause, Reset, the speed, the
// learning-rate slider (log scale over Rust's range, with its marks as
// buttons) and its number box, the live step/loss/status, the status line
// and the live region's lines.

import * as S from './state.js';
import { $, el, setText, setAttr } from './dom.js';

const SLIDER_STEPS = 1000;

export function createControls(app) {
  const ui = {
    step: $('step'),
    step10: $('step10'),
    step100: $('step100'),
    play: $('play'),
    reset: $('reset'),
    speed: $('speed'),
    range: $('lr-range'),
    value: $('lr-value'),
    marks: $('lr-marks'),
    hint: $('lr-hint'),
    note: $('lr-note'),
    stepCount: $('step-count'),
    loss: $('loss'),
    badge: $('status'),
  };
  S.writeControl(S.BY_KEY.pace, S.BY_KEY.pace.default, { force: true });

  let playing = false;
  let playSeq = 0; // the number of the last play/pause/reset sent: frames that have not seen it do not flip the button
  let rangeKey = '';
  let rateError = ''; // why the last typed α was refused, until one is taken
  let range = null; // {min, max}
  let lastStatusRun = null;
  let announcePause = false; // the next read-out is said as "Paused at step …"
  let playNote = false; // the status line says why Play shows no change
  let lastSpokenCore = ''; // the last read-out line without its step number

  function setPlaying(on) {
    playing = on;
    app.playing = on;
    setText(ui.play, on ? 'Pause' : 'Play');
    setAttr(ui.play, 'aria-pressed', on ? 'true' : 'false');
  }
  setPlaying(false);

  const pace = () => {
    const v = S.readControl(S.BY_KEY.pace) ?? S.BY_KEY.pace.default;
    return v === 'fast' ? 'fast' : Number(v);
  };

  function cannotStepMessage() {
    const r = app.readout;
    const run = r && r.runs[r.active];
    if (r && r.runs.length === 1 && run.status === 'diverged' && run.message) return `Cannot step: the run ${run.message}.`;
    return 'Cannot step: every run has diverged or is pinned. Lower α and press Reset, or unpin a run.';
  }

  async function step(n) {
    if (!app.readout) return;
    const r = await app.tryAct('step', { n });
    if (r && !r.stepped) app.status('warning', cannotStepMessage());
  }

  async function play() {
    if (!app.readout) return;
    playSeq += 1;
    announcePause = false; // a pause not yet said is over
    setPlaying(true);
    const r = await app.tryAct('play', { pace: pace(), seq: playSeq });
    if (!r) {
      setPlaying(false);
      return;
    }
    if (!r.playing) {
      setPlaying(false);
    } else if (r.idle) {
      // Nothing can step: Play still plays (until Pause), and says why nothing moves.
      playNote = true;
      app.status('warning', `Playing, but nothing can move: ${cannotStepMessage().replace(/^Cannot step: /, '')} Press Pause to stop.`,
        'Playing, but every run has diverged or is pinned: nothing moves.');
    } else if (r.converged) {
      playNote = true;
      const text = 'Playing a run that has already converged: the gradient is about zero, so each step barely moves the parameters and nothing visibly changes. Press Pause to stop.';
      app.status('success', text, 'Playing a converged run: the gradient is about zero, nothing visibly moves.');
    } else {
      app.status('', '');
    }
  }

  async function pause() {
    playSeq += 1;
    setPlaying(false);
    if (playNote) app.status('', ''); // "…Press Pause to stop." is over
    playNote = false;
    // Read-outs until the paused step is known are not said: the pause line says it.
    app.pausedAt = null;
    announcePause = true;
    const r = await app.tryAct('pause', { seq: playSeq });
    if (!r) {
      announcePause = false;
      return;
    }
    app.pausedAt = r.step;
    const now = app.readout;
    if (announcePause && now && now.runs[now.active].step === r.step) {
      // The paused step's read-out came before the reply: say it now.
      sayPaused(now);
    }
  }

  function sayPaused(readout) {
    announcePause = false;
    const line = readout.detail.announce;
    app.announce(`Paused at ${line.charAt(0).toLowerCase()}${line.slice(1)}`, { urgent: true });
  }

  async function reset() {
    if (!app.readout) return;
    playSeq += 1;
    announcePause = false; // the reset line replaces a pause not yet said
    playNote = false;
    setPlaying(false);
    const r = await app.tryAct('reset', { seq: playSeq });
    if (r) {
      app.status('', '');
      app.announce('Reset to step 0.', { urgent: true });
    }
  }

  function togglePlay() {
    if (playing) pause();
    else play();
  }

  ui.step.addEventListener('click', () => step(1));
  ui.step10.addEventListener('click', () => step(10));
  ui.step100.addEventListener('click', () => step(100));
  ui.play.addEventListener('click', togglePlay);
  ui.reset.addEventListener('click', reset);
  ui.speed.addEventListener('change', () => {
    app.view.pace = S.readControl(S.BY_KEY.pace);
    app.tryAct('pace', { pace: pace() }, { quiet: true });
    app.share?.schedule();
  });

  // ---------------------------------------------------------------- learning rate

  const toSlider = (rate) => {
    if (!range) return SLIDER_STEPS / 2;
    const p = (Math.log(rate) - Math.log(range.min)) / (Math.log(range.max) - Math.log(range.min));
    return Math.round(Math.min(1, Math.max(0, p)) * SLIDER_STEPS);
  };
  const fromSlider = (v) => {
    const p = v / SLIDER_STEPS;
    const rate = Math.exp(Math.log(range.min) + p * (Math.log(range.max) - Math.log(range.min)));
    // Three significant digits: what a person can aim at with a slider.
    return Number(rate.toPrecision(3));
  };

  function renderRange(rr) {
    const key = JSON.stringify(rr);
    if (key === rangeKey) return;
    rangeKey = key;
    range = { min: rr.min, max: rr.max };
    const p = (v) => (Math.log(v) - Math.log(rr.min)) / (Math.log(rr.max) - Math.log(rr.min));
    ui.marks.replaceChildren(...rr.marks.map((m, i) => {
      const b = el('button', {
        type: 'button',
        class: `rate-mark m${Math.min(i, 2)}`,
        title: m.hint,
        'aria-label': `Set α to ${m.label}: ${m.hint}`,
        text: m.label,
      });
      b.style.setProperty('--p', String(p(m.value)));
      b.addEventListener('click', () => setRate(m.value));
      return b;
    }));
    renderHint();
  }

  function renderHint() {
    const s = app.summary;
    const r = app.readout;
    if (!s || !r) return;
    const rr = r.detail.rate_range;
    const optimizer = s.optimizers.find((o) => o.kind === app.run.optimizer);
    const label = optimizer ? optimizer.label : app.run.optimizer;
    const one = rr.marks.find((m) => m.label === '1/L');
    const two = rr.marks.find((m) => m.label === '2/L');
    const units = s.training_units === 'standardized units' ? ' (on standardized features)' : '';
    if (one && two && s.lipschitz) {
      const L = app.fmt(s.lipschitz, 4);
      setText(ui.hint,
        `L = ${L} is the largest curvature of the loss${units}: its steepest direction bends this fast. ` +
        `α = 1/L = ${app.fmt(one.value, 4)} is the largest rate that always descends, and above 2/L = ${app.fmt(two.value, 4)} ` +
        `plain gradient descent overshoots and diverges. On a round bowl (every direction curved alike) a step of 1/L lands ` +
        `exactly on the minimum at once. The default α = ${app.fmt(rr.default, 4)} is ${rr.default_reason}.` +
        (s.model === 'logistic' ? ' For the logistic loss L is an upper bound, so a little above 2/L can still converge.' : ''));
    } else {
      setText(ui.hint,
        `${label} rescales each step by its own running averages, so the curvature L does not bound its rate; ` +
        `its default α = ${app.fmt(rr.default, 4)} is ${rr.default_reason}. The slider spans ${app.fmt(rr.min, 2)} to ${app.fmt(rr.max, 2)}.`);
    }
  }

  function showRate(run, force = false) {
    const rate = Number(run.rate_text);
    if (force || document.activeElement !== ui.range) ui.range.value = String(toSlider(rate));
    setAttr(ui.range, 'aria-valuetext', run.rate_text);
    if (force || document.activeElement !== ui.value) ui.value.value = run.rate_text;
    const parts = [];
    const two = app.readout && app.readout.detail.rate_range.marks.find((m) => m.label === '2/L');
    if (rateError) {
      parts.push(rateError); // a refused α stays said until the next one is taken
    } else {
      // The slider's own ends are in its range (its position maps back with round-off).
      if (range && rate < range.min * (1 - 1e-6)) parts.push(`α = ${app.fmt(rate, 4)} is below the slider's range (${app.fmt(range.min, 3)} to ${app.fmt(range.max, 3)}): it is used as typed, and the slider sits at its left end.`);
      else if (range && rate > range.max * (1 + 1e-6)) parts.push(`α = ${app.fmt(rate, 4)} is above the slider's range (${app.fmt(range.min, 3)} to ${app.fmt(range.max, 3)}): it is used as typed, and the slider sits at its right end.`);
      if (two && app.run.optimizer === 'gd' && rate > two.value) {
        parts.push(app.summary && app.summary.model === 'logistic'
          ? `Above 2/L = ${app.fmt(two.value, 4)}, gradient descent is likely to overshoot and diverge (for the logistic loss L is an upper bound, so it may still converge).`
          : `Above 2/L = ${app.fmt(two.value, 4)}, each gradient descent step overshoots the minimum by more than it gains: the run will diverge.`);
      }
    }
    const note = parts.join(' ');
    setText(ui.note, note);
    ui.note.hidden = !note;
    ui.note.classList.toggle('error', Boolean(rateError));
    setAttr(ui.value, 'aria-invalid', rateError ? 'true' : null);
  }

  async function setRate(rate) {
    if (!Number.isFinite(rate) || rate <= 0) {
      // Said beside the slider (the data card's alert may be far off-screen).
      const typed = ui.value.value.trim();
      rateError = `α = ${typed === '' ? '(empty)' : `“${typed.slice(0, 24)}”`} was not used: the learning rate must be a positive, finite number, e.g. 0.1 or 5e-8. α stays ${app.readout ? app.readout.runs[app.readout.active].rate_text : 'as it was'}.`;
      app.announce(rateError, { urgent: true });
      if (app.readout) showRate(app.readout.runs[app.readout.active], true);
      return;
    }
    rateError = '';
    await app.setRun({ learning_rate: rate });
  }

  ui.range.addEventListener('input', () => {
    if (!range) return;
    const rate = fromSlider(Number(ui.range.value));
    setAttr(ui.range, 'aria-valuetext', String(rate));
    ui.value.value = String(rate);
    setRate(rate);
  });
  ui.value.addEventListener('change', () => {
    const text = ui.value.value.trim();
    setRate(text === '' ? NaN : Number(text));
  });
  ui.value.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const text = ui.value.value.trim();
      setRate(text === '' ? NaN : Number(text));
    }
  });

  // ---------------------------------------------------------------- readouts

  const capital = (t) => (t ? t.charAt(0).toUpperCase() + t.slice(1) : t);

  app.on('readout', (r, { restore } = {}) => {
    const run = r.runs[r.active];
    setText(ui.stepCount, String(run.step));
    setText(ui.loss, run.loss_text);
    setText(ui.badge, run.status);
    ui.badge.className = `badge ${run.status}`;
    renderRange(r.detail.rate_range);
    showRate(run, Boolean(restore));
    if (lastStatusRun !== run.id) {
      lastStatusRun = run.id;
      renderHint();
    }
    if (announcePause && r.runs[r.active].step === app.pausedAt) {
      sayPaused(r);
    } else if (!announcePause) {
      // While playing, a line whose only news is the step number (a
      // converged run) is not said again.
      const core = r.detail.announce.replace(/^Step [\d,]+, /, '');
      if (!(playing && core === lastSpokenCore)) app.announce(r.detail.announce);
      lastSpokenCore = core;
    }
  });
  app.on('summary', () => {
    rangeKey = '';
    lastStatusRun = null;
  });

  app.on('events', (events) => {
    const r = app.readout;
    for (const e of events) {
      const name = r && r.runs.length > 1 ? `Run ${e.run + 1}: ` : '';
      if (e.kind === 'converged') {
        const text = `${name}Converged at step ${e.step}: ${e.message}.`;
        app.status('success', text);
      } else if (e.kind === 'diverged') {
        const text = `${name}${capital(e.message)}.`;
        app.status('warning', text);
      } else if (e.kind === 'cannot-step') {
        app.status('warning', cannotStepMessage());
      } else if (e.kind === 'error') {
        app.showError(e.message);
      } else if (e.kind === 'busy') {
        for (const b of [ui.step, ui.step10, ui.step100, ui.play, ui.reset]) b.disabled = e.on && !app.readout;
      }
    }
  });
  app.on('summary', (s, { fresh } = {}) => {
    if (fresh) app.status('', '');
  });

  /** A command that stops Play (a new start): its number for the worker. */
  function stopping() {
    playSeq += 1;
    setPlaying(false);
    return playSeq;
  }

  return {
    step,
    play,
    pause,
    reset,
    togglePlay,
    setPlaying,
    stopping,
    get playSeq() {
      return playSeq;
    },
  };
}
