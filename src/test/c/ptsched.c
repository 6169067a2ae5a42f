/*
 * ptsched: threads whose time goes where the tests expect, for the "where the time went"
 * integration tests. Each role is one thread:
 *
 *   spin-a, spin-b  CPU-bound, both pinned to CPU 0: each waits about as long as it runs and is
 *                   preempted by the tick
 *   sleeper         0.2 ms of CPU, then a 2 ms nanosleep, in a loop (voluntary switches, sleep)
 *   io              a 4 KB pwrite and an fdatasync of a file under DIR, in a loop (state D)
 *   mover           pins itself to the other CPU, then 0.5 ms of CPU, in a loop (migrations)
 *   udp             sends a datagram to its own loopback socket and reads it back, in a loop
 *
 *   ptsched --ms M --dir DIR
 *
 * Prints, with write(2):
 *
 *   ready pid=PID               once the threads exist; they start when "go" arrives on stdin
 *   thread role=R tid=TID       once per thread
 *   span role=R tid=TID start=S ns=N
 *                               once per thread: CLOCK_MONOTONIC at its go (S) and from then to
 *                               its last loop (N)
 *   syscalls role=io tid=TID wall=W cpu=C reads=N read_off=R
 *                               once, from the io thread: CLOCK_MONOTONIC (W) and its own
 *                               CLOCK_THREAD_CPUTIME_ID (C) spent inside N windows around
 *                               pwrite+fdatasync, and R, the median of W - C over a window of
 *                               the same clock reads around nothing: W - C - N * R is its time
 *                               off the CPU in the syscalls. (Each window's wall time holds part
 *                               of its two thread-clock reads, which are system calls: the
 *                               kernel charges them, and a tracer at each charge makes them
 *                               slower, but they are not in the window's C.)
 *   done threads=N              once every thread finished its M ms and is about to block
 *
 * and then blocks until killed, with every thread blocked for good in pause(), so that whoever
 * reads /proc/PID/task/TID/{schedstat,status,sched} afterwards reads final values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROLES 6
static const char *roles[ROLES] = {"spin-a", "spin-b", "sleeper", "io", "mover", "udp"};
static long run_ms = 1500;
static const char *dir = ".";
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int started, go, finished;
/* the io thread's windows around nothing (see "syscalls" above) */
#define MAX_READS 200000
static long long read_off[MAX_READS];
static long reads;

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

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
    fprintf(stderr, "ptsched: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long long now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Burns about us of this thread's CPU time. */
static void burn(long us) {
    long long until = now_ns(CLOCK_THREAD_CPUTIME_ID) + us * 1000LL;
    volatile unsigned long x = 0;
    while (now_ns(CLOCK_THREAD_CPUTIME_ID) < until) {
        for (int i = 0; i < 2000; i++) {
            x += (unsigned long) i * 2654435761u;
        }
    }
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        die("sched_setaffinity");
    }
}

static void *role(void *arg) {
    int r = (int) (long) arg;
    int tid = (int) syscall(SYS_gettid);
    int fd = -1, sock = -1;
    struct sockaddr_in self = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (r == 0 || r == 1) {
        pin(0);
    } else if (r == 3) {
        char path[4096];
        snprintf(path, sizeof path, "%s/ptsched-%d.io", dir, tid);
        fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
        if (fd < 0) {
            die(path);
        }
        unlink(path);
    } else if (r == 5) {
        sock = socket(AF_INET, SOCK_DGRAM, 0);
        socklen_t len = sizeof self;
        if (sock < 0 || bind(sock, (struct sockaddr *) &self, sizeof self) != 0
                || getsockname(sock, (struct sockaddr *) &self, &len) != 0) {
            die("udp socket");
        }
    }
    out("thread role=%s tid=%d\n", roles[r], tid);
    pthread_mutex_lock(&lock);
    started++;
    pthread_cond_broadcast(&cond);
    while (!go) {
        pthread_cond_wait(&cond, &lock);
    }
    pthread_mutex_unlock(&lock);

    long long start = now_ns(CLOCK_MONOTONIC);
    long long end = start + run_ms * 1000000LL;
    char block[4096];
    memset(block, 'p', sizeof block);
    int cpu = 1;
    long long last = start;
    long long io_wall = 0, io_cpu = 0;
    while ((last = now_ns(CLOCK_MONOTONIC)) < end) {
        switch (r) {
        case 0:
        case 1:
            burn(1000);
            break;
        case 2: {
            burn(200);
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
            break;
        }
        case 3: {
            long long wall = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
            if (pwrite(fd, block, sizeof block, 0) != (ssize_t) sizeof block || fdatasync(fd) != 0) {
                die("pwrite/fdatasync");
            }
            io_cpu += now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
            io_wall += now_ns(CLOCK_MONOTONIC) - wall;
            long long w = now_ns(CLOCK_MONOTONIC), c = now_ns(CLOCK_THREAD_CPUTIME_ID);
            long long c1 = now_ns(CLOCK_THREAD_CPUTIME_ID), w1 = now_ns(CLOCK_MONOTONIC);
            if (reads < MAX_READS) {
                read_off[reads] = (w1 - w) - (c1 - c);
            }
            reads++;
            break;
        }
        case 4:
            pin(cpu);
            cpu ^= 1;
            burn(500);
            break;
        case 5:
            if (sendto(sock, block, 1024, 0, (struct sockaddr *) &self, sizeof self) != 1024
                    || recv(sock, block, sizeof block, 0) != 1024) {
                die("udp");
            }
            break;
        }
    }
    if (r == 3) {
        long n = reads < MAX_READS ? reads : MAX_READS;
        qsort(read_off, n, sizeof read_off[0], by_value);
        out("syscalls role=io tid=%d wall=%lld cpu=%lld reads=%ld read_off=%lld\n", tid, io_wall, io_cpu, reads,
            n > 0 ? read_off[n / 2] : 0LL);
    }
    out("span role=%s tid=%d start=%lld ns=%lld\n", roles[r], tid, start, last - start);
    pthread_mutex_lock(&lock);
    finished++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (;;) {
        pause();
    }
    return NULL;
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ms") == 0) {
            run_ms = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--dir") == 0) {
            dir = argv[i + 1];
        } else {
            fprintf(stderr, "usage: ptsched --ms M --dir DIR\n");
            return 2;
        }
    }
    pthread_t t[ROLES];
    for (long r = 0; r < ROLES; r++) {
        if (pthread_create(&t[r], NULL, role, (void *) r) != 0) {
            die("pthread_create");
        }
    }
    pthread_mutex_lock(&lock);
    while (started < ROLES) {
        pthread_cond_wait(&cond, &lock);
    }
    pthread_mutex_unlock(&lock);
    out("ready pid=%d\n", (int) getpid());
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) {
        return 1;
    }
    pthread_mutex_lock(&lock);
    go = 1;
    pthread_cond_broadcast(&cond);
    while (finished < ROLES) {
        pthread_cond_wait(&cond, &lock);
    }
    pthread_mutex_unlock(&lock);
    out("done threads=%d\n", ROLES);
    for (;;) {
        pause();
    }
}
