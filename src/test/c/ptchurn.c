/*
 * ptchurn: ChurnIT's workload, processes that live a fraction of a millisecond. Once it reads
 * "go" on stdin it runs EXECS times, one after the other, a child that execs the file EXEC_AS
 * (a link to this binary under another name: the exec changes the comm), then forks FORKS
 * children WIDTH at a time that only exit. Each child reads its own CPU clock and
 * /proc/self/schedstat just before it exits and prints them, so the test has the kernel's
 * figures of every process (the CPU clock includes the slice running: task_sched_runtime(),
 * kernel/sched/core.c; schedstat's runtime does not, its run_delay and pcount do):
 *
 *   exec PID ONCPU_NS RUN_DELAY_NS PCOUNT     (the exec'd child)
 *   fork PID ONCPU_NS RUN_DELAY_NS PCOUNT     (a fork storm child)
 *   done                                      (the parent, when every child has been reaped)
 *
 * What a child does after its read (the rest of exit) is not in its line: a tracer's figures of
 * it are at least these, not equal.
 *
 *   ptchurn --execs N --exec-as PATH --forks M --width W
 *   (ptchurn --child, as the exec'd child)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* One line "KIND PID schedstat" with write(2): no stdio buffer to lose at _exit. */
static void report(const char *kind)
{
	char stat[128] = {0};
	int fd = open("/proc/self/schedstat", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, stat, sizeof(stat) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		_exit(3);
	unsigned long long runtime, run_delay, pcount;
	if (sscanf(stat, "%llu %llu %llu", &runtime, &run_delay, &pcount) != 3)
		_exit(3);
	struct timespec cpu;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	char line[192];
	int len = snprintf(line, sizeof(line), "%s %d %lld %llu %llu\n", kind, getpid(),
			   cpu.tv_sec * 1000000000LL + cpu.tv_nsec, run_delay, pcount);
	if (write(1, line, len) != len)
		_exit(4);
}

int main(int argc, char **argv)
{
	long execs = 0, forks = 0, width = 1;
	const char *exec_as = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--child")) {
			report("exec");
			return 0;
		} else if (!strcmp(argv[i], "--execs") && i + 1 < argc) {
			execs = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--exec-as") && i + 1 < argc) {
			exec_as = argv[++i];
		} else if (!strcmp(argv[i], "--forks") && i + 1 < argc) {
			forks = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--width") && i + 1 < argc) {
			width = atol(argv[++i]);
		} else {
			fprintf(stderr, "usage: ptchurn --execs N --exec-as PATH --forks M --width W\n");
			return 2;
		}
	}
	if ((execs > 0 && !exec_as) || width < 1) {
		fprintf(stderr, "ptchurn: --execs needs --exec-as, --width at least 1\n");
		return 2;
	}
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	char go[8];
	if (!fgets(go, sizeof(go), stdin) || strcmp(go, "go\n")) {
		fprintf(stderr, "ptchurn: expected go\n");
		return 1;
	}
	for (long i = 0; i < execs; i++) {
		pid_t c = fork();
		if (c < 0) {
			perror("ptchurn: fork");
			return 1;
		}
		if (c == 0) {
			execl(exec_as, exec_as, "--child", (char *)NULL);
			_exit(5);
		}
		int status;
		if (waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "ptchurn: exec child %d failed (status %d)\n", c, status);
			return 1;
		}
	}
	for (long i = 0; i < forks; i += width) {
		long n = forks - i < width ? forks - i : width;
		for (long j = 0; j < n; j++) {
			pid_t c = fork();
			if (c < 0) {
				perror("ptchurn: fork");
				return 1;
			}
			if (c == 0) {
				report("fork");
				_exit(0);
			}
		}
		for (long j = 0; j < n; j++) {
			int status;
			if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "ptchurn: a fork child failed (status %d)\n", status);
				return 1;
			}
		}
	}
	printf("done\n");
	return 0;
}
