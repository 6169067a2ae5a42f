// proctap timeline: decodes the data TimelineWriter embedded and draws a lane per CPU on a canvas.
// Nothing is drawn per slice: each frame aggregates the visible slices per pixel column (which task
// held the column longest, and how busy it was), from the slices or from precomputed levels of
// detail, so a frame costs little more than one rectangle per run of like columns, at any zoom.
// TimelineWriter concatenates data.js ... main.js (this file last) into one function scope.
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
