// SPDX-License-Identifier: GPL-2.0
/*
 * proctap.bpf.c - scheduling statistics of watched processes, counted in the kernel.
 *
 * The user-space twin of this file is org.proctap.stats.SchedAccounting: same rules, same
 * numbers. Per CPU it keeps who runs since when; per task (counts, a per-CPU hash) running
 * totals that are never reset: user space reads them whenever it likes and subtracts, so an
 * increment that lands while it reads is seen in this read or the next, never lost or twice.
 * Life-cycle events (exec, fork/clone, exit, rename) go to user space through one ring buffer,
 * in the order they happened.
 *
 * A slice's on-CPU time is what the kernel itself charged: next->se.sum_exec_runtime when it is
 * switched in, subtracted from the same field when it is switched out (update_curr() ran in
 * __schedule() just before the tracepoint). That is exactly what /proc/PID/task/TID/schedstat
 * and CLOCK_THREAD_CPUTIME_ID report, including the wake-up latency the kernel charges a task
 * that takes over an idle CPU. A switch-in the program never saw (some context switches on
 * some kernels fire no sched_switch at all, see docs/kernel-notes.md) costs no time either: the
 * fair class keeps the runtime at the task's last pick in se.prev_sum_exec_runtime
 * (set_next_entity(), kernel/sched/fair.c), which is then the slice's start; for other classes
 * the slice starts at the runtime when the break is noticed. Either way a repaired slice is
 * never charged more than the time since the last evidence of the task before it, so a repair
 * adds no time the kernel did not charge. Only a task found running at start is timed with
 * bpf_ktime_get_ns (from the start). There is no wake-up program: at one or more per context
 * switch it would cost more than the switch program itself.
 *
 * A switch-in is added to runs when its slice ends, so one counter update per switch does; user
 * space adds run_pending for the slices still running when it reads.
 *
 * Everything attaches to raw tracepoints (this kernel has no kprobes and no fentry/tp_btf), and
 * task_struct fields are read with CO-RE relocations against the running kernel's BTF, so no
 * hard-coded offset can silently read the wrong field on another kernel.
 */
#include "bpf_shim.h"
#include "proctap.h"
#include "pt_hist.h"

BPF_LICENSE("GPL");

/* ---- the few kernel types read here; libbpf relocates every field offset (CO-RE) ---- */
struct thread_info {
	__u32 cpu;
} __attribute__((preserve_access_index));

struct signal_struct {
	int group_exit_code;
	unsigned int flags;
} __attribute__((preserve_access_index));

struct sched_entity {
	struct cfs_rq *cfs_rq; /* of the CPU the task is on (set_task_rq(), every class) */
	__u64 sum_exec_runtime;
	__u64 prev_sum_exec_runtime;
	__u64 nr_migrations;
} __attribute__((preserve_access_index));

struct sched_info {
	unsigned long pcount; /* arrivals on a CPU (sched_info_arrive(), kernel/sched/stats.h) */
	unsigned long long run_delay;
	unsigned long long last_arrival; /* rq clock at its last switch-in (sched_info_arrive()) */
	unsigned long long last_queued; /* rq clock at enqueue, 0 once it runs (sched_info_enqueue()) */
} __attribute__((preserve_access_index));

/* include/linux/kernfs.h, include/linux/cgroup-defs.h: a task's cgroup v2 and its ancestors */
struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	int level;               /* depth below the root (0) */
	struct kernfs_node *kn;  /* its directory; kn->id is cgroup_id() */
	struct cgroup *ancestors[]; /* ancestors[i]: the one at level i, up to itself */
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp; /* the task's cgroup on the default (v2) hierarchy */
} __attribute__((preserve_access_index));

struct task_struct {
	struct thread_info thread_info;
	struct css_set *cgroups;
	struct sched_entity se;
	struct sched_info sched_info;
	unsigned int __state;
	unsigned long nvcsw;
	unsigned long nivcsw;
	unsigned int policy;
	int pid;
	int tgid;
	char comm[16];
	int exit_code;
	struct signal_struct *signal;
	struct task_struct *group_leader;
} __attribute__((preserve_access_index));

/* kernel/sched/sched.h: the run queue's clock, and the part of it charged to tasks as runtime */
struct rq {
	__u64 clock;
	__u64 clock_task;
} __attribute__((preserve_access_index));

struct cfs_rq {
	struct rq *rq; /* CONFIG_FAIR_GROUP_SCHED */
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

struct pt_regs {
	unsigned long orig_ax;
} __attribute__((preserve_access_index));

/* include/linux/sched/signal.h */
#define SIGNAL_GROUP_EXIT 0x00000004
/* include/linux/sched.h: task states as sched_switch reports prev_state */
#define TASK_INTERRUPTIBLE 0x1
#define TASK_UNINTERRUPTIBLE 0x2
#define TASK_NOLOAD 0x400 /* with UNINTERRUPTIBLE: TASK_IDLE, a kthread waiting for work */
/* include/uapi/linux/sched.h: the policies of the fair class */
#define SCHED_NORMAL 0
#define SCHED_BATCH 3
#define SCHED_IDLE 5

/* BPF_FIELD_BYTE_OFFSET for __builtin_preserve_field_info (libbpf's bpf_core_read.h) */
#define FIELD_BYTE_OFFSET 0
/* pid and tgid have been adjacent in task_struct as long as both existed: read them with one
 * call. CO-RE resolves both offsets at load time and the verifier drops the branch not taken. */
#define TGID_FOLLOWS_PID()                                                                        \
	(__builtin_preserve_field_info(((struct task_struct *)0)->tgid, FIELD_BYTE_OFFSET) ==     \
	 __builtin_preserve_field_info(((struct task_struct *)0)->pid, FIELD_BYTE_OFFSET) + 4)

static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)158;
static struct pt_regs *(*bpf_task_pt_regs)(struct task_struct *task) = (void *)175;

/* ---- configuration, written by user space before load (frozen .rodata) ---- */
const volatile struct pt_config config = {};
/* a new task's counters: larger than the 512-byte stack, so read-only data instead */
const volatile struct pt_counts zero_counts = {};

/* ---- maps ---- */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pt_proc);
} procs SEC(".maps");

/*
 * Preallocated: an insert from the switch path (irqs off) must never fail for want of memory.
 * User space sets the value size to pt_config.counts_size before load, so no BTF type is named:
 * the kernel rejects a map whose BTF value type differs in size from its value_size
 * (map_check_btf(), kernel/bpf/syscall.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct pt_counts));
} counts SEC(".maps");

/*
 * Which tasks a CPU switched to lately, whether they are watched, and their ids: a context switch
 * between the same few tasks (a ping-pong) then needs no helper call and no hash lookup for next.
 * Valid while the generation is unchanged: it is bumped whenever the answer could change (the
 * watched set changes, a watched task is created or exits; a task_struct of an unwatched task
 * reused by an unwatched one keeps the same answer).
 */
#define SEEN_SLOTS 4
struct seen {
	__u64 task;
	__u64 gen;
	__u32 pid;
	__u32 tgid;
	__u32 watched;
	__u32 pad;
};

