// Colours: one per watched process, hues spread by the golden angle; other tasks grey.
const GREY = '#a8a8a8';
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
