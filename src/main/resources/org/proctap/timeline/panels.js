// Beside the timeline: the legend,, the table and the histograms
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