/* Kernel addresses and values stay here, after the exported pt_cpu_state. */
struct cpu_private {
	struct pt_cpu_state pub;
	__u64 cur_task;
	__u64 sum_in;   /* cur->se.sum_exec_runtime at the start of its slice */
	__u64 untaxed_in; /* untaxed() when cur's slice (or its last charge) began; 0: unknown */
	__u64 rq;         /* this CPU's struct rq, found once (0: not yet) */
	__u64 untaxed_at; /* untaxed() was read at this bpf_ktime (one read per program run) */
	__u64 untaxed_val;
	__u64 untaxed_clock; /* rq->clock as read then */
	__s64 clock_off_cur;  /* bpf_ktime - rq->clock, smallest this window (see clock_sample) */
	__s64 clock_off_prev; /* the same, the window before */
	__u64 clock_window;   /* when this window began */
	__u32 clock_known;    /* windows sampled: 0, 1, 2 (or more) */
	__u32 pad2;
	__u64 bound_from; /* a repaired slice: it cannot have started before this (0: not repaired) */
	__u32 sum_valid;
	__u32 seen_next;
	struct seen seen[SEEN_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_private);
} cpu_state SEC(".maps");

/* the generation of the watched set (see struct seen); user space bumps it too */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen SEC(".maps");

/* how the next read of the task iterator goes (struct pt_iter_ctl); user space writes it */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pt_iter_ctl);
} iter_ctl SEC(".maps");

/* tasks between sched_prepare_exec and sched_process_exec: was the process watched before? */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} execing SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pt_task_out);
} task_outs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* ---- helpers ---- */
static __always_inline void stat_add(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);
	if (v)
		*v += n;
}

static __always_inline void stat_inc(__u32 slot)
{
	stat_add(slot, 1);
}

static __always_inline struct cpu_private *this_cpu(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&cpu_state, &zero);
}

/*
 * This CPU is about to write the counters c of pid for the first time: set its bit in the task's
 * CPU mask (see struct pt_counts) before, so that a task iterator that sees the counters sees the
 * bit. Bits are only ever set, by any CPU: atomically.
 */
static __always_inline void mark_cpu(struct pt_counts *c, __u32 pid)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct pt_counts *w = bpf_map_lookup_percpu_elem(&counts, &pid, cpu / 64);
	if (!w)
		return;
	__sync_fetch_and_or(&w->cpu_mask, 1ULL << (cpu & 63));
	c->cpu_seen = 1;
}

/*
 * The counters c of pid on cpu are about to be written: set cpu's bit in the task's dirty mask,
 * once per read generation (see struct pt_counts). Any CPU may write another's counters (a
 * sleep charged to the CPU a task left) and set bits: atomically.
 */
static __always_inline void mark_changed(struct pt_counts *c, __u32 pid, __u32 cpu)
{
	__u32 zero = 0;
	struct pt_iter_ctl *ctl = bpf_map_lookup_elem(&iter_ctl, &zero);
	if (!ctl || c->marked_gen == (__u32)ctl->gen)
		return;
	struct pt_counts *w = (cpu & 63) ? bpf_map_lookup_percpu_elem(&counts, &pid, cpu / 64) : c;
	if (!w)
		return;
	__sync_fetch_and_or(&w->dirty, 1ULL << (cpu & 63));
	c->marked_gen = (__u32)ctl->gen;
}

/* pid's counters on this CPU, created if need be, marked as written; NULL when the map is full
 * (counted) */
static __always_inline struct pt_counts *counts_of(__u32 pid)
{
	struct pt_counts *c = bpf_map_lookup_elem(&counts, &pid);
	if (!c) {
		/* NOEXIST: another CPU may have created it meanwhile; never overwrite */
		bpf_map_update_elem(&counts, &pid, (const void *)&zero_counts, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &pid);
		if (!c) {
			stat_inc(PT_STAT_COUNTS_FULL);
			return NULL;
		}
	}
	if (!c->cpu_seen)
		mark_cpu(c, pid);
	mark_changed(c, pid, bpf_get_smp_processor_id());
	return c;
}

static __always_inline __u64 generation(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&gen, &zero);
	return g ? *g : 0;
}

static __always_inline void bump_generation(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&gen, &zero);
	if (g)
		__sync_fetch_and_add(g, 1);
}

static __always_inline bool watched_tgid(__u32 tgid)
{
	struct pt_proc *p = bpf_map_lookup_elem(&procs, &tgid);
	return p && (p->flags & PT_PROC_WATCHED);
}

/*
 * --cgroup: is cgroup cg the watched one or below it? Its ancestor at the watched cgroup's level
 * (cgroup->ancestors[], include/linux/cgroup-defs.h, as cgroup_is_descendant() reads it) must be
 * the watched one, compared by id (cgroup_id(): the kernfs node id). Read with probe reads: the
 * raw tracepoints' pointers are not trusted BTF pointers. ancestors[] is a flexible array, so its
 * offset comes from CO-RE and the index from frozen rodata.
 */
static __always_inline bool cgroup_inside(struct cgroup *cg)
{
	int level = -1;
	if (!cg || bpf_probe_read_kernel(&level, sizeof(level), &cg->level) || level < (int)config.cgroup_level)
		return false;
	struct cgroup *anc = 0;
	__u64 at = (__u64)cg + __builtin_preserve_field_info(((struct cgroup *)0)->ancestors, FIELD_BYTE_OFFSET) +
		   (__u64)config.cgroup_level * sizeof(anc);
	struct kernfs_node *kn = 0;
	__u64 id = 0;
	if (bpf_probe_read_kernel(&anc, sizeof(anc), (void *)at) || !anc ||
	    bpf_probe_read_kernel(&kn, sizeof(kn), &anc->kn) || !kn ||
	    bpf_probe_read_kernel(&id, sizeof(id), &kn->id))
		return false;
	return id == config.cgroup_id;
}

/* The task's cgroup on the v2 hierarchy (task->cgroups->dfl_cgrp), or NULL. */
static __always_inline struct cgroup *dfl_cgroup(struct task_struct *t)
{
	struct css_set *cs = 0;
	struct cgroup *cg = 0;
	if (bpf_probe_read_kernel(&cs, sizeof(cs), &t->cgroups) || !cs ||
	    bpf_probe_read_kernel(&cg, sizeof(cg), &cs->dfl_cgrp))
		return 0;
	return cg;
}

/* Does comm (NUL-terminated, at most 15 chars) match NAME the way the user asked? */
static __always_inline bool name_match(const char *comm)
{
	if (config.match_mode == PT_MATCH_EXACT) {
		for (int i = 0; i < PT_COMM_LEN; i++) {
			if (comm[i] != config.needle[i])
				return false;
			if (comm[i] == 0)
				return true;
		}
		return true;
	}
	if (config.match_mode != PT_MATCH_SUBSTRING || config.needle_len == 0)
		return false;
	for (int i = 0; i < PT_COMM_LEN; i++) {
		if (comm[i] == 0 || i + config.needle_len > PT_COMM_LEN - 1)
			return false;
		bool hit = true;
		for (int j = 0; j < PT_COMM_LEN - 1; j++) {
			if (j >= config.needle_len)
				break;
			if (comm[(i + j) & (PT_COMM_LEN - 1)] != config.needle[j]) {
				hit = false;
				break;
			}
		}
		if (hit)
			return true;
	}
	return false;
}

/*
 * The run queue's clock less its task clock (update_rq_clock_task(), kernel/sched/core.c): what
 * the kernel has taken out of tasks' runtime on this CPU so far, the hypervisor's steal under
 * PARAVIRT_TIME_ACCOUNTING (and interrupts' time under IRQ_TIME_ACCOUNTING). Its growth over a
 * slice is time the task held the CPU without being charged for it. 0 when unreadable.
 */
