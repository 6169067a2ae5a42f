/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pt_hist.h - the slot of a log2 histogram of microseconds, for proctap.bpf.c and, compiled with
 * gcc, for Log2SlotsTest, which checks it against org.proctap.metric.Log2Slots. Slot 0 holds 0
 * and 1 us, slot i holds [2^i, 2^(i+1) - 1] us, the last slot everything longer (runqlat's
 * layout). No loop: a binary search over the bit position in six steps, which the verifier
 * accepts as straight-line code.
 */
#ifndef PT_HIST_H
#define PT_HIST_H

#include "proctap.h"

/* floor(log2(v)) for v >= 1, 0 for 0 */
static inline __u32 pt_log2(__u64 v)
{
	__u32 bit = 0, step;

	step = (v > 0xffffffffULL) << 5; /* 32 when the high half has a bit set */
	v >>= step;
	bit |= step;
	step = (v > 0xffff) << 4;
	v >>= step;
	bit |= step;
	step = (v > 0xff) << 3;
	v >>= step;
	bit |= step;
	step = (v > 0xf) << 2;
	v >>= step;
	bit |= step;
	step = (v > 0x3) << 1;
	v >>= step;
	bit |= step;
	return bit | (__u32)(v > 0x1);
}

/* the slot of a length of ns nanoseconds (whole microseconds, as runqlat counts them) */
static inline __u32 pt_hist_slot(__u64 ns)
{
	__u32 slot = pt_log2(ns / 1000);
	return slot < PT_HIST_SLOTS ? slot : PT_HIST_SLOTS - 1;
}

#endif /* PT_HIST_H */
