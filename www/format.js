// Number formatting for the read-outs (the plots format their own axes).

/** Compact number: up to `digits` significant digits, scientific when huge or tiny. */
export function fmt(v, digits = 4) {
  if (typeof v !== 'number') return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) {
    const [m, e] = v.toExponential(digits - 1).split('e');
    return `${trimZeros(m)}e${e.replace('+', '')}`;
  }
  const s = v.toPrecision(digits);
  return s.includes('e') ? String(Number(s)) : trimZeros(s);
}

function trimZeros(s) {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A learning rate as written on the slider: 0.01, 0.2, 1e-5. */
export function fmtRate(v) {
  return fmt(v, 3);
}

/** Percent with one decimal. */
export function pct(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–';
}