static __always_inline __u64 untaxed(struct cpu_private *s, __u64 now)
{
	if (s->untaxed_at == now)
		return s->untaxed_val;
	if (!s->rq) {
		/* the current task is on this CPU's run queue, whatever its class */
		struct task_struct *cur = bpf_get_current_task_btf();
		struct cfs_rq *cfs = NULL;
		if (bpf_probe_read_kernel(&cfs, sizeof(cfs), &cur->se.cfs_rq) || !cfs ||
		    bpf_probe_read_kernel(&s->rq, sizeof(s->rq), &cfs->rq))
			return 0;
	}
	struct rq *rq = (struct rq *)s->rq;
	/* both in one read: clock_task lies a few words after clock (it starts a cache line) */
	__u64 w[8] = {};
	__u32 gap = __builtin_preserve_field_info(((struct rq *)0)->clock_task, FIELD_BYTE_OFFSET) -
		    __builtin_preserve_field_info(((struct rq *)0)->clock, FIELD_BYTE_OFFSET);
	__u64 clock, task;
	if (gap >= 8 && gap <= 56 && !(gap & 7)) {
		if (bpf_probe_read_kernel(w, gap + 8, &rq->clock))
			return 0;
		clock = w[0];
		task = w[gap / 8];
	} else if (bpf_probe_read_kernel(&clock, sizeof(clock), &rq->clock) ||
		   bpf_probe_read_kernel(&task, sizeof(task), &rq->clock_task)) {
		return 0;
	}
	s->untaxed_at = now;
	s->untaxed_clock = clock;
	s->untaxed_val = clock > task ? clock - task : 0;
	return s->untaxed_val;
}

static __always_inline void set_current(struct cpu_private *s, __u64 task, __u32 pid, __u32 tgid, bool watched,
					__u64 since, __u64 now)
{
	s->cur_task = task;
	s->sum_valid = 0;
	s->bound_from = 0;
	s->pub.run_pending = 0;
	s->pub.cur_pid = pid;
	s->pub.cur_tgid = tgid;
	s->pub.flags = PT_CPU_KNOWN | (watched ? PT_CPU_WATCHED : 0);
	s->pub.since = since;
	s->pub.evidence = now;
	s->untaxed_in = watched ? untaxed(s, now) : 0;
}

/*
 * The runtime of cur's slice so far: the kernel's figure when its start is known, bounded by the
 * clock for a repaired slice; else the clock since pub.since. sum is cur's se.sum_exec_runtime
 * now (current at a switch, up to a tick stale elsewhere).
 */
static __always_inline __u64 slice_runtime(struct cpu_private *s, __u64 sum, __u64 now)
{
	if (!s->sum_valid)
		return now > s->pub.since ? now - s->pub.since : 0;
	__u64 ran = sum > s->sum_in ? sum - s->sum_in : 0;
	if (s->bound_from && now > s->bound_from && ran > now - s->bound_from)
		ran = now - s->bound_from;
	return ran;
}

/*
 * The runtime of cur's slice up to until, when cur is no longer the current task (a switch away
 * from it was missed): the clock from the slice's start. Its se.sum_exec_runtime now is no
 * measure of this slice: the task may have run on another CPU since.
 */
static __always_inline __u64 slice_runtime_until(struct cpu_private *s, __u64 until)
{
	__u64 start = s->pub.since;
	if (s->bound_from > start)
		start = s->bound_from;
	return until > start ? until - start : 0;
}

/* ---- histograms (--hist): without pt_config.hist bits the verifier drops all of this ---- */

/* n events of ns nanoseconds each into the histogram whose first slot is first */
static __always_inline void hist_add(struct pt_counts *c, __u32 first, __u64 ns, __u64 n)
{
	__u32 slot = pt_hist_slot(ns);
	if (slot < PT_HIST_SLOTS) /* always; says the bound to the verifier */
		c->v[first + slot] += n;
}

/*
 * --hist slice: the slice whose switch-in is counted now (run_pending), ran ns long, so that the
 * histogram counts one slice per run. A slice is bucketed when it ends, or when an exec or rename
 * splits it (split_current(); the rest is then no new run).
 */
static __always_inline void hist_slice(struct cpu_private *s, struct pt_counts *c, __u64 ran)
{
	if ((config.hist & PT_HIST_SLICE) && s->pub.run_pending)
		hist_add(c, PT_M_SLICE_HIST, ran, 1);
}

/*
 * --hist wait: the run-queue waits that ended since the task's last switch-out seen, wait ns in
 * all over arrivals switch-ins (sched_info.pcount counts them, sched_info.run_delay sums them).
 * One arrival, the usual case, is one wait in its own slot. Several (a switch-out the kernel
 * never reported, see docs/kernel-notes.md) cannot be told apart: each is counted at their
 * average, so the count stays the kernel's. No arrival (no sched_info in this kernel): nothing.
 */
static __always_inline void hist_wait(struct pt_counts *c, __u64 wait, __u64 arrivals)
{
	if ((config.hist & PT_HIST_WAIT) && arrivals)
		hist_add(c, PT_M_WAIT_HIST, wait / arrivals, arrivals);
}

/*
 * Adds ran to cur's on-CPU time and counts its switch-in, if it is watched; returns its counters
 * on this CPU (NULL when not watched or the map is full), for the switch-out to go on with.
 */
static __always_inline struct pt_counts *charge(struct cpu_private *s, __u64 ran, __u64 now)
{
	if (!(s->pub.flags & PT_CPU_WATCHED))
		return NULL;
	if (s->bound_from)
		stat_add(PT_STAT_REPAIRED_NS, ran); /* a slice that began with a switch never seen */
	struct pt_counts *c = counts_of(s->pub.cur_pid);
	if (!c)
		return NULL;
	c->v[PT_M_ONCPU_NS] += ran;
	__u64 u = untaxed(s, now);
	if (s->untaxed_in && u > s->untaxed_in)
		c->v[PT_M_STEAL_NS] += u - s->untaxed_in;
	s->untaxed_in = u;
	hist_slice(s, c, ran);
	c->v[PT_M_RUNS] += s->pub.run_pending;
	s->pub.run_pending = 0;
	return c;
}

/*
 * cur is the current task and its watched state is about to change (exec, rename): charge its
 * slice so far to the old state and go on from here, with the kernel's runtime as the boundary.
 */
static __always_inline void split_current(struct cpu_private *s, __u64 now, __u32 pid, __u32 tgid, bool watched)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 sum = cur->se.sum_exec_runtime;
	charge(s, slice_runtime(s, sum, now), now);
	/* its last switch-out was in the other state: nothing since then is charged, and the CPU
	 * it left then must stop saying otherwise */
	struct pt_task_out *o = bpf_task_storage_get(&task_outs, cur, 0, 0);
	if (o && o->ts) {
		__u32 old = s->pub.cur_pid;
		struct pt_counts *left = bpf_map_lookup_percpu_elem(&counts, &old, o->cpu);
		if (left) {
			mark_changed(left, old, o->cpu);
			left->off_since = 0;
		}
	}
	bpf_task_storage_delete(&task_outs, cur);
	__u64 task = bpf_get_current_task();
	set_current(s, task, pid, tgid, watched, now, now);
	s->sum_in = sum;
	s->sum_valid = 1;
}


/*
 * Whatever fired, the current task is running on this CPU now. If it is not the one we think
 * runs here, a switch was missed: the task before is charged up to its last evidence, the new
 * one's switch-in is counted, and its slice starts at the runtime the kernel recorded when it
 * picked the task (see the file comment). The repair is counted, and the time charged to the
 * two slices it touched (SchedAccounting.observe does the same from events).
 */
