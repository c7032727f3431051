// Keyboard shortcuts (Space plays/pauses, → steps, R resets) and the polite
// live region that tells screen-reader users how training goes.

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'OPTION']);
// Elements that Space already activates: leave Space to them.
const SPACE_TARGETS = new Set(['BUTTON', 'A', 'SUMMARY', 'LABEL']);

/**
 * Installs the shortcuts on `root` (the document). `actions` holds
 * `togglePlay()`, `step()` and `reset()`.
 */
export function installShortcuts(root, actions) {
  root.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target && (TYPING.has(target.tagName) || target.isContentEditable)) return;
    if (e.key === ' ' || e.key === 'Spacebar') {
      if (target && SPACE_TARGETS.has(target.tagName)) return;
      if (e.repeat) {
        e.preventDefault();
        return;
      }
      e.preventDefault();
      actions.togglePlay();
    } else if (e.key === 'ArrowRight') {
      if (e.shiftKey) return;
      e.preventDefault();
      actions.step();
    } else if (e.key === 'r' || e.key === 'R') {
      if (e.shiftKey || e.repeat) return;
      e.preventDefault();
      actions.reset();
    }
  });
}

/**
 * A polite live region. `say(text)` replaces its text after a short pause so
 * that a burst of messages (pause, then "diverged") reads as the last one.
 */
export function createAnnouncer(node) {
  let timer = 0;
  let pending = '';
  return {
    say(text) {
      pending = text;
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Re-setting identical text is not announced again: nudge it.
        node.textContent = node.textContent === pending ? `${pending}\u00a0` : pending;
      }, 120);
    },
    get text() {
      return pending;
    },
  };
}
