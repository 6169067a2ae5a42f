/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * proctap.h - the whole contract between proctap.bpf.c and Java (org.proctap.source.bpf.Wire,
 * org.proctap.metric.Metric). Every struct here is mirrored by a Java MemoryLayout, the metric
 * list by the Metric enum; WireLayoutTest and MetricSchemaTest compile this header with gcc and
 * check each size, offset and slot against the Java side. Change both together.
 * Only fixed-size types, naturally aligned, so BPF, gcc and Java agree without packing.
 */
#ifndef PROCTAP_H
#define PROCTAP_H

#ifndef __BPF__
#include <stdint.h>
typedef uint8_t __u8;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
#endif

#define PT_COMM_LEN 16
#define PT_PATH_LEN 4096

/* procs map value flags */
#define PT_PROC_WATCHED 1u  /* counted and reported */
#define PT_PROC_PINNED 2u   /* watched whatever its name: -p, the command, a followed descendant */
/* --regex: exec'd into a name user space has not judged yet. Counted as watched from the exec on
 * (a short-lived process may be gone before user space reads the exec event), but not shown by
 * the task iterator until user space clears the flag (a match) or deletes the entry (none). */
#define PT_PROC_UNDECIDED 4u

/* cpu_state.flags */
#define PT_CPU_KNOWN 1u     /* cur_pid is known (not just after start) */
#define PT_CPU_WATCHED 2u   /* cur_pid belongs to a watched process */

/* pt_config.match_mode: how the name is matched */
#define PT_MATCH_NONE 0     /* -p or -- COMMAND: only pinned processes */
#define PT_MATCH_SUBSTRING 1
#define PT_MATCH_EXACT 2
#define PT_MATCH_USER 3     /* --regex: the kernel can't; user space decides from exec/rename events */
#define PT_MATCH_CGROUP 4   /* --cgroup: processes in the cgroup pt_config.cgroup_id and below it */

/* ring buffer event types */
#define PT_EV_EXEC 1
#define PT_EV_FORK 2
#define PT_EV_EXIT 3
#define PT_EV_RENAME 4
#define PT_EV_CGROUP 5

/* the kernel's buffer for the path the cgroup tracepoints carry (TRACE_CGROUP_PATH_LEN,
 * kernel/cgroup/cgroup-internal.h) */
#define PT_CGROUP_PATH_LEN 1024

/* stats map (per-CPU array) slots */
#define PT_STAT_RINGBUF_DROPS 0 /* live events lost: the ring buffer was full */
#define PT_STAT_COUNTS_FULL 1   /* counter updates lost: the counts map was full */
#define PT_STAT_REPAIRS 2       /* switch sequences repaired (see SchedAccounting) */
#define PT_STAT_REPAIRED_NS 3   /* on-CPU ns charged to slices a missed switch began or ended */
#define PT_STAT_MAX 4

/* histograms (--hist): PT_HIST_SLOTS log2 slots of microseconds, see pt_hist.h */
#define PT_HIST_SLOTS 27
/* pt_config.hist: which histograms the program fills; none costs nothing (the verifier
 * drops the branches of a frozen rodata value) */
#define PT_HIST_WAIT 1u
#define PT_HIST_SLICE 2u

/* procs: tgid -> */
struct pt_proc {
	__u32 flags;
	__u32 pad;
	__u64 joined; /* --cgroup: bpf_ktime when a move brought it into the cgroup; 0: watched from the start */
};

/* softirq vectors: NR_SOFTIRQS of include/linux/interrupt.h (org.proctap.metric.Softirq names them) */
#define PT_NR_SOFTIRQS 10

/*
 * The metrics counted per (CPU, task), in the order of pt_counts.v: X(NAME, SLOTS), one slot per
 * counter, N for a histogram. org.proctap.metric.Metric declares the same list with units and
 * names; MetricSchemaTest compiles this one and checks the two agree.
 */
