// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test fixture for the libbpf binding layer (org.proctap.source.bpf): one of each thing the
 * Java side must handle — a .rodata global, a hash map, a per-CPU array, a tracepoint and a
 * raw_tracepoint program, a ring buffer. Not used by proctap itself.
 */
#include "bpf_shim.h"
#include "probe_test.bpf.h"

BPF_LICENSE("GPL");

/* Set from Java through bpf_map__initial_value() before load; frozen afterwards. */
const volatile __u32 rodata_version = 1;
const volatile __u64 cookie = 0;
const volatile bool emit_on_switch = false; /* benchmark: one ring-buffer record per switch */

/* sched_switch count by prev tid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} switch_by_tid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} switch_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* events/sched/sched_switch/format on Linux 6.18 */
struct sched_switch_args {
	struct trace_entry ent;
	char prev_comm[16];
	__s32 prev_pid;
	__s32 prev_prio;
	long prev_state;
	char next_comm[16];
	__s32 next_pid;
	__s32 next_prio;
};
_Static_assert(__builtin_offsetof(struct sched_switch_args, prev_pid) == 24, "prev_pid");
_Static_assert(__builtin_offsetof(struct sched_switch_args, next_pid) == 56, "next_pid");

/* events/sched/sched_process_exec/format on Linux 6.18 */
struct sched_process_exec_args {
	struct trace_entry ent;
	__u32 filename_loc; /* __data_loc char[] */
	__s32 pid;
	__s32 old_pid;
};
_Static_assert(__builtin_offsetof(struct sched_process_exec_args, pid) == 12, "pid");

static __always_inline void count_slot(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&switch_percpu, &slot);
	if (v)
		*v += 1; /* per-CPU slot: no atomics needed */
}

static __always_inline void fill_common(struct probe_event *e, __u32 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	e->cookie = cookie;
	e->kind = kind;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->cpu = bpf_get_smp_processor_id();
	e->ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

SEC("tracepoint/sched/sched_switch")
int tp_sched_switch(struct sched_switch_args *ctx)
{
	__u32 tid = ctx->prev_pid;
	__u64 one = 1, *n;

	count_slot(SLOT_TP_SWITCH);
	n = bpf_map_lookup_elem(&switch_by_tid, &tid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&switch_by_tid, &tid, &one, BPF_NOEXIST);

	if (emit_on_switch) {
		struct probe_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			fill_common(e, EVENT_SWITCH);
			e->filename[0] = 0;
			bpf_ringbuf_submit(e, 0);
		}
	}
	return 0;
}

/* raw_tracepoint context: args of TP_PROTO(bool preempt, prev, next, prev_state). */
SEC("raw_tracepoint/sched_switch")
int raw_sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	count_slot(SLOT_RAW_SWITCH);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int tp_sched_process_exec(struct sched_process_exec_args *ctx)
{
	struct probe_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_common(e, EVENT_EXEC);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				  (void *)ctx + DATA_LOC_OFFSET(ctx->filename_loc));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