static __always_inline void observe(struct cpu_private *s, __u64 now)
{
	__u64 task = bpf_get_current_task();
	if (task == s->cur_task && (s->pub.flags & PT_CPU_KNOWN)) {
		s->pub.evidence = now;
		return;
	}
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)pid_tgid;
	__u32 tgid = pid_tgid >> 32;
	bool watched = watched_tgid(tgid);
	if (!(s->pub.flags & PT_CPU_KNOWN)) {
		/* first sight since start: running since start (user space set since) */
		__u64 since = s->pub.since;
		set_current(s, task, pid, tgid, watched, since, now);
		return;
	}
	stat_inc(PT_STAT_REPAIRS);
	__u64 at = s->pub.evidence;
	if (at > now)
		at = now;
	/* The task before ran at least until its last evidence: the clock says that much, and its
	 * runtime now would include whatever it ran since on another CPU. */
	__u64 before = slice_runtime_until(s, at);
	if ((s->pub.flags & PT_CPU_WATCHED) && !s->bound_from)
		stat_add(PT_STAT_REPAIRED_NS, before); /* (charge() counts it if it began repaired) */
	charge(s, before, now);
	set_current(s, task, pid, tgid, watched, now, now);
	s->pub.run_pending = watched;
	if (watched) {
		struct task_struct *cur = bpf_get_current_task_btf();
		__u64 sum = cur->se.sum_exec_runtime;
		__u64 base = sum;
		__u32 policy = cur->policy;
		if (policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE) {
			__u64 picked = cur->se.prev_sum_exec_runtime;
			if (picked <= sum)
				base = picked;
		}
		s->sum_in = base;
		s->sum_valid = 1;
		s->bound_from = at;
	}
}

static __always_inline __s32 syscall_nr(void)
{
	if (!config.read_syscall_nr)
		return -1;
	struct pt_regs *regs = bpf_task_pt_regs(bpf_get_current_task_btf());
	unsigned long nr = 0;
	if (bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax))
		return -1;
	return (__s32)nr;
}

static __always_inline void fill_hdr(struct pt_event_hdr *h, __u32 type, __u64 now, __u32 pid, __u32 tgid)
{
	h->type = type;
	h->cpu = bpf_get_smp_processor_id();
	h->ts = now;
	h->pid = pid;
	h->tgid = tgid;
}

/*
 * Whether prev_state says the task blocked uninterruptibly (D), which is mostly I/O; TASK_IDLE
 * (D | NOLOAD) is a kernel thread waiting for work: asleep. BpfSource.isIo is the same rule.
 */
static __always_inline bool is_io(__u32 state)
{
	return (state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD);
}

/*
 * prev, a watched task and the current one, is switched out of this CPU after running ran ns:
 * charge its slice's wait and how it leaves, and the time it spent off the CPU before the slice
 * to the CPU it left then (see struct pt_task_out and struct pt_counts).
 * The wait is the kernel's own (sched_info.run_delay, what /proc/PID/task/TID/schedstat shows),
 * as are the context switches (nvcsw, nivcsw) and migrations: differences of the task's own
 * counters, so nothing in between is missed even if a switch was.
 */
static __always_inline void switch_out(struct cpu_private *s, struct pt_counts *c, __u64 now, __u64 ran, bool preempt,
				       __u32 state)
{
	struct task_struct *prev = bpf_get_current_task_btf();
	__u64 run_delay = prev->sched_info.run_delay;
	__u64 nvcsw = prev->nvcsw;
	__u64 nivcsw = prev->nivcsw;
	__u64 migrations = prev->se.nr_migrations;
	__u64 pcount = prev->sched_info.pcount;
	struct pt_task_out *o = bpf_task_storage_get(&task_outs, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u32 cpu = bpf_get_smp_processor_id();
	if (config.match_mode == PT_MATCH_CGROUP && o && o->ts) {
		__u32 tgid = s->pub.cur_tgid;
		struct pt_proc *p = bpf_map_lookup_elem(&procs, &tgid);
		if (p && p->joined > o->ts)
			o->ts = 0; /* that switch-out was before it left the cgroup and came back */
	}
	if (o && o->ts) {
		__u64 wait = run_delay - o->run_delay;
		c->v[PT_M_WAIT_NS] += wait;
		hist_wait(c, wait, pcount - o->pcount);
		c->v[PT_M_PREEMPT] += nivcsw - o->nivcsw;
		c->v[PT_M_VOL] += nvcsw - o->nvcsw;
		c->v[PT_M_MIGR] += migrations - o->migrations;
		__u64 since = s->pub.since;
		__u32 pid = s->pub.cur_pid;
		struct pt_counts *left = o->cpu == cpu ? c : bpf_map_lookup_percpu_elem(&counts, &pid, o->cpu);
		if (left && left != c)
			mark_changed(left, pid, o->cpu);
		if (left && since > o->ts && o->state) {
			/* A task woken onto an idle CPU is charged from its wake-up, before the switch
			 * (docs/kernel-notes.md): that part of the gap is on-CPU time, not sleep. */
			__u64 slice = now > since ? now - since : 0;
			__u64 early = ran > slice ? ran - slice : 0;
			__u64 off = since - o->ts;
			off = off > wait + early ? off - wait - early : 0;
			/* A switch the kernel did not report (docs/kernel-notes.md) hides a slice in the
			 * gap, whose run was charged by the repair: the kernel's runtime since the last
			 * switch-out, this slice's and the hidden ones, bounds the time off from above.
			 * (Not alone: it would call time the hypervisor stole while the task ran time
			 * off, sum_exec_runtime leaving steal out.) */
			__u64 sum = prev->se.sum_exec_runtime;
			__u64 elapsed = now - o->ts;
			__u64 ran_all = sum > o->sum_exec ? sum - o->sum_exec : 0;
			__u64 bound = elapsed > ran_all + wait ? elapsed - ran_all - wait : 0;
			if (off > bound)
				off = bound;
			/* Another CPU's counters of this task: only a repair there (observe()) can
			 * write them meanwhile, while this task runs here; atomic all the same. */
			__u64 *slot = &left->v[is_io(o->state) ? PT_M_IO_NS : PT_M_SLEEP_NS];
			if (left == c)
				*slot += off;
			else
				__sync_fetch_and_add(slot, off);
		}
		if (left && left != c)
			left->off_since = 0;
	} else {
		/* The first switch-out seen of a task watched at start has its baseline from user
		 * space (TaskBaselines): here is a task new since, or one that became watched by an
		 * exec while it ran. A new task's counters start at zero (sched_fork(), copy_process()),
		 * so at the end of its first slice ever (one arrival) they hold its first wait and
		 * migrations exactly (also for a child that execs into the watch in that first slice,
		 * whose wait was before); for any other, what came before this slice was not watched. */
		if (pcount == 1) {
			c->v[PT_M_WAIT_NS] += run_delay;
			hist_wait(c, run_delay, 1);
			c->v[PT_M_MIGR] += migrations;
		}
		if (preempt || !state)
			c->v[PT_M_PREEMPT]++;
		else
			c->v[PT_M_VOL]++;
	}
	__u32 out_state = preempt ? 0 : state;
	c->off_since = now;
	c->off_state = out_state;
	if (o) {
		o->ts = now;
		o->run_delay = run_delay;
		o->nvcsw = nvcsw;
		o->nivcsw = nivcsw;
		o->migrations = migrations;
		o->sum_exec = prev->se.sum_exec_runtime;
		o->state = out_state;
		o->cpu = cpu;
		o->pcount = pcount;
	}
}

/*
 * ---- interrupts: irq and softirq time of the interrupted task ----
 *
 * A hard irq handler (irq_handler_entry/exit) or a softirq (softirq_entry/exit) is charged to the
 * task current on the CPU when it ran, if that task is watched: the one interrupted, or the one
 * whose local_bh_enable() or irq_exit() ran the pending softirqs (kernel/softirq.c). Softirqs run
 * by ksoftirqd are ksoftirqd's, which is never watched. The local timer interrupt is not an
 * irq_handler and stays TIMER_NS alone.
 *
 * Nesting (kernel/softirq.c handle_softirqs() runs the vectors with interrupts enabled; hard
 * handlers run with them disabled, kernel/irq/handle.c): a hard irq or a timer interrupt can
 * come inside a softirq, nothing comes inside a hard irq. A softirq's time is its own: the time
 * of the hard irqs and timer interrupts inside it is subtracted (they are IRQ_NS and TIMER_NS),
 * so TIMER_NS, IRQ_NS and SOFTIRQ_NS never count the same nanosecond twice.
 *
 * These programs only read cpu_state (the softirq ones run with interrupts enabled, so a timer
 * interrupt's observe() could interleave with a write); when its current task is not the one
 * running (a switch not yet noticed), the procs map says whether the running one is watched.
 * An entry is kept with the task it interrupted and closed only by an exit of that task within
 * the same slice (pub.since: set at every switch-in): an exit whose entry was missed (at attach)
 * counts nothing, and an entry whose exit was missed is replaced by the next entry.
 */
struct irq_cpu {
	__u64 irq_start;   /* irq_handler_entry of a watched task's interrupt; 0: none open */
	__u64 irq_task;
	__u64 soft_start;  /* softirq_entry of a watched task's softirq; 0: none open */
	__u64 soft_task;
	__u64 soft_nested; /* time in hard irqs and timer interrupts inside the open softirq */
	__u32 soft_vec;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_cpu);
} irq_state SEC(".maps");

