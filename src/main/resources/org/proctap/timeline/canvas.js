// The canvas: a lane per CPU under a time axis, painted from the columns' aggregates, one
// rectangle per run of like columns.
const GUTTER = 62; // css px of lane labels
const AXIS = 24; // css px of the time axis
const STRIP = 5; // css px of a lane's wait marks, above its slices
let t0 = 0;
let t1 = full;
const canvas = document.getElementById('pt-canvas');
const ctx = canvas.getContext('2d', { alpha: false });
const viewEl = document.getElementById('pt-view');
const tooltip = document.getElementById('pt-tooltip');
const laneH = lanes.length > 16 ? 20 : lanes.length > 4 ? 32 : 56;
let frame = null; // the last draw: bounds, columns, per-lane aggregates
let lastDrawMs = 0;

function geometry() {
  const dpr = window.devicePixelRatio || 1;
  const cssW = Math.max(viewEl.clientWidth, GUTTER + 50);
  const cssH = AXIS + lanes.length * laneH + 2;
  return { dpr, cssW, cssH, W: Math.max(1, Math.round((cssW - GUTTER) * dpr)) };
}

function draw() {
  const began = performance.now();
  const g = geometry();
  const { dpr, W } = g;
  const cw = Math.round(g.cssW * dpr);
  const chh = Math.round(g.cssH * dpr);
  if (canvas.width !== cw || canvas.height !== chh) {
    canvas.width = cw;
    canvas.height = chh;
    canvas.style.height = g.cssH + 'px';
  }
  const level = levelFor(W);
  let b;
  let j0 = 0;
  let m = 0;
  if (level === null) {
    b = columnBounds(W);
  } else {
    // whole bins per column: the view snaps to the level's grid (at most 1/16 of a column wider)
    const q = lanes[0].levels[level].q;
    m = Math.ceil((t1 - t0) / W / q);
    j0 = Math.floor(t0 / q);
    b = new Float64Array(W + 1);
    for (let c = 0; c <= W; c++) b[c] = (j0 + c * m) * q;
  }
  const x0 = Math.round(GUTTER * dpr);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, cw, chh);
  const colTask = new Int32Array(W);
  const colBusy = new Float64Array(W);
  const waitNs = new Float64Array(W);
  const waitTid = new Int32Array(W);
  const waitBest = new Float64Array(W);
  const lh = laneH * dpr;
  const strip = STRIP * dpr;
  const aggregates = [];
  const phases = { slices: 0, waits: 0 };
  ctx.font = Math.round(11 * dpr) + 'px "DejaVu Sans", sans-serif';
  ctx.textBaseline = 'middle';
  for (let li = 0; li < lanes.length; li++) {
    const L = lanes[li];
    const y0 = Math.round((AXIS + li * laneH) * dpr);
    ctx.fillStyle = li % 2 ? '#f7f7f7' : '#fdfdfd';
    ctx.fillRect(x0, y0, cw - x0, lh);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.fillText('CPU ' + L.cpu, 6 * dpr, y0 + lh / 2);
    let m0 = performance.now();
    if (level === null) {
      aggregateSlices(L, b, W, colTask, colBusy);
    } else {
      aggregateBins(L, L.levels[level], j0, m, W, colTask, colBusy);
    }
    phases.slices += performance.now() - m0;
    const barTop = y0 + strip + 2 * dpr;
    const barH = lh - strip - 4 * dpr;
    let rects = 0;
    let style = null;
    for (let c = 0; c < W;) {
      const k = colTask[c];
      if (k < 0) { c++; continue; }
      const hpx = heightOf(colBusy[c], b[c + 1] - b[c], barH);
      let r = c + 1;
      while (r < W && colTask[r] === k && heightOf(colBusy[r], b[r + 1] - b[r], barH) === hpx) r++;
      if (style !== colour[k]) ctx.fillStyle = style = colour[k]; // (a colour string is parsed at each set)
      ctx.fillRect(x0 + c, barTop + barH - hpx, r - c, hpx);
      rects++;
      c = r;
    }
    m0 = performance.now();
    if (level === null) {
      aggregateWaits(L, b, W, waitNs, waitTid, waitBest);
    } else {
      aggregateWaitBins(L.levels[level], j0, m, W, waitNs, waitTid);
    }
    phases.waits += performance.now() - m0;
    for (let c = 0; c < W;) {
      if (waitNs[c] === 0) { c++; continue; }
      const tid = waitTid[c];
      let r = c + 1;
      while (r < W && waitNs[r] > 0 && waitTid[r] === tid) r++;
      const k = taskOfTid.get(tid);
      const ws = k === undefined ? '#c8c8c8' : waitColour[k];
      if (style !== ws) ctx.fillStyle = style = ws;
      ctx.fillRect(x0 + c, y0 + dpr, r - c, strip);
      rects++;
      c = r;
    }
    aggregates.push({ colTask: colTask.slice(), colBusy: colBusy.slice(), rects });
    ctx.fillStyle = '#d8d8d8';
    ctx.fillRect(0, y0 + lh - 1, cw, 1);
  }
  drawAxis(b, W, x0, dpr, cw, chh);
  frame = { b, W, x0, dpr, aggregates, phases, level };
  document.getElementById('pt-range').textContent =
    'showing ' + fmtDur(b[0]) + ' to ' + fmtDur(b[W]) + ' (' + fmtDur(b[W] - b[0]) + ' of ' + fmtDur(full) + ')';
  lastDrawMs = performance.now() - began;
  return lastDrawMs;
}

function heightOf(busy, width, barH) {
  const f = width > 0 ? Math.min(1, busy / width) : 1;
  return Math.max(1, Math.round(f * barH));
}

function drawAxis(b, W, x0, dpr, cw, chh) {
  const span = b[W] - b[0];
  const step = niceStep(span, W / dpr);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, cw, AXIS * dpr);
  ctx.fillStyle = '#555';
  ctx.textAlign = 'left';
  ctx.fillText('time', 6 * dpr, AXIS * dpr / 2);
  ctx.textAlign = 'center';
  for (let t = Math.ceil(b[0] / step) * step; t <= b[W]; t += step) {
    const x = x0 + Math.round((t - b[0]) * W / span);
    ctx.fillStyle = '#888';
    ctx.fillRect(x, (AXIS - 6) * dpr, 1, 6 * dpr);
    ctx.fillStyle = 'rgba(0,0,0,0.07)';
    ctx.fillRect(x, AXIS * dpr, 1, chh - AXIS * dpr);
    ctx.fillStyle = '#333';
    const label = tickLabel(t, step);
    const half = ctx.measureText(label).width / 2;
    ctx.fillText(label, Math.min(Math.max(x, x0 + half), cw - half - 2), (AXIS - 13) * dpr);
  }
  ctx.fillStyle = '#999';
  ctx.fillRect(x0, AXIS * dpr - 1, cw - x0, 1);
}

let pending = 0;
function requestDraw() {
  if (!pending) {
    pending = requestAnimationFrame(() => { pending = 0; draw(); });
  }
}