#define PT_METRICS(X)                                                                              \
	X(RUNS, 1)        /* switch-ins */                                                         \
	X(TIMER_NS, 1)    /* time in local timer interrupts taken while this task ran */           \
	X(ONCPU_NS, 1)    /* time on the CPU, closed slices */                                     \
	X(TIMER_COUNT, 1) /* local timer interrupts taken while this task ran */                   \
	X(WAIT_NS, 1)     /* runnable, waiting for a CPU, before each switch-in here (run_delay) */ \
	X(SLEEP_NS, 1)    /* off the CPU asleep (S) before each switch-in here, less the wait */    \
	X(IO_NS, 1)       /* off the CPU blocked uninterruptibly (D), less the wait */              \
	X(STEAL_NS, 1)    /* on the CPU but not charged: the hypervisor's steal (rq clock - clock_task) */ \
	X(PREEMPT, 1)     /* switch-outs while runnable (nivcsw) */                                 \
	X(VOL, 1)         /* switch-outs to sleep (nvcsw) */                                        \
	X(MIGR, 1)        /* moves to another CPU before each switch-in here (se.nr_migrations) */ \
	X(IRQ_NS, 1)      /* time in hard irq handlers (not the local timer) while this task ran */ \
	X(IRQ_COUNT, 1)   /* hard irq handlers run while this task ran */                          \
	X(SOFTIRQ_NS, 1)  /* time in softirqs in this task's context, less nested interrupts */     \
	X(SOFTIRQ_COUNT, 1) /* softirqs run in this task's context */                               \
	X(SOFTIRQ_NS_BY_KIND, PT_NR_SOFTIRQS)    /* SOFTIRQ_NS per vector */                          \
	X(SOFTIRQ_COUNT_BY_KIND, PT_NR_SOFTIRQS) /* SOFTIRQ_COUNT per vector */                   \
	X(WAIT_HIST, PT_HIST_SLOTS)  /* --hist wait: waits ended by a switch-in here, log2 us */      \
	X(SLICE_HIST, PT_HIST_SLOTS) /* --hist slice: slices on this CPU, log2 us */

#define PT_METRIC_SLOT(name, slots) PT_M_##name, PT_M_##name##_END = PT_M_##name + (slots) - 1,
enum pt_metric { PT_METRICS(PT_METRIC_SLOT) PT_SLOTS };

/*
 * counts (per-CPU hash): tid -> running totals on this CPU, never reset. A task's time off the
 * CPU (sleep, io) is charged to the CPU it left, when it next leaves a CPU (its wait is known
 * then); until then off_since says since when it is off, so that user space can add the time
 * not yet charged.
 *
 * The map holds only the first pt_config.counts_size bytes of this struct (PT_COUNTS_SIZE): the
 * header and v[] up to the last histogram asked for. The histograms come last, so without --hist
 * an entry holds no histogram slot (768 bytes per CPU become 336) and the program, whose
 * histogram code the frozen pt_config.hist removes, never touches one.
 *
 * Which CPUs have counters of the task: the first write of a CPU's counters sets cpu_seen there
 * and its bit in the mask, whose word w is cpu_mask in CPU w's counters (w = cpu / 64, always a
 * CPU that exists, as w <= cpu). The task iterator then reads only those CPUs, not every
 * possible one; the mask lives and dies with the entry.
 *
 * Which counters changed since the last table: the first write of a CPU's counters in a read
 * generation (struct pt_iter_ctl: that of the next read) sets that CPU's bit in the task's dirty
 * mask, word w in CPU w's counters like cpu_mask. The task iterator takes the mask (clearing it)
 * once per read and shows the counters of the CPUs taken then or at the read before, and those
 * of the CPU of the last switch-out and of the one the task is on: the others have not changed
 * since it last showed them. Taken twice, as a write that set its bit before the iterator took
 * it may land after the iterator copied the counters; the next read shows it. A table then costs
 * what changed, not every CPU a task ever ran on. The kernel may run the iterator twice for one
 * task in one read (a seq_file buffer that overflowed is discarded and the task shown again,
 * bpf_seq_read() in kernel/bpf/bpf_iter.c): read_gen makes the second run show what the first did.
 */