static __always_inline struct irq_cpu *irq_cpu(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&irq_state, &zero);
}

/* Is the current task (task) watched, and which pid is it? Reads cpu_state, never writes it. */
static __always_inline bool irq_victim(struct cpu_private *s, __u64 task, __u32 *pid)
{
	if ((s->pub.flags & PT_CPU_KNOWN) && s->cur_task == task) {
		*pid = s->pub.cur_pid;
		return s->pub.flags & PT_CPU_WATCHED;
	}
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	*pid = (__u32)pid_tgid;
	return watched_tgid(pid_tgid >> 32);
}

/* A hard irq or timer interrupt of ns inside the open softirq of task: not the softirq's time. */
static __always_inline void irq_nested(struct irq_cpu *q, __u64 task, __u64 ns)
{
	if (q->soft_start && q->soft_task == task)
		q->soft_nested += ns;
}

/* From pt_local_timer_exit: a timer interrupt of ns, charged to the watched current task. */
static __always_inline void irq_timer_done(__u64 ns)
{
	struct irq_cpu *q = irq_cpu();
	if (q)
		irq_nested(q, bpf_get_current_task(), ns);
}

/* ---- programs ---- */

/*
 * A program that writes cpu_state and counts makes pub.seq odd while it does (see struct
 * pt_cpu_state): under a hypervisor a vCPU can be held for milliseconds in the middle of one,
 * and a read meanwhile would pair the old slice with a later clock.
 */
static __always_inline void writing(struct cpu_private *s)
{
	s->pub.seq++;
	asm volatile("" ::: "memory"); /* (BPF has no fences; x86-64 makes stores visible in order) */
}

static __always_inline void written(struct cpu_private *s)
{
	asm volatile("" ::: "memory");
	s->pub.seq++;
}

/*
 * The offset of the run queue clock from bpf_ktime, for pt_tasks: now less rq->clock just after
 * __schedule() updated it. A vCPU held between the update and this program makes one sample too
 * large, never too small, so the smallest of the last two seconds' samples is kept (the two
 * clocks drift apart by well under a microsecond a second).
 */
static __always_inline void clock_sample(struct cpu_private *s, __u64 now, __u64 clock)
{
	__s64 off = (__s64)(now - clock);
	if (now - s->clock_window > 1000000000ULL) {
		s->clock_off_prev = s->clock_off_cur;
		s->clock_off_cur = off;
		s->clock_window = now;
		s->clock_known = s->clock_known ? 2 : 1;
	} else if (off < s->clock_off_cur) {
		s->clock_off_cur = off;
	}
}

/* The best offset known (see clock_sample); false when none is. */
static __always_inline bool clock_offset(struct cpu_private *s, __s64 *off)
{
	if (!s || !s->clock_known)
		return false;
	*off = s->clock_off_cur;
	if (s->clock_known > 1 && s->clock_off_prev < *off)
		*off = s->clock_off_prev;
	return true;
}

static __always_inline int sched_switch(struct bpf_raw_tracepoint_args *ctx, struct cpu_private *s, __u64 now);

SEC("raw_tracepoint/sched_switch")
int pt_sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct cpu_private *s = this_cpu();
	if (!s)
		return 0;
	writing(s);
	sched_switch(ctx, s, now);
	written(s);
	return 0;
}

static __always_inline int sched_switch(struct bpf_raw_tracepoint_args *ctx, struct cpu_private *s, __u64 now)
{
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	observe(s, now); /* current is prev */
	if (s->pub.flags & PT_CPU_WATCHED) {
		/* prev's runtime was brought up to date by update_curr() in __schedule() */
		__u64 sum = s->sum_valid ? bpf_get_current_task_btf()->se.sum_exec_runtime : 0;
		__u64 ran = slice_runtime(s, sum, now);
		struct pt_counts *c = charge(s, ran, now);
		if (c)
			switch_out(s, c, now, ran, ctx->args[0] & 1, (__u32)ctx->args[3]);
	}

	__u64 g = generation();
	__u32 next_pid = 0, next_tgid = 0;
	bool watched = false, hit = false;
	for (int i = 0; i < SEEN_SLOTS; i++) {
		if (s->seen[i].task == (__u64)next && s->seen[i].gen == g) {
			next_pid = s->seen[i].pid;
			next_tgid = s->seen[i].tgid;
			watched = s->seen[i].watched;
			hit = true;
			break;
		}
	}
	if (!hit) {
		struct {
			int pid;
			int tgid;
		} ids = {};
		if (TGID_FOLLOWS_PID()) {
			bpf_probe_read_kernel(&ids, sizeof(ids), &next->pid);
		} else {
			bpf_probe_read_kernel(&ids.pid, sizeof(ids.pid), &next->pid);
			bpf_probe_read_kernel(&ids.tgid, sizeof(ids.tgid), &next->tgid);
		}
		next_pid = ids.pid;
		next_tgid = ids.tgid;
		watched = watched_tgid(next_tgid);
		__u32 slot = s->seen_next++ & (SEEN_SLOTS - 1);
		s->seen[slot].task = (__u64)next;
		s->seen[slot].gen = g;
		s->seen[slot].pid = next_pid;
		s->seen[slot].tgid = next_tgid;
		s->seen[slot].watched = watched;
	}
	set_current(s, (__u64)next, next_pid, next_tgid, watched, now, now);
	s->pub.timer_start = 0;
	if (watched && s->untaxed_at == now)
		clock_sample(s, now, s->untaxed_clock);
	if (watched) {
		s->pub.run_pending = 1;
		s->sum_valid = bpf_probe_read_kernel(&s->sum_in, sizeof(s->sum_in), &next->se.sum_exec_runtime) == 0;
	}
	return 0;
}

SEC("raw_tracepoint/local_timer_entry")
int pt_local_timer_entry(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct cpu_private *s = this_cpu();
	if (!s)
		return 0;
	writing(s);
	observe(s, now);
	s->pub.timer_start = (s->pub.flags & PT_CPU_WATCHED) ? now : 0;
	written(s);
	return 0;
}

SEC("raw_tracepoint/local_timer_exit")
int pt_local_timer_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct cpu_private *s = this_cpu();
	if (!s)
		return 0;
	writing(s);
	observe(s, now);
	if (s->pub.timer_start && (s->pub.flags & PT_CPU_WATCHED) && now >= s->pub.timer_start) {
		struct pt_counts *c = counts_of(s->pub.cur_pid);
		if (c) {
			c->v[PT_M_TIMER_COUNT]++;
			c->v[PT_M_TIMER_NS] += now - s->pub.timer_start;
		}
		irq_timer_done(now - s->pub.timer_start);
	}
	s->pub.timer_start = 0;
	written(s);
	return 0;
}

