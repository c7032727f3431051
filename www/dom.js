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
  clear(select);
  for (const { value, label, disabled } of options) {
    select.append(el('option', { value, text: label, disabled: Boolean(disabled) }));
  }
  if (selected !== undefined && options.some((o) => o.value === String(selected))) {
    select.value = String(selected);
  }
}

export const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
