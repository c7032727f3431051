// Keyboard shortcuts (Space plays or pauses, → steps, R resets) wherever
// the focus is, except while typing in a field, and the polite live region
// that tells screen-reader users how training goes.

/** Elements where keys type or move a value: shortcuts stay out of them. */
function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT' || tag === 'OPTION') return true;
  if (tag !== 'INPUT') return false;
  const type = (target.getAttribute('type') || 'text').toLowerCase();
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image'].includes(type);
}

/** Elements that Space would also activate (a click, a toggle). */
function spaceActivates(target) {
  if (!(target instanceof Element)) return false;
  const tag = target.tagName;
  return tag === 'BUTTON' || tag === 'SUMMARY' || tag === 'A' || (tag === 'INPUT' && !isTyping(target));
}

const isSpace = (e) => e.key === ' ' || e.key === 'Spacebar' || e.code === 'Space';

/**
 * Installs the shortcuts on the document, in the capture phase so that a
 * focused button never also clicks. `actions`: togglePlay(), step(), reset().
 */
export function installShortcuts(actions) {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (isTyping(e.target)) return;
    if (isSpace(e)) {
      e.preventDefault();
      e.stopPropagation();
      if (!e.repeat) actions.togglePlay();
    } else if (e.key === 'ArrowRight' && !e.shiftKey) {
      e.preventDefault();
      actions.step();
    } else if ((e.key === 'r' || e.key === 'R') && !e.shiftKey && !e.repeat) {
      e.preventDefault();
      actions.reset();
    }
  }, { capture: true });
  // A button, checkbox or summary acts on Space's keyup: stop that too.
  document.addEventListener('keyup', (e) => {
    if (isSpace(e) && !isTyping(e.target) && spaceActivates(e.target)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, { capture: true });
}

/**
 * A polite live region: says a line at most every `interval` ms while
 * training plays (urgent lines at once), and never the same line twice in a
 * row.
 */
export function createAnnouncer(node, interval = 2000) {
  let last = '';
  let lastAt = -Infinity;
  let holdUntil = -Infinity; // an urgent line is not overwritten by a routine one for a while
  let timer = 0;
  let queued = '';
  const put = (text) => {
    last = text;
    lastAt = performance.now();
    node.textContent = text;
  };
  return {
    say(text, { urgent = false, playing = false } = {}) {
      if (!text || text === last || text === queued) return;
      clearTimeout(timer);
      const now = performance.now();
      const wait = urgent ? 0 : Math.max(playing ? lastAt + interval - now : 0, holdUntil - now);
      if (urgent) holdUntil = now + interval;
      if (wait <= 0) {
        queued = '';
        put(text);
      } else {
        queued = text;
        timer = setTimeout(() => {
          queued = '';
          if (text !== last) put(text);
        }, wait);
      }
    },
    get text() {
      return last;
    },
  };
}
