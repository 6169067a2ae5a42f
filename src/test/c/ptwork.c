/*
 * ptwork: the integration tests' workload. It burns a known amount of CPU in three tasks (its
 * main thread, a second thread, a forked child), reports what the kernel itself counted for each
 * task, then execs itself so the tests also see an exec of a running process.
 *
 *   ptwork --main-ms N --thread-ms N --child-ms N [--cpu K] [--child-exit C] [--final-exit E]
 *          [--sleep-ms S] [--sleep-every-ms B] [--out FILE] [--then-exec PATH]
 *
 * --cpu K pins the process (sched_setaffinity) before it creates anything, so the thread and the
 * child inherit the mask. Each task burns until its own CLOCK_THREAD_CPUTIME_ID reaches its
 * budget; with --sleep-ms S it sleeps S ms after every B ms of CPU (default 50), so it is
 * switched out and in again for real. Then it prints one line, written with write(2) so nothing
 * is buffered:
 *
 *   task role=main|thread|child pid=TGID tid=TID cpu=C cputime_ns=N schedstat_ns=N pcount=N
 *        start_schedstat_ns=N start_pcount=N start_cputime_ns=N
 *
 * (cpu is where the task ran when it reported.) schedstat_ns and pcount are fields 1 and 3 of /proc/self/task/TID/schedstat (on-CPU ns and
 * number of times run); start_* were read first thing in the task (for main: first thing in
 * main(), after the exec that proctap saw). Reading CLOCK_THREAD_CPUTIME_ID of a running task
 * makes the kernel bring se.sum_exec_runtime up to date (task_sched_runtime() calls
 * update_curr(), kernel/sched/core.c), so the schedstat read right after it is current, not stale
 * by up to a tick: schedstat_ns >= cputime_ns, and only by the cost of the read.
 *
 * The child exits with --child-exit (default 3). Main joins the thread, reaps the child
 * ("child pid=P status=C" or "child pid=P signal=S"), prints its own task line, then execs
 * itself through argv[0] (not /proc/self/exe, whose basename "exe" would become the comm) with
 * "--final E". That stage prints
 *
 *   final pid=PID comm=COMM schedstat_ns=N pcount=N cputime_ns=N
 *
 * (the main thread's totals, which survive exec, and its comm after this exec) and exits with E
 * (default 7). "ready pid=PID" is the first line of the first stage.
 *
 * --out FILE appends every line to FILE instead of stdout (both stages): for runs whose stdout is
 * shared with another program (a workload started by proctap in command mode), and for runs whose
 * counts must not be disturbed: a write to a pipe wakes its reader, which may preempt the writer
 * after it measured itself; a write to a file wakes nobody.
 *
 * --then-exec PATH: a launcher stage. It prints "launch pid=PID schedstat_ns=N pcount=N cputime_ns=N" (its
 * totals just before the exec) and execs PATH with its other arguments. A tool that starts
 * watching the task at an exec of PATH (proctap's name mode) then watches exactly from that
 * line to the end of the final stage. Without it, the window between the exec and the first
 * reading in main() is unmeasured, and the exec by which a JVM starts a child closes a
 * close-on-exec pipe that wakes the JVM, which then preempts the new image before main().
 * Before it reads its totals the launcher pins itself to the CPU it is on: execve() first
 * balances the task (sched_exec(), kernel/sched/core.c), and a migration there would be a
 * switch-in between the reading and the exec. The workload gets the launcher's original CPUs
 * back with --cpus LIST (a comma-separated list), first thing after its own start reading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sched_truth {
    long long cputime_ns;
    long long schedstat_ns;
    long long wait_ns;
    long long pcount;
};

static long long main_ms = 500, thread_ms = 500, child_ms = 500;
static long long sleep_ms = 0, sleep_every_ms = 50;
static int cpu = -1, child_exit = 3, final_exit = 7;
static const char *cpus = NULL;
static int out_fd = STDOUT_FILENO;
static const char *out_path = NULL;
static const char *then_exec = NULL;

static void out(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t) n >= sizeof buf) {
        n = sizeof buf - 1;
    }
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(out_fd, p, (size_t) n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        p += w;
        n -= (int) w;
    }
}

static void die(const char *what) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "ptwork: %s: %s\n", what, strerror(errno));
    if (n > 0) {
        (void) !write(STDERR_FILENO, buf, (size_t) n);
    }
    _exit(100);
}

static pid_t gettid_(void) {
    return (pid_t) syscall(SYS_gettid);
}

static long long thread_cputime_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        die("clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    }
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The calling task's CPU time, then its /proc schedstat (made current by the clock read). */
static struct sched_truth read_truth(void) {
    struct sched_truth t;
    char path[64], buf[128];
    t.cputime_ns = thread_cputime_ns();
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", (int) gettid_());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        die(path);
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0) {
        die(path);
    }
    close(fd);
    buf[n] = '\0';
    if (sscanf(buf, "%lld %lld %lld", &t.schedstat_ns, &t.wait_ns, &t.pcount) != 3) {
        errno = EINVAL;
        die(path);
    }
    return t;
}

