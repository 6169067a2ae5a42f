// Levels of detail, for views of many slices per pixel column: bins of Q_l = Q_0 * 2^l ns
// from the origin, the same grid on every lane, holding the ns each task held the bin (sparse:
// entries first[j]..first[j+1] of task[] and ns[]) and the ns of waiting with its main waiter.
// A frame drawn from them has columns of whole bins, so its sums stay exact to the ns.
const LOD_MIN = 20000; // slices on the busiest lane below which a frame always reads the slices
const BINS_PER_COLUMN = 16; // at least, in a frame drawn from bins
const densest = lanes.reduce((a, L) => Math.max(a, L.n), 0);
let q0 = 1024;
while (q0 < 2 * full / Math.max(densest, 1)) q0 *= 2; // about two slices a bin on the busiest lane
const t0Levels = performance.now();
if (densest >= LOD_MIN) {
  for (const L of lanes) L.levels = buildLevels(L, q0);
}
const levelsMs = performance.now() - t0Levels;

function buildLevels(L, q) {
  const levels = [];
  let nb = Math.ceil(full / q) + 1;
  let lv = sliceBins(L, q, nb);
  waitBins(L, q, nb, lv);
  levels.push(lv);
  while (nb > 256) {
    lv = mergeBins(L, lv);
    nb = lv.nb;
    levels.push(lv);
  }
  return levels;
}

function sliceBins(L, q, nb) {
  const first = new Int32Array(nb + 1);
  const task = [];
  const ns = [];
  const acc = L.acc;
  const touched = L.touched;
  let touchedN = 0;
  let j = 0;
  const close = () => {
    for (let x = 0; x < touchedN; x++) {
      task.push(touched[x]);
      ns.push(acc[touched[x]]);
      acc[touched[x]] = 0;
    }
    touchedN = 0;
    first[++j] = task.length;
  };
  for (let i = 0; i < L.n; i++) {
    let s = L.start[i];
    const e = L.end[i];
    const k = L.task[i];
    while (s < e) {
      while ((j + 1) * q <= s) close();
      const be = (j + 1) * q;
      const pe = e < be ? e : be;
      if (acc[k] === 0) touched[touchedN++] = k;
      acc[k] += pe - s;
      s = pe;
    }
  }
  while (j < nb) close();
  return { q, nb, first, task: Int32Array.from(task), ns: Float64Array.from(ns) };
}

function mergeBins(L, lv) {
  const nb = Math.ceil(lv.nb / 2);
  const first = new Int32Array(nb + 1);
  const task = [];
  const ns = [];
  const acc = L.acc;
  const touched = L.touched;
  for (let j = 0; j < nb; j++) {
    let touchedN = 0;
    const hi = lv.first[Math.min(2 * j + 2, lv.nb)];
    for (let x = lv.first[2 * j]; x < hi; x++) {
      const k = lv.task[x];
      if (acc[k] === 0) touched[touchedN++] = k;
      acc[k] += lv.ns[x];
    }
    for (let x = 0; x < touchedN; x++) {
      task.push(touched[x]);
      ns.push(acc[touched[x]]);
      acc[touched[x]] = 0;
    }
    first[j + 1] = task.length;
  }
  const waitNs = new Float64Array(nb);
  const waitTid = new Int32Array(nb);
  const waitBest = new Float64Array(nb);
  for (let j = 0; j < lv.nb; j++) {
    const p = j >> 1;
    waitNs[p] += lv.waitNs[j];
    if (lv.waitBest[j] > waitBest[p]) { waitBest[p] = lv.waitBest[j]; waitTid[p] = lv.waitTid[j]; }
  }
  return { q: lv.q * 2, nb, first, task: Int32Array.from(task), ns: Float64Array.from(ns), waitNs, waitTid, waitBest };
}

function waitBins(L, q, nb, lv) {
  lv.waitNs = new Float64Array(nb);
  lv.waitTid = new Int32Array(nb);
  lv.waitBest = new Float64Array(nb);
  for (let i = 0; i < L.m; i++) {
    let s = L.at[i] - L.len[i];
    const e = L.at[i];
    let j = Math.floor(s / q);
    while (s < e && j < nb) {
      const pe = Math.min(e, (j + 1) * q);
      const d = pe - s;
      lv.waitNs[j] += d;
      if (d > lv.waitBest[j]) { lv.waitBest[j] = d; lv.waitTid[j] = L.tid[i]; }
      s = pe;
      j++;
    }
  }
}