/* copy_process() fires task_newtask once the child has its ids, in the parent's context. */
SEC("raw_tracepoint/task_newtask")
int pt_task_newtask(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *child = (struct task_struct *)ctx->args[0];
	__u64 clone_flags = ctx->args[1];
	__u64 now = bpf_ktime_get_ns();

	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 parent_tgid = pid_tgid >> 32;
	bool parent_watched = watched_tgid(parent_tgid);
	int child_pid = 0, child_tgid = 0;
	bpf_probe_read_kernel(&child_pid, sizeof(child_pid), &child->pid);
	bpf_probe_read_kernel(&child_tgid, sizeof(child_tgid), &child->tgid);
	char child_comm[PT_COMM_LEN] = {};
	bpf_probe_read_kernel(child_comm, sizeof(child_comm), child->comm);

	bool child_watched = parent_watched;
	/* The child may live at a recycled task_struct that the switch path's cache still knows
	 * as some dead task (watched or not): invalidate it, for every new task. */
	bump_generation();
	if ((__u32)child_tgid != parent_tgid) {
		/* a new process: watched when it matches by name, or as a followed descendant */
		__u32 flags = 0;
		if (config.match_mode == PT_MATCH_CGROUP) {
			/* in its parent's cgroup, or the one clone3(CLONE_INTO_CGROUP) named: set by
			 * cgroup_post_fork() before this tracepoint (copy_process(), kernel/fork.c) */
			if (cgroup_inside(dfl_cgroup(child)))
				flags = PT_PROC_WATCHED | PT_PROC_PINNED;
		} else if (parent_watched && config.follow)
			flags = PT_PROC_WATCHED | PT_PROC_PINNED;
		else if (config.match_mode == PT_MATCH_USER ? parent_watched : name_match(child_comm)) {
			/* (a child has its parent's comm: the same --regex verdict, or none yet) */
			struct pt_proc *pp = bpf_map_lookup_elem(&procs, &parent_tgid);
			flags = PT_PROC_WATCHED | (pp ? pp->flags & PT_PROC_UNDECIDED : 0);
		}
		child_watched = flags != 0;
		__u32 key = child_tgid;
		if (flags) {
			struct pt_proc p = {.flags = flags};
			bpf_map_update_elem(&procs, &key, &p, BPF_ANY);
		} else {
			bpf_map_delete_elem(&procs, &key); /* a stale entry of a reused pid */
		}
	}
	/* --cgroup: a child placed into the cgroup from outside (clone3(CLONE_INTO_CGROUP)) is
	 * reported too, for user space to learn of it; otherwise only a watched parent's forks */
	if (!parent_watched && !(config.match_mode == PT_MATCH_CGROUP && child_watched))
		return 0;
	struct pt_fork_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(PT_STAT_RINGBUF_DROPS);
		return 0;
	}
	fill_hdr(&e->hdr, PT_EV_FORK, now, (__u32)pid_tgid, parent_tgid);
	bpf_get_current_comm(e->hdr.comm, sizeof(e->hdr.comm));
	e->child_pid = child_pid;
	e->child_tgid = child_tgid;
	e->clone_flags = clone_flags;
	e->syscall_nr = syscall_nr();
	e->child_watched = child_watched;
	__builtin_memcpy(e->child_comm, child_comm, sizeof(child_comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* fs/exec.c begin_new_exec(): before de_thread() and the comm change (Linux 6.10+). */
SEC("raw_tracepoint/sched_prepare_exec")
int pt_sched_prepare_exec(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)pid_tgid;
	__u32 was = watched_tgid(pid_tgid >> 32);
	bpf_map_update_elem(&execing, &pid, &was, BPF_ANY);
	return 0;
}

SEC("raw_tracepoint/sched_process_exec")
int pt_sched_process_exec(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 old_pid = (__u32)ctx->args[1];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	__u64 now = bpf_ktime_get_ns();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)pid_tgid;
	__u32 tgid = pid_tgid >> 32;

	__u32 was = 0;
	__u32 *w = bpf_map_lookup_elem(&execing, &old_pid);
	if (w) {
		was = *w;
		bpf_map_delete_elem(&execing, &old_pid);
	}
	struct pt_proc *p = bpf_map_lookup_elem(&procs, &tgid);
	if (!w)
		was = p && (p->flags & PT_PROC_WATCHED);
	bool pinned = p && (p->flags & PT_PROC_PINNED);
	char comm[PT_COMM_LEN] = {};
	bpf_get_current_comm(comm, sizeof(comm));
	/* --regex: counted from here on until user space has judged the new name (PT_PROC_UNDECIDED) */
	bool undecided = config.match_mode == PT_MATCH_USER && !pinned;
	bool now_watched = pinned || undecided || name_match(comm);
	__u32 flags = (now_watched ? PT_PROC_WATCHED : 0) | (pinned ? PT_PROC_PINNED : 0) |
		      (undecided ? PT_PROC_UNDECIDED : 0);
	if (flags) {
		struct pt_proc np = {.flags = flags};
		bpf_map_update_elem(&procs, &tgid, &np, BPF_ANY);
	} else if (p) {
		bpf_map_delete_elem(&procs, &tgid);
	}
	if (was || now_watched)
		bump_generation();
	struct cpu_private *s = this_cpu();
	if (s) {
		observe(s, now);
		/* the running slice is charged to what was true before the exec, up to the runtime
		 * now (current as of the task's last update, at most a tick ago) */
		bool cur_watched = s->pub.flags & PT_CPU_WATCHED;
		if (cur_watched != now_watched || s->pub.cur_pid != pid)
			split_current(s, now, pid, tgid, now_watched);
	}
	if (!was && !now_watched && config.match_mode != PT_MATCH_USER)
		return 0;
	struct pt_exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(PT_STAT_RINGBUF_DROPS);
		return 0;
	}
	fill_hdr(&e->hdr, PT_EV_EXEC, now, pid, tgid);
	__builtin_memcpy(e->hdr.comm, comm, sizeof(comm));
	e->old_pid = old_pid;
	e->syscall_nr = syscall_nr();
	e->was_watched = was;
	e->now_watched = now_watched;
	const char *filename = 0;
	bpf_probe_read_kernel(&filename, sizeof(filename), &bprm->filename);
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename) < 0)
		e->filename[0] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int pt_sched_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	bool group_dead = ctx->args[1] & 1;
	__u64 now = bpf_ktime_get_ns();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)pid_tgid;
	__u32 tgid = pid_tgid >> 32;
	bpf_map_delete_elem(&execing, &pid);
	if (!watched_tgid(tgid))
		return 0;
	bump_generation();
	struct pt_exit_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(PT_STAT_RINGBUF_DROPS);
	} else {
		fill_hdr(&e->hdr, PT_EV_EXIT, now, pid, tgid);
		bpf_get_current_comm(e->hdr.comm, sizeof(e->hdr.comm));
		e->group_dead = group_dead;
		e->wait_status = 0;
		if (group_dead) {
			/* kernel/exit.c wait_task_zombie(): the group exit code if the process exited
			 * as a group (exit_group, fatal signal), else the main thread's own code */
			struct signal_struct *sig = 0;
			bpf_probe_read_kernel(&sig, sizeof(sig), &task->signal);
			unsigned int sflags = 0;
			int status = 0;
			bpf_probe_read_kernel(&sflags, sizeof(sflags), &sig->flags);
			if (sflags & SIGNAL_GROUP_EXIT) {
				bpf_probe_read_kernel(&status, sizeof(status), &sig->group_exit_code);
			} else {
				struct task_struct *leader = 0;
				bpf_probe_read_kernel(&leader, sizeof(leader), &task->group_leader);
				bpf_probe_read_kernel(&status, sizeof(status), &leader->exit_code);
			}
			e->wait_status = status;
		}
		bpf_ringbuf_submit(e, 0);
	}
	/* procs[tgid] stays: a dying task can still be preempted (its parent, woken by
	 * exit_notify(), may run first) and switched in again, and that counts. User space deletes
	 * the entry once it has reported the exit; a new process reusing the pid replaces it. */
	return 0;
}

