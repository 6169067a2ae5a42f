// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test fixture: programs that load fine but whose attach points do not exist, so
 * bpf_program__attach fails (the tracepoint id cannot be found / raw tracepoint unknown).
 */
#include "bpf_shim.h"

BPF_LICENSE("GPL");

SEC("tracepoint/sched/proctap_no_such_event")
int tp_missing(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/proctap_no_such_event")
int raw_missing(void *ctx)
{
	return 0;
}
