// proctap timeline: decodes the data TimelineWriter embedded (format 1) and draws a lane per CPU on
// a canvas. Nothing is drawn per slice: each frame aggregates the visible slices per pixel column
// (which task held the column longest, and how busy it was), so a frame costs one pass over the
// visible slices plus one rectangle per run of like columns, whatever the zoom.
(function () {
  'use strict';

  const GUTTER = 62; // css px of lane labels
  const AXIS = 24; // css px of the time axis
  const STRIP = 5; // css px of a lane's wait marks, above its slices
  const MIN_SPAN = 1000; // ns: the deepest zoom
  const GREY = '#a8a8a8';

  const header = JSON.parse(document.getElementById('pt-header').textContent);
  if (header.format !== 1) {
    throw new Error('timeline data format ' + header.format + ': this page reads format 1');
  }
  const tasks = header.tasks;
  const taskCount = tasks.tid.length;

  function bytesOf(id) {
    const text = document.getElementById(id).textContent;
    if (typeof Uint8Array.fromBase64 === 'function') {
      return Uint8Array.fromBase64(text);
    }
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  // A lane's streams: unsigned LEB128 varints, three per record (see Lane.java). Values reach
  // 2^53, past JavaScript's 32-bit bit operators, hence the multiplications.
  function decodeLane(meta) {
    const cpu = meta.cpu;
    let bytes = bytesOf('pt-slices-' + cpu);
    let p = 0;
    const next = () => {
      let v = 0;
      let m = 1;
      let b;
      do {
        b = bytes[p++];
        v += (b & 127) * m;
        m *= 128;
      } while (b & 128);
      return v;
    };
    const n = meta.slices;
    const start = new Float64Array(n);
    const end = new Float64Array(n);
    const task = new Int32Array(n);
    const total = new Float64Array(taskCount);
    let t = meta.sliceBase;
    for (let i = 0; i < n; i++) {
      t += next();
      start[i] = t;
      t += next();
      end[i] = t;
      const k = next();
      if (k >= taskCount) {
        throw new Error('cpu ' + cpu + ': slice ' + i + ' names task ' + k + ' of ' + taskCount);
      }
      task[i] = k;
      total[k] += end[i] - start[i];
    }
    if (p !== bytes.length) {
      throw new Error('cpu ' + cpu + ': slice data holds ' + bytes.length + ' bytes, ' + n + ' slices used ' + p);
    }
    bytes = bytesOf('pt-waits-' + cpu);
    p = 0;
    const m = meta.waits;
    const at = new Float64Array(m);
    const len = new Float64Array(m);
    const tid = new Int32Array(m);
    let maxWait = 0;
    t = meta.waitBase;
    for (let i = 0; i < m; i++) {
      t += next();
      at[i] = t;
      len[i] = next();
      tid[i] = next();
      if (len[i] > maxWait) {
        maxWait = len[i];
      }
    }
    if (p !== bytes.length) {
      throw new Error('cpu ' + cpu + ': wait data holds ' + bytes.length + ' bytes, ' + m + ' waits used ' + p);
    }
    return {
      cpu, n, start, end, task, total, m, at, len, tid, maxWait,
      drawn: new Float64Array(taskCount), acc: new Float64Array(taskCount), touched: new Int32Array(taskCount),
    };
  }

  const t0Decode = performance.now();
  const lanes = header.lanes.map(decodeLane);
  const decodeMs = performance.now() - t0Decode;
  let full = header.spanNs;
  for (const L of lanes) {
    if (L.n && L.end[L.n - 1] > full) {
      full = L.end[L.n - 1];
    }
  }
  full = Math.max(full, MIN_SPAN);

  // ---- levels of detail, for views of many slices per pixel column: bins of Q_l = Q_0 * 2^l ns
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

  // Colours: one per watched process, hues spread by the golden angle; other tasks grey.
  const processes = [];
  const hueOf = new Map();
  for (let k = 0; k < taskCount; k++) {
    if (tasks.watched[k] && !hueOf.has(tasks.tgid[k])) {
      hueOf.set(tasks.tgid[k], 0);
      processes.push(tasks.tgid[k]);
    }
  }
  processes.sort((a, b) => a - b);
  processes.forEach((tgid, i) => hueOf.set(tgid, (205 + i * 137.508) % 360));
  const lightOf = new Map(processes.map((tgid, i) => [tgid, [48, 38, 58][i % 3]])); // near hues apart
  const processColour = (tgid) => 'hsl(' + hueOf.get(tgid).toFixed(1) + ' 62% ' + lightOf.get(tgid) + '%)';
  const colour = [];
  const waitColour = [];
  for (let k = 0; k < taskCount; k++) {
    const h = tasks.watched[k] ? hueOf.get(tasks.tgid[k]) : null;
    colour.push(h === null ? GREY : processColour(tasks.tgid[k]));
    waitColour.push(h === null ? '#c8c8c8' : 'hsl(' + h.toFixed(1) + ' 80% 30%)');
  }
  const taskOfTid = new Map(); // a wait names a tid: its latest task entry (name) colours it
  for (let k = 0; k < taskCount; k++) {
    taskOfTid.set(tasks.tid[k], k);
  }

  // ---- formatting
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

  // ---- view state and the page's elements
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

  // ---- zoom and pan
  function setView(a, z) {
    let span = Math.min(Math.max(z - a, MIN_SPAN), full);
    a = Math.min(Math.max(a, 0), full - span);
    t0 = a;
    t1 = a + span;
    requestDraw();
  }
  function zoomAt(factor, anchor) {
    const span = t1 - t0;
    const ns = Math.min(Math.max(span * factor, MIN_SPAN), full);
    setView(anchor - (anchor - t0) * ns / span, anchor - (anchor - t0) * ns / span + ns);
  }
  function pan(fraction) {
    const d = (t1 - t0) * fraction;
    setView(t0 + d, t1 + d);
  }
  function timeAtCss(x) {
    const g = geometry();
    return t0 + (x - GUTTER) * (t1 - t0) / (g.cssW - GUTTER);
  }

  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey) {
      pan((e.deltaX || e.deltaY) / Math.max(r.width - GUTTER, 1));
    } else {
      zoomAt(Math.exp(e.deltaY * 0.0015), Math.min(Math.max(timeAtCss(e.clientX - r.left), t0), t1));
    }
  }, { passive: false });
  let drag = null;
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.clientX, t0, t1 };
    canvas.classList.add('dragging');
  });
  window.addEventListener('mouseup', () => {
    drag = null;
    canvas.classList.remove('dragging');
  });
  window.addEventListener('mousemove', (e) => {
    if (drag) {
      const r = canvas.getBoundingClientRect();
      const d = (e.clientX - drag.x) * (drag.t1 - drag.t0) / Math.max(r.width - GUTTER, 1);
      setView(drag.t0 - d, drag.t1 - d);
    }
  });
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    hover(e.clientX - r.left, e.clientY - r.top);
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  document.getElementById('pt-zoom-in').addEventListener('click', () => zoomAt(0.5, (t0 + t1) / 2));
  document.getElementById('pt-zoom-out').addEventListener('click', () => zoomAt(2, (t0 + t1) / 2));
  document.getElementById('pt-pan-left').addEventListener('click', () => pan(-0.25));
  document.getElementById('pt-pan-right').addEventListener('click', () => pan(0.25));
  document.getElementById('pt-reset').addEventListener('click', () => setView(0, full));
  document.addEventListener('keydown', (e) => {
    const k = { '+': () => zoomAt(0.5, (t0 + t1) / 2), '=': () => zoomAt(0.5, (t0 + t1) / 2),
      '-': () => zoomAt(2, (t0 + t1) / 2), 'ArrowLeft': () => pan(-0.1), 'ArrowRight': () => pan(0.1),
      '0': () => setView(0, full) }[e.key];
    if (k) { k(); e.preventDefault(); }
  });
  window.addEventListener('resize', requestDraw);

  // ---- hover: the slice under the pointer, else the longest one of the task that held the pixel
  // column longest; where a column holds several, how many and how busy it was.
  function sliceAt(L, t, c) {
    const i = firstAfter(L.start, L.n, t) - 1;
    const direct = i >= 0 && L.end[i] > t ? i : -1;
    if (!frame) return direct < 0 ? null : { i: direct, note: '' };
    const agg = frame.aggregates[lanes.indexOf(L)];
    const k = agg.colTask[c];
    const lo = frame.b[c];
    const hi = frame.b[c + 1];
    let best = -1;
    let bestNs = 0;
    let count = 0;
    for (let j = firstAfter(L.end, L.n, lo); j < L.n && L.start[j] < hi; j++) {
      count++;
      const d = Math.min(L.end[j], hi) - Math.max(L.start[j], lo);
      if (L.task[j] === k && d > bestNs) { bestNs = d; best = j; }
    }
    const pick = direct >= 0 ? direct : best;
    if (pick < 0) return null;
    if (count <= 1) return { i: pick, note: '' };
    const busy = 100 * agg.colBusy[c] / Math.max(hi - lo, 1);
    return { i: pick, note: count + ' slices in this pixel, ' + busy.toFixed(0) + '% busy; ' +
      (direct >= 0 ? 'the one under the pointer:' : 'the longest of the task that held it longest:') };
  }

  function waitBefore(L, i) { // the wait that ended in slice i's switch-in, if one was recorded
    const s = L.start[i];
    const tid = tasks.tid[L.task[i]];
    const floor = i > 0 ? L.end[i - 1] : -Infinity;
    for (let j = firstAfter(L.at, L.m, s) - 1; j >= 0 && L.at[j] >= floor; j--) {
      if (L.tid[j] === tid) return j;
    }
    return -1;
  }

  function hover(x, y) {
    const li = Math.floor((y - AXIS) / laneH);
    if (!frame || x < GUTTER || li < 0 || li >= lanes.length) {
      tooltip.hidden = true;
      return null;
    }
    const L = lanes[li];
    const xd = (x - GUTTER) * frame.dpr;
    const c = Math.min(frame.W - 1, Math.max(0, Math.floor(xd)));
    const t = frame.b[0] + xd * (frame.b[frame.W] - frame.b[0]) / frame.W;
    const hit = sliceAt(L, t, c);
    let text;
    if (!hit) {
      text = 'CPU ' + L.cpu + ' idle at ' + fmtTime(t);
      tooltip.dataset.tid = '';
    } else {
      const i = hit.i;
      const k = L.task[i];
      const w = waitBefore(L, i);
      text = (hit.note ? hit.note + '\n' : '') +
        tasks.comm[k] + '  tid ' + tasks.tid[k] + '  pid ' + tasks.tgid[k] + (tasks.watched[k] ? '' : '  (not watched)') +
        '\nCPU ' + L.cpu +
        '\nstart  ' + fmtTime(L.start[i]) +
        '\nend    ' + fmtTime(L.end[i]) +
        '\nran    ' + fmtDur(L.end[i] - L.start[i]) +
        '\n' + (w < 0 ? 'no wait recorded before it'
          : 'waited ' + fmtDur(L.len[w]) + ' before it (woken at ' + fmtTime(L.at[w] - L.len[w]) + ')');
      tooltip.dataset.tid = tasks.tid[k];
      tooltip.dataset.tgid = tasks.tgid[k];
      tooltip.dataset.comm = tasks.comm[k];
      tooltip.dataset.startNs = L.start[i];
      tooltip.dataset.endNs = L.end[i];
      tooltip.dataset.waitNs = w < 0 ? '' : L.len[w];
    }
    tooltip.dataset.cpu = L.cpu;
    tooltip.textContent = text;
    tooltip.hidden = false;
    const vw = viewEl.clientWidth;
    tooltip.style.left = Math.min(x + 14, Math.max(0, vw - tooltip.offsetWidth - 4)) + 'px';
    tooltip.style.top = (y + 16) + 'px';
    return text;
  }

  // ---- the legend, the table and the histograms
  function legend() {
    const el = document.getElementById('pt-legend');
    const ns = new Map();
    const name = new Map();
    for (const L of lanes) {
      for (let k = 0; k < taskCount; k++) {
        if (tasks.watched[k]) ns.set(tasks.tgid[k], (ns.get(tasks.tgid[k]) || 0) + L.total[k]);
      }
    }
    for (let k = 0; k < taskCount; k++) {
      const g = tasks.tgid[k];
      if (tasks.watched[k] && (!name.has(g) || tasks.tid[k] === g)) name.set(g, tasks.comm[k]);
    }
    const item = (bg, text) => {
      const s = document.createElement('span');
      const sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = bg;
      s.append(sw, text);
      el.append(s);
    };
    for (const g of processes) {
      item(processColour(g), name.get(g) + ' (pid ' + g + '): ran ' + fmtDur(ns.get(g)));
    }
    item(GREY, 'other tasks');
    item('hsl(205 80% 30%)', 'a wait, wake-up to switch-in (the strip above a lane; pale: other tasks)');
  }

  function table() {
    const el = document.getElementById('pt-table');
    const t = header.table;
    if (!t.columns.length) {
      el.replaceWith(Object.assign(document.createElement('p'), { textContent: 'no table' }));
      return;
    }
    const head = el.createTHead().insertRow();
    const body = el.createTBody();
    let order = { col: -1, dir: 1 };
    const fill = () => {
      body.replaceChildren();
      for (const row of t.rows) {
        const tr = body.insertRow();
        for (const v of row) {
          const td = tr.insertCell();
          td.textContent = v === null ? '-' : String(v);
          if (typeof v === 'number' || v === null) td.className = 'num';
        }
      }
    };
    t.columns.forEach((name, i) => {
      const th = document.createElement('th');
      th.textContent = name;
      th.addEventListener('click', () => {
        order = { col: i, dir: order.col === i ? -order.dir : 1 };
        t.rows.sort((a, b) => {
          const x = a[i];
          const y = b[i];
          if (x === y) return 0;
          if (x === null) return 1;
          if (y === null) return -1;
          return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * order.dir;
        });
        fill();
      });
      head.append(th);
    });
    fill();
  }

  function histograms() {
    const el = document.getElementById('pt-hist');
    if (!header.histograms.length) {
      el.textContent = 'none';
      return;
    }
    for (const h of header.histograms) {
      const pre = document.createElement('pre');
      pre.textContent = h.title + ':\n' + h.text;
      el.append(pre);
    }
  }

  document.getElementById('pt-title').textContent = header.title;
  const slices = lanes.reduce((a, L) => a + L.n, 0);
  const waits = lanes.reduce((a, L) => a + L.m, 0);
  document.getElementById('pt-meta').textContent = lanes.length + (lanes.length === 1 ? ' CPU · ' : ' CPUs · ') +
    slices + ' slices · ' + waits + ' waits · ' + fmtDur(full) + ' from CLOCK_MONOTONIC ' + header.originNs + ' ns';
  legend();
  table();
  histograms();
  draw();

  // For the browser tests (TimelineBrowserIT) and the curious: the view, and what the last frame drew.
  window.proctapTimeline = {
    header, decodeMs, levelsMs, slices, waits,
    draw,
    lastDrawMs: () => lastDrawMs,
    setView: (a, z) => { setView(a, z); return draw(); },
    view: () => ({ startNs: frame.b[0], endNs: frame.b[frame.W], columns: frame.W, fullNs: full,
      level: frame.level, binNs: frame.level === null ? 0 : lanes[0].levels[frame.level].q }),
    lanesDrawn: () => frame.aggregates.length,
    rects: () => frame.aggregates.map((a) => a.rects),
    phases: () => frame.phases,
    // Per CPU and task, the ns the last frame's columns summed: exactly the visible part of its slices.
    drawnNs: () => {
      const out = [];
      for (const L of lanes) {
        for (let k = 0; k < taskCount; k++) {
          if (L.drawn[k] > 0) {
            out.push({ cpu: L.cpu, tid: tasks.tid[k], tgid: tasks.tgid[k], comm: tasks.comm[k], ns: L.drawn[k] });
          }
        }
      }
      return out;
    },
    // Css px within the canvas: x of a time from the origin, y of a lane's slice bars.
    xOf: (t) => GUTTER + (t - frame.b[0]) * (frame.W / frame.dpr) / (frame.b[frame.W] - frame.b[0]),
    yOf: (cpu) => AXIS + cpu * laneH + (STRIP + 2 + (laneH - STRIP - 4) / 2),
    hover,
  };
})();
