// Small DOM helpers. User text (column names, cells, messages) only ever
// goes through textContent or new text nodes, never innerHTML.

export const $ = (id) => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return node;
};

/** Creates an element with properties, attributes and children (strings become text nodes). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** Replaces the options of a select, keeping `selected` when present. */
export function setOptions(select, options, selected) {
  // The same list again (most summaries) keeps its nodes: rebuilding a
  // select lays it out anew.
  const old = select.options;
  const same = old.length === options.length && options.every((o, i) => (
    old[i].value === String(o.value) && old[i].text === o.label && old[i].disabled === Boolean(o.disabled)));
  if (!same) {
    clear(select);
    for (const { value, label, disabled } of options) {
      select.append(el('option', { value, text: label, disabled: Boolean(disabled) }));
    }
  }
  if (selected !== undefined && options.some((o) => o.value === String(selected))) {
    select.value = String(selected);
  }
}

export const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** Sets a node's text only when it changed (cheap to call every frame). */
export function setText(node, text) {
  const t = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== t) node.textContent = t;
}

/** Sets or removes an attribute only when it changed. */
export function setAttr(node, name, value) {
  if (value === null || value === undefined || value === false) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== String(value)) {
    node.setAttribute(name, String(value));
  }
}

/** A table body's rows from arrays of cells (`{text, th, className}` or strings), rebuilt only when changed. */
export function fillRows(tbody, rows) {
  const key = JSON.stringify(rows);
  if (tbody.dataset.key === key) return;
  tbody.dataset.key = key;
  tbody.replaceChildren(...rows.map((cells) => el('tr', {}, cells.map((c, i) => {
    const cell = typeof c === 'object' && c !== null ? c : { text: c };
    const th = cell.th ?? i === 0;
    return el(th ? 'th' : 'td', { scope: th ? 'row' : null, class: cell.className || null, text: cell.text ?? '' });
  }))));
}

/** A table head from column names. */
export function fillHead(thead, columns) {
  const key = JSON.stringify(columns);
  if (thead.dataset.key === key) return;
  thead.dataset.key = key;
  thead.replaceChildren(el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c }))));
}

/** Counts as a person reads them: 1,234,567 (integers only; every other number comes formatted from Rust). */
export function count(n) {
  return Number(n).toLocaleString('en-US');
}