SEC("raw_tracepoint/task_rename")
int pt_task_rename(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	const char *newcomm = (const char *)ctx->args[1];
	__u64 now = bpf_ktime_get_ns();
	int pid = 0, tgid = 0;
	bpf_probe_read_kernel(&pid, sizeof(pid), &task->pid);
	bpf_probe_read_kernel(&tgid, sizeof(tgid), &task->tgid);
	__u32 key = pid;
	if (bpf_map_lookup_elem(&execing, &key))
		return 0; /* exec renames; sched_process_exec handles it */
	char comm[PT_COMM_LEN] = {};
	bpf_probe_read_kernel_str(comm, sizeof(comm), newcomm);
	__u32 tkey = tgid;
	struct pt_proc *p = bpf_map_lookup_elem(&procs, &tkey);
	bool was = p && (p->flags & PT_PROC_WATCHED);
	bool pinned = p && (p->flags & PT_PROC_PINNED);
	bool leader = pid == tgid;
	bool now_watched = was;
	if (leader && (config.match_mode == PT_MATCH_SUBSTRING || config.match_mode == PT_MATCH_EXACT)) {
		/* the process name is its main thread's comm: it may start or stop matching */
		now_watched = pinned || name_match(comm);
		if (now_watched != was) {
			struct cpu_private *s = this_cpu();
			if (s && bpf_get_current_task() == (__u64)task) {
				observe(s, now);
				split_current(s, now, pid, tgid, now_watched);
			}
			if (now_watched) {
				struct pt_proc np = {.flags = PT_PROC_WATCHED | (pinned ? PT_PROC_PINNED : 0)};
				bpf_map_update_elem(&procs, &tkey, &np, BPF_ANY);
			} else {
				bpf_map_delete_elem(&procs, &tkey);
			}
			bump_generation();
		}
	}
	if (!was && !now_watched && !(config.match_mode == PT_MATCH_USER && leader))
		return 0;
	struct pt_rename_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(PT_STAT_RINGBUF_DROPS);
		return 0;
	}
	fill_hdr(&e->hdr, PT_EV_RENAME, now, pid, tgid);
	__builtin_memcpy(e->hdr.comm, comm, sizeof(comm));
	e->is_leader = leader;
	e->now_watched = now_watched;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * --cgroup: cgroup_attach_task fires once a write to cgroup.procs (or cgroup.threads) has moved
 * the task, for every hierarchy (cgroup_attach_task(), kernel/cgroup/cgroup.c; with the thread
 * group leader for a whole process). A move on the v2 hierarchy into, out of or within the
 * watched subtree changes the process's watched state from the task's next switch-in (the cache
 * of struct seen is invalidated); a slice running on this CPU is split at the move, one running
 * on another CPU is charged as it began (the move cannot reach that CPU's state).
 */
SEC("raw_tracepoint/cgroup_attach_task")
int pt_cgroup_attach_task(struct bpf_raw_tracepoint_args *ctx)
{
	if (config.match_mode != PT_MATCH_CGROUP)
		return 0;
	struct cgroup *dst = (struct cgroup *)ctx->args[0];
	const char *path = (const char *)ctx->args[1];
	struct task_struct *task = (struct task_struct *)ctx->args[2];
	if (dfl_cgroup(task) != dst)
		return 0; /* a move on a v1 hierarchy */
	__u64 now = bpf_ktime_get_ns();
	int pid = 0, tgid = 0;
	bpf_probe_read_kernel(&pid, sizeof(pid), &task->pid);
	bpf_probe_read_kernel(&tgid, sizeof(tgid), &task->tgid);
	__u32 key = tgid;
	struct pt_proc *p = bpf_map_lookup_elem(&procs, &key);
	bool was = p && (p->flags & PT_PROC_WATCHED);
	bool inside = cgroup_inside(dst);
	if (inside != was) {
		struct cpu_private *s = this_cpu();
		if (s && bpf_get_current_task() == (__u64)task) {
			observe(s, now);
			split_current(s, now, pid, tgid, inside);
		}
		if (inside) {
			struct pt_proc np = {.flags = PT_PROC_WATCHED | PT_PROC_PINNED, .joined = now};
			bpf_map_update_elem(&procs, &key, &np, BPF_ANY);
		} else {
			bpf_map_delete_elem(&procs, &key);
		}
		bump_generation();
	}
	if (!was && !inside)
		return 0;
	struct pt_cgroup_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(PT_STAT_RINGBUF_DROPS);
		return 0;
	}
	fill_hdr(&e->hdr, PT_EV_CGROUP, now, pid, tgid);
	bpf_probe_read_kernel(e->hdr.comm, sizeof(e->hdr.comm), task->comm);
	e->was_watched = was;
	e->now_watched = inside;
	if (bpf_probe_read_kernel_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * Every interrupt of every task fires these, watched or not: the unwatched path takes no clock and
 * no hash lookup (two per-CPU array lookups and a compare), and an exit with nothing open returns
 * after one lookup.
 */

/* kernel/irq/handle.c __handle_irq_event_percpu(): around each handler (action) of the irq. */
SEC("raw_tracepoint/irq_handler_entry")
int pt_irq_handler_entry(struct bpf_raw_tracepoint_args *ctx)
{
	struct cpu_private *s = this_cpu();
	struct irq_cpu *q = irq_cpu();
	if (!s || !q)
		return 0;
	__u64 task = bpf_get_current_task();
	__u32 pid;
	q->irq_task = task;
	q->irq_start = irq_victim(s, task, &pid) ? bpf_ktime_get_ns() : 0;
	return 0;
}

SEC("raw_tracepoint/irq_handler_exit")
int pt_irq_handler_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct irq_cpu *q = irq_cpu();
	if (!q || !q->irq_start)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 start = q->irq_start;
	q->irq_start = 0;
	struct cpu_private *s = this_cpu();
	if (!s)
		return 0;
	__u64 task = bpf_get_current_task();
	__u32 pid;
	if (q->irq_task != task || start < s->pub.since || now < start || !irq_victim(s, task, &pid))
		return 0;
	struct pt_counts *c = counts_of(pid);
	if (!c)
		return 0;
	c->v[PT_M_IRQ_COUNT]++;
	c->v[PT_M_IRQ_NS] += now - start;
	irq_nested(q, task, now - start);
	return 0;
}

/* kernel/softirq.c handle_softirqs(): around each pending vector's action, interrupts enabled. */
SEC("raw_tracepoint/softirq_entry")
int pt_softirq_entry(struct bpf_raw_tracepoint_args *ctx)
{
	struct cpu_private *s = this_cpu();
	struct irq_cpu *q = irq_cpu();
	if (!s || !q)
		return 0;
	__u64 task = bpf_get_current_task();
	__u32 pid;
	if (!irq_victim(s, task, &pid)) {
		q->soft_start = 0;
		return 0;
	}
	q->soft_task = task;
	q->soft_vec = (__u32)ctx->args[0];
	q->soft_nested = 0;
	q->soft_start = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tracepoint/softirq_exit")
int pt_softirq_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct irq_cpu *q = irq_cpu();
	if (!q || !q->soft_start)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 start = q->soft_start;
	__u64 nested = q->soft_nested; /* (read at once: a hard irq may come in while this runs) */
	q->soft_start = 0;
	struct cpu_private *s = this_cpu();
	if (!s)
		return 0;
	__u64 task = bpf_get_current_task();
	__u32 vec = (__u32)ctx->args[0];
	__u32 pid;
	if (q->soft_task != task || q->soft_vec != vec || start < s->pub.since || now < start ||
	    !irq_victim(s, task, &pid))
		return 0;
	struct pt_counts *c = counts_of(pid);
	if (!c)
		return 0;
	__u64 ns = now - start;
	ns = ns > nested ? ns - nested : 0;
	c->v[PT_M_SOFTIRQ_COUNT]++;
	c->v[PT_M_SOFTIRQ_NS] += ns;
	if (vec < PT_NR_SOFTIRQS) {
		c->v[PT_M_SOFTIRQ_COUNT_BY_KIND + vec]++;
		c->v[PT_M_SOFTIRQ_NS_BY_KIND + vec] += ns;
	}
	return 0;
}

/*
 * ---- the task iterator: who waits, since when ----
 *
 * The switch program learns a wait when the task runs (run_delay); a task woken and still waiting
 * when user space reads the counters would be shown asleep up to then, and that part of its wait
 * counted again when it runs. The kernel knows since when it waits: sched_info.last_queued, set
 * at enqueue and cleared at arrival (sched_info_enqueue()/sched_info_arrive(), kernel/sched/
 * stats.h), in rq clock time; a switch to a watched task gives the offset to bpf_ktime. Waits the
 * task already ended without running (a dequeue to migrate adds to run_delay and requeues,
 * sched_info_dequeue()) are before that: run_delay since its last switch-out counts them, and for
 * a running task it is the wait that ended its time off. A running task's switch-in may have
 * fired no tracepoint (docs/kernel-notes.md): sched_info.last_arrival says when it was. One pass
 * reads all of it at one moment, not a /proc file per task.
 */
struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

SEC("iter/task")
int pt_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t)
		return 0;
	__u32 tgid = t->tgid;
	struct pt_proc *p = bpf_map_lookup_elem(&procs, &tgid);
	/* a process not judged yet (--regex) is left to the next read: its counters keep */
	if (!p || (p->flags & (PT_PROC_WATCHED | PT_PROC_UNDECIDED)) != PT_PROC_WATCHED)
		return 0;
	struct pt_task_now r = {};
	r.tid = t->pid;
	r.cpu = t->thread_info.cpu;
	r.seen = bpf_ktime_get_ns();
	__u64 run_delay = t->sched_info.run_delay;
	struct pt_task_out *o = bpf_task_storage_get(&task_outs, t, 0, 0);
	if (o && o->ts) {
		r.out_ts = o->ts;
		if (run_delay > o->run_delay)
			r.waited = run_delay - o->run_delay;
	}
	__u64 queued = t->sched_info.last_queued;
	if (t->__state == 0) /* TASK_RUNNING */
		r.flags = PT_NOW_RUNNABLE | (queued ? PT_NOW_QUEUED : 0);
	__u32 zero = 0;
	__s64 off;
	/* the sched clock is one clock on every CPU where it is stable: any CPU's offset will do */
	if ((r.flags & PT_NOW_RUNNABLE) &&
	    (clock_offset(bpf_map_lookup_percpu_elem(&cpu_state, &zero, r.cpu), &off) ||
	     clock_offset(this_cpu(), &off))) {
		if (queued)
			r.wait_from = queued + off - r.waited;
		else
			r.running_from = t->sched_info.last_arrival + off;
	}
	r.kind = PT_REC_TASK;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	struct pt_iter_ctl *ctl = bpf_map_lookup_elem(&iter_ctl, &zero);
	if (!ctl || ctl->mode == PT_ITER_TASKS)
		return 0;
	__u32 read_gen = (__u32)ctl->gen;
	/* the counters: a row once the task ran on that CPU, or left it and is not charged yet, or
	 * was charged its sleep there from another CPU (switch_out(): a wake-up elsewhere charges
	 * the time off to the CPU it left, which may see the task never again). PT_ITER_CHANGED:
	 * only those written since the last reads (struct pt_counts), and those of the CPU of its
	 * last switch-out, which hold its time off not yet charged, and of the CPU it is on, where
	 * user space adds what runs or waits now: a row left out is unchanged, or all zero on that
	 * CPU. With no switch-out known, every CPU. */
	__u32 off_cpu = o && o->ts ? o->cpu : PT_MAX_CPUS;
	bool all = ctl->mode != PT_ITER_CHANGED || off_cpu >= PT_MAX_CPUS;
	struct pt_task_row row = {};
	row.kind = PT_REC_ROW;
	row.tid = r.tid;
