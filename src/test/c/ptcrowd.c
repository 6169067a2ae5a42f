/*
 * ptcrowd: a crowd of threads for the integration tests. N threads each alternate short CPU
 * bursts with sub-millisecond sleeps until each has used its CPU budget, on every CPU the
 * process may use; then every thread blocks for good, so its kernel figures stop moving and
 * whoever reads /proc/PID/task/TID/schedstat afterwards reads final values.
 *
 *   ptcrowd --threads N --cpu-ms C [--burst-us B] [--sleep-us-max S] [--seed X]
 *
 * Bursts are about B us of CPU (default 100; a loop calibrated once, so that a thread reads its
 * CLOCK_THREAD_CPUTIME_ID once per burst to check its budget); each sleep is a
 * pseudo-random nanosleep of 20..S us (default 800), so wake-ups land on idle and busy CPUs
 * alike, and threads are preempted as well as switched out to sleep. Prints, with write(2):
 *
 *   ready pid=PID          once, before any thread starts
 *   thread tid=TID         once per thread, when it starts
 *   done threads=N         once every thread used its budget and is about to block
 *
 * and then blocks until killed. The threads start only after "go" arrives on stdin (any line),
 * so a tracer can be attached to the process first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long threads = 200, cpu_ms = 40, burst_us = 100, sleep_us_max = 800;
static unsigned long seed = 1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static long finished;
/* loop iterations that take burst_us of CPU, measured once before the threads start */
static long spins_per_burst;

static void out(const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, (size_t) n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        p += w;
        n -= (int) w;
    }
}

static void die(const char *what) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "ptcrowd: %s: %s\n", what, strerror(errno));
    (void) !write(STDERR_FILENO, buf, (size_t) n);
    _exit(100);
}

static long long thread_cputime_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        die("clock_gettime");
    }
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *worker(void *arg) {
    unsigned long r = seed * 6364136223846793005UL + (unsigned long) (long) arg * 1442695040888963407UL;
    out("thread tid=%d\n", (int) syscall(SYS_gettid));
    long long start = thread_cputime_ns();
    long long goal = start + cpu_ms * 1000000LL;
    volatile unsigned long sink = 0;
    for (;;) {
        long long now = thread_cputime_ns();
        if (now >= goal) {
            break;
        }
        for (long i = 0; i < spins_per_burst; i++) {
            sink += (unsigned long) i * 2654435761UL;
        }
        r = r * 6364136223846793005UL + 1442695040888963407UL;
        long us = 20 + (long) ((r >> 33) % (unsigned long) (sleep_us_max > 20 ? sleep_us_max - 19 : 1));
        struct timespec ts = {0, us * 1000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
    pthread_mutex_lock(&lock);
    if (++finished == threads) {
        pthread_cond_signal(&all_done);
    }
    pthread_mutex_unlock(&lock);
    for (;;) {
        pause();
    }
    return NULL;
}

static long num(const char *opt, const char *value) {
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || *value == '\0' || *end != '\0' || v < 0) {
        char buf[160];
        int n = snprintf(buf, sizeof buf, "ptcrowd: %s needs a number >= 0, not '%s'\n", opt, value);
        (void) !write(STDERR_FILENO, buf, (size_t) n);
        _exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--threads") == 0) {
            threads = num(argv[i], argv[i + 1]);
        } else if (strcmp(argv[i], "--cpu-ms") == 0) {
            cpu_ms = num(argv[i], argv[i + 1]);
        } else if (strcmp(argv[i], "--burst-us") == 0) {
            burst_us = num(argv[i], argv[i + 1]);
        } else if (strcmp(argv[i], "--sleep-us-max") == 0) {
            sleep_us_max = num(argv[i], argv[i + 1]);
        } else if (strcmp(argv[i], "--seed") == 0) {
            seed = (unsigned long) num(argv[i], argv[i + 1]);
        } else {
            char buf[160];
            int n = snprintf(buf, sizeof buf, "ptcrowd: unknown option %s\n", argv[i]);
            (void) !write(STDERR_FILENO, buf, (size_t) n);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        (void) !write(STDERR_FILENO, "ptcrowd: every option needs a value\n", 36);
        return 2;
    }
    out("ready pid=%d\n", (int) getpid());
    char line[64];
    if (read(STDIN_FILENO, line, sizeof line) <= 0) {
        return 0; /* nobody said go */
    }
    /* Calibrate the burst once: each thread then reads its clock once per burst, not in a tight
     * loop (every CLOCK_THREAD_CPUTIME_ID read updates the kernel's runtime accounting). */
    volatile unsigned long sink = 0;
    long long t0 = thread_cputime_ns();
    long calib = 2000000;
    for (long i = 0; i < calib; i++) {
        sink += (unsigned long) i * 2654435761UL;
    }
    long long spent = thread_cputime_ns() - t0;
    spins_per_burst = spent > 0 ? (long) ((double) calib * burst_us * 1000.0 / (double) spent) : calib / 10;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long t = 0; t < threads; t++) {
        pthread_t th;
        int err = pthread_create(&th, &attr, worker, (void *) t);
        if (err != 0) {
            errno = err;
            die("pthread_create");
        }
    }
    pthread_mutex_lock(&lock);
    while (finished < threads) {
        pthread_cond_wait(&all_done, &lock);
    }
    pthread_mutex_unlock(&lock);
    out("done threads=%ld\n", threads);
    for (;;) {
        pause();
    }
}