static void sleep_ms_(long long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Spins until this task has used budget_ms of CPU since it started, sleeping now and then. */
static void burn(long long start_cputime_ns, long long budget_ms) {
    long long goal = start_cputime_ns + budget_ms * 1000000LL;
    long long next_sleep = start_cputime_ns + sleep_every_ms * 1000000LL;
    volatile unsigned long sink = 0;
    for (;;) {
        long long now = thread_cputime_ns();
        if (now >= goal) {
            break;
        }
        if (sleep_ms > 0 && now >= next_sleep) {
            sleep_ms_(sleep_ms);
            next_sleep += sleep_every_ms * 1000000LL;
        }
        for (int i = 0; i < 20000; i++) {
            sink += (unsigned long) i * 2654435761UL;
        }
    }
}

static void report(const char *role, struct sched_truth start) {
    struct sched_truth end = read_truth();
    out("task role=%s pid=%d tid=%d cpu=%d cputime_ns=%lld schedstat_ns=%lld pcount=%lld "
        "start_schedstat_ns=%lld start_pcount=%lld start_cputime_ns=%lld\n",
        role, (int) getpid(), (int) gettid_(), sched_getcpu(), end.cputime_ns, end.schedstat_ns, end.pcount,
        start.schedstat_ns, start.pcount, start.cputime_ns);
}

static void *thread_main(void *arg) {
    (void) arg;
    struct sched_truth start = read_truth();
    burn(start.cputime_ns, thread_ms);
    report("thread", start);
    return NULL;
}

static long long num(const char *opt, const char *value) {
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno != 0 || *value == '\0' || *end != '\0' || v < 0) {
        char buf[160];
        int n = snprintf(buf, sizeof buf, "ptwork: %s needs a number >= 0, not '%s'\n", opt, value);
        (void) !write(STDERR_FILENO, buf, (size_t) n);
        _exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    /* First thing: what the kernel counted for this task before main() (the exec, ld.so). */
    struct sched_truth start = read_truth();
    int final_stage = 0;

    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            char buf[160];
            int n = snprintf(buf, sizeof buf, "ptwork: %s needs a value\n", opt);
            (void) !write(STDERR_FILENO, buf, (size_t) n);
            return 2;
        }
        const char *value = argv[++i];
        if (strcmp(opt, "--main-ms") == 0) {
            main_ms = num(opt, value);
        } else if (strcmp(opt, "--thread-ms") == 0) {
            thread_ms = num(opt, value);
        } else if (strcmp(opt, "--child-ms") == 0) {
            child_ms = num(opt, value);
        } else if (strcmp(opt, "--cpu") == 0) {
            cpu = (int) num(opt, value);
        } else if (strcmp(opt, "--child-exit") == 0) {
            child_exit = (int) num(opt, value);
        } else if (strcmp(opt, "--final-exit") == 0) {
            final_exit = (int) num(opt, value);
        } else if (strcmp(opt, "--sleep-ms") == 0) {
            sleep_ms = num(opt, value);
        } else if (strcmp(opt, "--sleep-every-ms") == 0) {
            sleep_every_ms = num(opt, value);
            if (sleep_every_ms == 0) {
                sleep_every_ms = 1;
            }
        } else if (strcmp(opt, "--cpus") == 0) {
            cpus = value;
        } else if (strcmp(opt, "--then-exec") == 0) {
            then_exec = value;
        } else if (strcmp(opt, "--out") == 0) {
            out_path = value;
        } else if (strcmp(opt, "--final") == 0) {
            final_stage = 1;
            final_exit = (int) num(opt, value);
        } else {
            char buf[160];
            int n = snprintf(buf, sizeof buf, "ptwork: unknown option %s\n", opt);
            (void) !write(STDERR_FILENO, buf, (size_t) n);
            return 2;
        }
    }

    if (out_path != NULL) {
        out_fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (out_fd < 0) {
            die(out_path);
        }
    }

    if (final_stage) {
        char comm[32] = "?";
        int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, comm, sizeof comm - 1);
            close(fd);
            comm[n > 0 ? n : 0] = '\0';
            comm[strcspn(comm, "\n")] = '\0';
        }
        struct sched_truth now = read_truth();
        out("final pid=%d comm=%s schedstat_ns=%lld pcount=%lld cputime_ns=%lld\n", (int) getpid(), comm,
            now.schedstat_ns, now.pcount, now.cputime_ns);
        return final_exit;
    }

    if (then_exec != NULL) {
        cpu_set_t all, here;
        char list[1024] = "";
        if (sched_getaffinity(0, sizeof all, &all) != 0) {
            die("sched_getaffinity");
        }
        for (int c = 0, len = 0; c < CPU_SETSIZE && len < (int) sizeof list - 8; c++) {
            if (CPU_ISSET(c, &all)) {
                len += snprintf(list + len, sizeof list - (size_t) len, "%s%d", len > 0 ? "," : "", c);
            }
        }
        char *next[argc + 3];
        int n = 0;
        next[n++] = (char *) then_exec;
        for (int i = 1; i < argc; i += 2) {
            if (strcmp(argv[i], "--then-exec") != 0 && strcmp(argv[i], "--cpus") != 0) {
                next[n++] = argv[i];
                next[n++] = argv[i + 1];
            }
        }
        next[n++] = "--cpus";
        next[n++] = cpus != NULL ? (char *) cpus : list;
        next[n] = NULL;
        CPU_ZERO(&here);
        CPU_SET(sched_getcpu(), &here);
        if (sched_setaffinity(0, sizeof here, &here) != 0) {
            die("sched_setaffinity");
        }
        struct sched_truth now = read_truth();
        out("launch pid=%d schedstat_ns=%lld pcount=%lld cputime_ns=%lld\n", (int) getpid(), now.schedstat_ns,
            now.pcount, now.cputime_ns);
        execv(then_exec, next);
        die("execv");
    }

    if (cpus != NULL && cpu < 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (const char *p = cpus; *p != '\0';) {
            char *end;
            long c = strtol(p, &end, 10);
            if (end == p || c < 0 || c >= CPU_SETSIZE) {
                errno = EINVAL;
                die("--cpus");
            }
            CPU_SET((int) c, &set);
            p = *end == ',' ? end + 1 : end;
        }
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            die("sched_setaffinity(--cpus)");
        }
    }
    out("ready pid=%d\n", (int) getpid());
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            die("sched_setaffinity");
        }
    }

    pthread_t thread;
    int err = pthread_create(&thread, NULL, thread_main, NULL);
    if (err != 0) {
        errno = err;
        die("pthread_create");
    }
    pid_t child = fork();
    if (child < 0) {
        die("fork");
    }
    if (child == 0) {
        struct sched_truth cstart = read_truth();
        burn(cstart.cputime_ns, child_ms);
        report("child", cstart);
        _exit(child_exit);
    }

    burn(thread_cputime_ns(), main_ms);
    err = pthread_join(thread, NULL);
    if (err != 0) {
        errno = err;
        die("pthread_join");
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            die("waitpid");
        }
    }
    if (WIFEXITED(status)) {
        out("child pid=%d status=%d\n", (int) child, WEXITSTATUS(status));
    } else {
        out("child pid=%d signal=%d\n", (int) child, WTERMSIG(status));
    }
    report("main", start);

    char code[16];
    snprintf(code, sizeof code, "%d", final_exit);
    char *const next[] = {argv[0], "--final", code, out_path != NULL ? "--out" : NULL, (char *) out_path, NULL};
    execv(argv[0], next);
    die("execv");
}