#ifdef PT_BENCH_LOOKUPS
	/* bench/scale only (never in the committed object): PT_BENCH_LOOKUPS more lookups of this
	 * task's counters and reads of them, for the cost of one */
	__u64 sink = 0;
	for (__u32 i = 0; i < PT_BENCH_LOOKUPS; i++) {
		struct pt_counts *b = bpf_map_lookup_percpu_elem(&counts, &r.tid, i % config.cpus);
		if (b)
			sink += b->v[PT_M_RUNS] | b->v[PT_M_IO_NS] | b->off_since;
	}
	row.pad = sink == 1; /* (used: the reads stay) */
#endif
	/* only the CPUs in its CPU mask (struct pt_counts): one lookup per word of it and one per
	 * CPU with counters, not one per possible CPU */
	__u64 mask = 0;
	for (__u32 cpu = 0; cpu < PT_MAX_CPUS; cpu++) {
		if (cpu >= config.cpus)
			break;
		if (!(cpu & 63)) {
			struct pt_counts *w = bpf_map_lookup_percpu_elem(&counts, &row.tid, cpu / 64);
			mask = w ? w->cpu_mask : 0;
			if (mask && !all) {
				if (w->read_gen != read_gen) {
					/* (atomic: a CPU may set a bit meanwhile, which must stay for the next read) */
					w->taken_prev = w->taken;
					w->taken = __sync_lock_test_and_set(&w->dirty, 0);
					w->read_gen = read_gen;
				}
				__u64 show = w->taken | w->taken_prev;
				if (off_cpu / 64 == cpu / 64)
					show |= 1ULL << (off_cpu & 63);
				if (r.cpu / 64 == cpu / 64)
					show |= 1ULL << (r.cpu & 63);
				mask &= show;
			}
			if (!mask) {
				cpu += 63; /* none in this word */
				continue;
			}
		}
		if (!(mask & (1ULL << (cpu & 63))))
			continue;
		struct pt_counts *c = bpf_map_lookup_percpu_elem(&counts, &row.tid, cpu);
		if (!c || !(c->v[PT_M_RUNS] | c->v[PT_M_ONCPU_NS] | c->v[PT_M_TIMER_COUNT] | c->v[PT_M_IRQ_COUNT] |
			    c->v[PT_M_SOFTIRQ_COUNT] | c->v[PT_M_WAIT_NS] | c->v[PT_M_SLEEP_NS] |
			    c->v[PT_M_IO_NS] | c->off_since))
			continue;
		row.cpu = cpu;
		bpf_seq_write(ctx->meta->seq, &row, sizeof(row));
		/* the map's value size, a constant to the verifier (frozen rodata) */
		bpf_seq_write(ctx->meta->seq, c, config.counts_size);
	}
	return 0;
}