struct pt_counts {
	__u64 off_since; /* switched out of this CPU then, its time off not yet charged; 0: none */
	__u32 off_state; /* prev_state at that switch-out, 0 when preempted */
	__u32 cpu_seen;  /* 1: this CPU's bit is set in the task's CPU mask */
	__u64 cpu_mask;  /* in CPU w's counters: CPUs 64w..64w+63 that have counters of the task */
	__u64 dirty;      /* in CPU w's counters: CPUs 64w..64w+63 written since the iterator took it */
	__u64 taken;      /* in CPU w's counters: the dirty mask the iterator took at read_gen */
	__u64 taken_prev; /* in CPU w's counters: the one it took at the read before */
	__u32 read_gen;   /* in CPU w's counters: the read that took taken (gen's low 32 bits) */
	__u32 marked_gen; /* this CPU's bit was set in the dirty mask for this read generation */
	__u64 v[PT_SLOTS];
};

/*
 * iter_ctl (array, one entry), written by user space: how the next read of the task iterator
 * goes, and its generation (one more after each PT_ITER_CHANGED read, from 1), which the
 * programs that write counters read to mark them (struct pt_counts).
 */
#define PT_ITER_CHANGED 0u /* each task, and its counters that changed since the last such read */
#define PT_ITER_ALL 1u     /* each task and all its counters; the dirty masks untouched */
#define PT_ITER_TASKS 2u   /* each task only */
struct pt_iter_ctl {
	__u32 mode; /* PT_ITER_* */
	__u32 pad;
	__u64 gen;
};

/* the counts map's value size holding metric slots [0, slots) */
#define PT_COUNTS_SIZE(slots) (sizeof(struct pt_counts) - (PT_SLOTS - (slots)) * sizeof(__u64))

/*
 * task_outs (task storage): what a watched task's own counters were at its last switch-out, and
 * how it left. Its next switch-out charges the differences (the kernel's wait, context switches
 * and migrations in between) and the time off the CPU before that slice to the CPU it left. User
 * space writes one for each task watched at start (BPF_NOEXIST, keyed by a pidfd), from /proc,
 * as if it had been switched out then: what happens to a task asleep at start is then counted
 * from the start, the migration of its wake-up included.
 */
struct pt_task_out {
	__u64 ts;         /* 0: no switch-out seen while watched */
	__u64 run_delay;  /* sched_info.run_delay */
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 migrations; /* se.nr_migrations */
	__u32 state;      /* prev_state at that switch-out (0: runnable) */
	__u32 cpu;        /* the CPU it left then, whose counters get its time off */
	__u64 pcount;     /* sched_info.pcount then (read for --hist wait only) */
	__u64 sum_exec;   /* se.sum_exec_runtime then */
};

/* configuration, set by user space before load (.rodata "config") */
struct pt_config {
	__u32 match_mode;      /* PT_MATCH_* */
	__u32 needle_len;      /* PT_MATCH_SUBSTRING: the name's length */
	__u32 follow;          /* children of watched processes are watched whatever their name */
	__u32 read_syscall_nr; /* bpf_task_pt_regs is usable: name the system call of execs, forks */
	char needle[PT_COMM_LEN];
	__u32 hist;            /* PT_HIST_* */
	__u32 cpus;            /* possible CPUs (the per-CPU maps' rows), at most PT_MAX_CPUS */
	__u32 cgroup_level;    /* PT_MATCH_CGROUP: the cgroup's depth below the v2 root (cgroup->level) */
	__u32 counts_size;     /* the counts map's value size: PT_COUNTS_SIZE(slots measured) */
	__u64 cgroup_id;       /* PT_MATCH_CGROUP: its id (cgroup->kn->id, the directory's inode number) */
};

/* pt_tasks reads the counters of at most this many CPUs */
#define PT_MAX_CPUS 256

