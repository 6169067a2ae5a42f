/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The wire contract between probe_test.bpf.c and BpfIntegrationTest (mirrored in Java). */
#ifndef PROBE_TEST_BPF_H
#define PROBE_TEST_BPF_H

/* switch_percpu slots */
#define SLOT_TP_SWITCH 0     /* tracepoint/sched/sched_switch hits */
#define SLOT_RAW_SWITCH 1    /* raw_tracepoint/sched_switch hits */
#define SLOT_COUNT 2

#define EVENT_EXEC 1
#define EVENT_SWITCH 2

/* One ring-buffer record: 48 + 64 = 112 bytes. */
struct probe_event {
	__u64 cookie;      /* 0: the .rodata global `cookie`, proves the write before load */
	__u32 kind;        /* 8: EVENT_EXEC or EVENT_SWITCH */
	__u32 pid;         /* 12: tgid of the current task */
	__u32 tid;         /* 16 */
	__u32 cpu;         /* 20 */
	__u64 ts_ns;       /* 24: bpf_ktime_get_ns */
	char comm[16];     /* 32 */
	char filename[64]; /* 48: exec only, from the __data_loc filename field */
};

#endif
