// The page's data (TimelineWriter, format 1): the JSON header and per CPU two varint streams,
// decoded into typed arrays once, at load.
const MIN_SPAN = 1000; // ns: the deepest zoom

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
