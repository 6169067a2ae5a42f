// Zoom and pan: the wheel (about the pointer), a drag, the buttons and the keys.
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
