// Hover: the slice under the pointer, else the longest one of the task that held the pixel
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
