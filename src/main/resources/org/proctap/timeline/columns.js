// What a frame draws, per pixel column of a lane: which task held the column longest (colTask,
// -1 when idle) and how many ns any task held it (colBusy), read from the slices themselves or
// from whole bins of a level of detail; and the same for waits. Nothing here draws.
// The time at the left edge of each pixel column, rounded to whole ns so that a slice's parts
// in the columns it covers add up to exactly its length.
function columnBounds(W) {
  const b = new Float64Array(W + 1);
  const a = Math.round(t0);
  const z = Math.round(t1);
  for (let c = 0; c <= W; c++) {
    b[c] = Math.round(a + (z - a) * c / W);
  }
  return b;
}

function firstAfter(arr, n, t) { // the first i with arr[i] > t (arr ascending)
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] > t) hi = mid; else lo = mid + 1;
  }
  return lo;
}

// Per column: the task that held it longest (-1: idle) and the ns any task held it. Slices on a
// CPU do not overlap and are in time order, so one pass walks the columns alongside.
function aggregateSlices(L, b, W, colTask, colBusy) {
  colTask.fill(-1);
  colBusy.fill(0);
  const drawn = L.drawn;
  drawn.fill(0);
  const acc = L.acc;
  const touched = L.touched;
  const start = L.start;
  const end = L.end;
  const task = L.task;
  const b0 = b[0];
  const bW = b[W];
  let touchedN = 0;
  let c = 0;
  for (let i = firstAfter(end, L.n, b0); i < L.n; i++) {
    let s = start[i];
    if (s >= bW) break;
    let e = end[i];
    if (e > bW) e = bW;
    if (s < b0) s = b0;
    if (e <= s) continue;
    const k = task[i];
    while (s < e) {
      while (b[c + 1] <= s) {
        if (touchedN) {
          let best = -1;
          let bestNs = 0;
          let sum = 0;
          for (let j = 0; j < touchedN; j++) {
            const q = touched[j];
            sum += acc[q];
            if (acc[q] > bestNs) { bestNs = acc[q]; best = q; }
            acc[q] = 0;
          }
          touchedN = 0;
          colTask[c] = best;
          colBusy[c] = sum;
        }
        c++;
      }
      const ce = b[c + 1];
      const pe = e < ce ? e : ce;
      const d = pe - s;
      if (acc[k] === 0) touched[touchedN++] = k;
      acc[k] += d;
      drawn[k] += d;
      s = pe;
    }
  }
  if (touchedN) {
    let best = -1;
    let bestNs = 0;
    let sum = 0;
    for (let j = 0; j < touchedN; j++) {
      const q = touched[j];
      sum += acc[q];
      if (acc[q] > bestNs) { bestNs = acc[q]; best = q; }
      acc[q] = 0;
    }
    colTask[c] = best;
    colBusy[c] = sum;
  }
}

function columnOf(b, W, t) { // the column holding time t (b[c] <= t < b[c+1])
  let c = Math.floor((t - b[0]) * W / (b[W] - b[0]));
  if (c < 0) c = 0;
  if (c > W - 1) c = W - 1;
  while (c < W - 1 && b[c + 1] <= t) c++;
  while (c > 0 && b[c] > t) c--;
  return c;
}

// Per column: ns of waiting (waits on one run queue may overlap) and the tid with the longest
// share. Waits are in the order of their ends; the longest one bounds how early a start can be.
function aggregateWaits(L, b, W, waitNs, waitTid, waitBest) {
  waitNs.fill(0);
  waitBest.fill(0);
  const b0 = b[0];
  const bW = b[W];
  for (let i = firstAfter(L.at, L.m, b0); i < L.m; i++) {
    const a = L.at[i];
    if (a - L.maxWait >= bW) break;
    let s = a - L.len[i];
    let e = a;
    if (s < b0) s = b0;
    if (e > bW) e = bW;
    if (e <= s) continue;
    let c = columnOf(b, W, s);
    while (s < e && c < W) {
      const ce = b[c + 1];
      const pe = e < ce ? e : ce;
      const d = pe - s;
      if (d > 0) {
        waitNs[c] += d;
        if (d > waitBest[c]) { waitBest[c] = d; waitTid[c] = L.tid[i]; }
      }
      s = pe;
      c++;
    }
  }
}

// The level a frame of W columns over [t0, t1] reads, or null to read the slices themselves.
function levelFor(W) {
  const colNs = (t1 - t0) / W;
  if (densest < LOD_MIN) return null;
  let busiest = 0;
  for (const L of lanes) {
    busiest = Math.max(busiest, firstAfter(L.start, L.n, t1) - firstAfter(L.end, L.n, t0));
  }
  if (busiest < BINS_PER_COLUMN * W) return null;
  let l = -1;
  while (l + 1 < lanes[0].levels.length && lanes[0].levels[l + 1].q * BINS_PER_COLUMN <= colNs) l++;
  return l < 0 ? null : l;
}

// Per column from whole bins of one level: the same results as aggregateSlices.
function aggregateBins(L, lv, j0, m, W, colTask, colBusy) {
  colTask.fill(-1);
  colBusy.fill(0);
  const drawn = L.drawn;
  drawn.fill(0);
  const acc = L.acc;
  const touched = L.touched;
  for (let c = 0; c < W; c++) {
    const ja = j0 + c * m;
    if (ja >= lv.nb) break;
    const lo = lv.first[ja];
    const hi = lv.first[Math.min(ja + m, lv.nb)];
    if (lo === hi) continue;
    let touchedN = 0;
    for (let x = lo; x < hi; x++) {
      const k = lv.task[x];
      if (acc[k] === 0) touched[touchedN++] = k;
      acc[k] += lv.ns[x];
    }
    let best = -1;
    let bestNs = 0;
    let sum = 0;
    for (let y = 0; y < touchedN; y++) {
      const k = touched[y];
      sum += acc[k];
      drawn[k] += acc[k];
      if (acc[k] > bestNs) { bestNs = acc[k]; best = k; }
      acc[k] = 0;
    }
    colTask[c] = best;
    colBusy[c] = sum;
  }
}

function aggregateWaitBins(lv, j0, m, W, waitNs, waitTid) {
  waitNs.fill(0);
  for (let c = 0; c < W; c++) {
    let best = 0;
    for (let j = j0 + c * m, z = Math.min(j0 + (c + 1) * m, lv.nb); j < z; j++) {
      waitNs[c] += lv.waitNs[j];
      if (lv.waitBest[j] > best) { best = lv.waitBest[j]; waitTid[c] = lv.waitTid[j]; }
    }
  }
}
