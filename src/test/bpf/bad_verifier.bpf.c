// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test fixture: a program the verifier must reject. It dereferences a map lookup result
 * without the NULL check ("R0 invalid mem access 'map_value_or_null'"), so
 * bpf_object__load fails with EACCES and libbpf prints the verifier log.
 * A hash map, not an array: since Linux 6.13 or so the verifier knows that an array lookup with
 * a constant in-range key cannot return NULL, and accepts the same code on an array.
 */
#include "bpf_shim.h"

BPF_LICENSE("GPL");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int missing_null_check(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counter, &key);
	*v += 1; /* no NULL check: rejected */
	return 0;
}
