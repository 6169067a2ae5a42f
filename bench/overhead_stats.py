#!/usr/bin/env python3
"""Helpers for bench/overhead: read tracer outputs and /proc, and render the result table.

Subcommands (all print tab-separated values for the bash script, except `report`):
  cpu PID...                  CPU seconds (utime+stime) of these pids and their live
                              descendants, and the pids counted ("1.23<TAB>pid,pid")
  children PID                pids of PID's children (comma-separated, may be empty)
  proctap JSONL PIDS NAME     lost_total, tasks seen, switch-ins seen ("lost<TAB>tasks<TAB>runs")
  bpftrace OUT PIDS NAME      same for bench/seed.bt's end table (lost is "-": in-kernel maps)
  runqlat OUT                 the number of latencies in runqlat.bt's @usecs histogram
  perf DATA PIDS NAME         same for a `perf sched record` file (lost from perf report --stats)
  bpfprogs PREFIX PID...      BPF programs held open by these pids and their descendants, from
                              /proc/PID/fdinfo: "prog_id<TAB>PREFIXname<TAB>run_cnt<TAB>
                              run_time_ns" per program (PREFIX may be empty)

PIDS is the workload's pids (comma-separated). When it is empty, tasks are matched by NAME as a
substring of comm instead, which also counts any other process of that name on the machine.
"""
import json
import os
import re
import subprocess
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- /proc

def _stat_fields(pid):
    """Fields of /proc/PID/stat after the comm (which may hold spaces and parentheses)."""
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()


def _all_ppids():
    ppids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppids[int(d)] = int(_stat_fields(d)[1])
            except (OSError, ValueError, IndexError):
                pass  # raced with an exit
    return ppids


def descendants(pid):
    ppids = _all_ppids()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in ppids.items() if pp == p)
    return out


def _trees(pids):
    seen = []
    for pid in pids:
        for p in descendants(int(pid)):
            if p not in seen:
                seen.append(p)
    return seen


def cmd_cpu(*pids):
    # utime/stime (fields 14/15) include the process's exited threads; cutime/cstime are left out
    # on purpose: reaped children (e.g. a build run by the launcher before it exec'd the JVM) did
    # not trace anything.
    total, counted = 0, []
    for p in _trees(pids):
        try:
            f = _stat_fields(p)
            total += int(f[11]) + int(f[12])
            counted.append(str(p))
        except (OSError, ValueError, IndexError):
            pass
    print(f"{total / CLK_TCK:.2f}\t{','.join(counted)}")


def cmd_children(pid):
    kids = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                kids += f.read().split()
    except OSError:
        pass
    print(",".join(kids))


def cmd_bpfprogs(prefix, *pids):
    progs = {}
    for pid in _trees(pids):
        fddir = f"/proc/{pid}/fdinfo"
        try:
            fds = os.listdir(fddir)
        except OSError:
            continue
        for fd in fds:
            try:
                with open(f"{fddir}/{fd}") as f:
                    kv = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
            except OSError:
                continue
            if "prog_id" in kv and "run_cnt" in kv:
                progs[int(kv["prog_id"])] = (int(kv["run_cnt"]), int(kv["run_time_ns"]))
    for pid_, (cnt, ns) in sorted(progs.items()):
        name = "?"
        try:
            info = json.loads(subprocess.run(["bpftool", "-j", "prog", "show", "id", str(pid_)],
                                             stdin=subprocess.DEVNULL, capture_output=True,
                                             text=True, timeout=10).stdout)
            name = info.get("name", "?")
        except (OSError, ValueError, subprocess.SubprocessError):
            pass
        print(f"{pid_}\t{prefix}{name}\t{cnt}\t{ns}")


# ---------------------------------------------------------------- tracer outputs

def _selector(pids, name):
    wanted = {int(p) for p in pids.split(",") if p}
    if wanted:
        return lambda pid, comm: pid in wanted
    return lambda pid, comm: name in comm


def _seen(runs_by_pid):
    runs = {p: r for p, r in runs_by_pid.items() if r > 0}
    return len(runs), sum(runs.values())


def cmd_proctap(path, pids, name):
    sel = _selector(pids, name)
    lost, runs = 0, {}
    with open(path, errors="replace") as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            t = o.get("type")
            if t == "interval" and not o.get("cumulative"):
                lost += int(o.get("lost_total", 0))
            elif t == "interval":
                lost = max(lost, int(o.get("lost_total", 0)))
            elif t == "stats" and o.get("final") and sel(o.get("pid"), o.get("comm", "")):
                runs[o["pid"]] = runs.get(o["pid"], 0) + int(o.get("run", 0))
    tasks, total = _seen(runs)
    print(f"{lost}\t{tasks}\t{total}")


def cmd_bpftrace(path, pids, name):
    sel = _selector(pids, name)
    runs = {}
    pat = re.compile(r"^@run\[(\d+), (\d+), (.*)\]: (\d+)$")
    with open(path, errors="replace") as f:
        for line in f:
            m = pat.match(line.rstrip("\n"))
            if m and sel(int(m.group(2)), m.group(3)):
                p = int(m.group(2))
                runs[p] = runs.get(p, 0) + int(m.group(4))
    tasks, total = _seen(runs)
    print(f"-\t{tasks}\t{total}")


def cmd_runqlat(path):
    # bpftrace prints a hist() map as one line per non-empty slot: "[4, 8)   33 |@@@   |",
    # "[0]   4 |@ |", after a line "@usecs: ".
    total, inside = 0, False
    slot = re.compile(r"^\[[^\]\)]*[\]\)]\s+(\d+)\s+\|")
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("@usecs:"):
                inside = True
            elif inside:
                m = slot.match(line)
                if m:
                    total += int(m.group(1))
                elif line.strip():
                    inside = False
    print(total)


def cmd_perf(path, pids, name):
    sel = _selector(pids, name)
    stats = subprocess.run(["perf", "report", "-i", path, "--stats"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True).stdout
    lost = sum(int(m) for m in re.findall(r"LOST(?:_SAMPLES)? events:\s+(\d+)", stats))
    runs = {}
    pat = re.compile(r"next_comm=(.*?) next_pid=(\d+)")
    with subprocess.Popen(["perf", "script", "-i", path, "-F", "trace"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          errors="replace") as p:
        for line in p.stdout:
            m = pat.search(line)
            if m and sel(int(m.group(2)), m.group(1)):
                pid = int(m.group(2))
                runs[pid] = runs.get(pid, 0) + 1
    tasks, total = _seen(runs)
    print(f"{lost}\t{tasks}\t{total}")


def main(argv):
    cmds = {"cpu": cmd_cpu, "children": cmd_children, "bpfprogs": cmd_bpfprogs,
            "proctap": cmd_proctap, "bpftrace": cmd_bpftrace, "runqlat": cmd_runqlat,
            "perf": cmd_perf}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    cmds[argv[1]](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
