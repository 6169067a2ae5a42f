/*
 * ptduty: CgroupIT's workload. Spins for BUSY ms of CLOCK_MONOTONIC, then sleeps SLEEP ms, until
 * killed; so none of its slices is longer than BUSY ms, which bounds what a move between two of
 * its switches can put on the wrong side. It spins on the monotonic clock (vDSO, no system call)
 * and not on its own CPU clock: each read of CLOCK_THREAD_CPUTIME_ID makes the kernel update and
 * report the task's runtime (a sched_stat_runtime event every ~0.4 us, docs/kernel-notes.md). With --exec-every N it
 * also forks a child every N ms that execs /bin/true (a fork and an exec to be seen).
 *
 *   ptduty [--busy-ms BUSY] [--sleep-ms SLEEP] [--exec-every N]
 *
 * Prints "ready pid=PID" once, then nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long busy = 2, sleep_ms = 2, every = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--busy-ms"))
			busy = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--sleep-ms"))
			sleep_ms = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--exec-every"))
			every = atol(argv[i + 1]);
	}
	char line[64];
	int n = snprintf(line, sizeof(line), "ready pid=%d\n", getpid());
	if (write(1, line, n) != n)
		return 1;
	long long next_exec = ns(CLOCK_MONOTONIC) + every * 1000000LL;
	for (;;) {
		long long until = ns(CLOCK_MONOTONIC) + busy * 1000000LL;
		while (ns(CLOCK_MONOTONIC) < until)
			;
		struct timespec nap = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
		nanosleep(&nap, 0);
		if (every > 0 && ns(CLOCK_MONOTONIC) >= next_exec) {
			next_exec += every * 1000000LL;
			pid_t child = fork();
			if (child == 0) {
				execl("/bin/true", "true", (char *)0);
				_exit(127);
			}
			if (child > 0)
				waitpid(child, 0, 0);
		}
	}
}