/* cpu_state (per-CPU array, one slot): who runs here since when */
struct pt_cpu_state {
	__u32 cur_pid;
	__u32 cur_tgid;
	__u32 flags;
	__u32 run_pending; /* cur's switch-in is counted in runs when its slice ends: count it now */
	__u64 since;       /* start of cur's current slice (counted up to the next switch) */
	__u64 evidence;    /* last time anything showed cur running here */
	__u64 timer_start; /* local_timer_entry time, 0 when not in the timer interrupt */
	__u32 seq;         /* odd while a program writes this CPU's state and counters */
	__u32 pad;
};

/*
 * The output of the task iterator pt_tasks, read at each table: for each watched task, what the
 * kernel says of it at that moment (struct pt_task_now) and then its counters on each CPU where
 * it has any (struct pt_task_row), all read in one pass, so that a table's figures of a task are
 * of one moment. The switch program learns a wait only from run_delay when the task runs, so
 * without the first a task woken and still waiting would be shown asleep up to the table, and a
 * task whose switch-in fired no tracepoint would be shown off the CPU.
 */
#define PT_REC_TASK 1u
#define PT_REC_ROW 2u
#define PT_NOW_RUNNABLE 1u /* TASK_RUNNING: running or waiting for a CPU */
#define PT_NOW_QUEUED 2u   /* waiting for a CPU (sched_info.last_queued is set) */

struct pt_task_now {
	__u32 kind;         /* PT_REC_TASK */
	__u32 tid;
	__u32 cpu;          /* the CPU it runs or waits on, or last ran on (task_cpu()) */
	__u32 flags;        /* PT_NOW_* */
	__u64 seen;         /* bpf_ktime_get_ns of this record */
	__u64 out_ts;       /* its last switch-out the program saw (pt_task_out.ts; 0: none) */
	__u64 waited;       /* waits ended since then (run_delay less the one then) */
	__u64 wait_from;    /* QUEUED: waiting since this bpf_ktime_get_ns; 0: unknown */
	__u64 running_from; /* RUNNABLE, not QUEUED: running since (its last switch-in); 0: unknown */
};

/* followed by that CPU's struct pt_counts of the task */
struct pt_task_row {
	__u32 kind;         /* PT_REC_ROW */
	__u32 tid;
	__u32 cpu;
	__u32 pad;
};

/* Every ring buffer record starts with this. */
struct pt_event_hdr {
	__u32 type;
	__u32 cpu;
	__u64 ts;          /* bpf_ktime_get_ns: CLOCK_MONOTONIC, like the tracefs instances */
	__u32 pid;         /* the task the event is about */
	__u32 tgid;
	char comm[PT_COMM_LEN];
};

struct pt_exec_event {
	struct pt_event_hdr hdr; /* pid/tgid/comm after the exec */
	__u32 old_pid;
	__s32 syscall_nr;        /* 59 execve, 322 execveat, -1 unknown */
	__u32 was_watched;
	__u32 now_watched;
	char filename[PT_PATH_LEN];
};

struct pt_fork_event {
	struct pt_event_hdr hdr; /* the parent (the task that called fork/clone) */
	__u32 child_pid;
	__u32 child_tgid;
	__u64 clone_flags;
	__s32 syscall_nr;        /* 56 clone, 57 fork, 58 vfork, 435 clone3, -1 unknown */
	__u32 child_watched;
	char child_comm[PT_COMM_LEN];
};

struct pt_exit_event {
	struct pt_event_hdr hdr;
	__s32 wait_status;       /* as wait(2) would see it; valid when group_dead */
	__u32 group_dead;
};

struct pt_rename_event {
	struct pt_event_hdr hdr; /* pid = the renamed task, comm = its new name */
	__u32 is_leader;
	__u32 now_watched;
};

/*
 * --cgroup: a process was moved into a v2 cgroup (cgroup_attach_task, once per write to
 * cgroup.procs, for the thread group leader): into, out of or within the watched subtree.
 */
struct pt_cgroup_event {
	struct pt_event_hdr hdr; /* the task moved (the leader, for a whole process) */
	__u32 was_watched;
	__u32 now_watched;
	char path[PT_CGROUP_PATH_LEN]; /* the cgroup it is in now, relative to the v2 root */
};

#endif /* PROCTAP_H */
