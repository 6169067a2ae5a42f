// Times as people read them.
function fmtDur(ns) {
  const a = Math.abs(ns);
  if (a >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
  if (a >= 1e6) return (ns / 1e6).toFixed(3) + ' ms';
  if (a >= 1e3) return (ns / 1e3).toFixed(3) + ' µs';
  return ns.toFixed(0) + ' ns';
}
function fmtTime(ns) { // from the origin, to the nanosecond
  return (ns / 1e9).toFixed(9) + ' s';
}
function tickLabel(ns, step) {
  const units = step >= 1e8 ? [1e9, 's'] : step >= 1e5 ? [1e6, 'ms'] : step >= 1e2 ? [1e3, 'µs'] : [1, 'ns'];
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / units[0]) - 1e-9));
  return (ns / units[0]).toFixed(decimals) + ' ' + units[1];
}
function niceStep(spanNs, px) {
  const raw = spanNs * 95 / Math.max(px, 1);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const f of [1, 2, 5, 10]) {
    if (f * p >= raw) return f * p;
  }
  return 10 * p;
}
