/*
 * threads: N threads for bench/proc-cost that do nothing (idle: blocked for good in pause()) or
 * wake every TICK_MS (tick: a nanosleep loop, so each one's schedstat moves between two polls).
 * hop: tick, and for the first HOP_MS move to the next CPU at each tick, then stay on one (thread
 * i on CPU i mod CPUs): each thread has counters on every CPU, and afterwards changes them on one
 * (bench/scale, a watch whose tables have more rows than change).
 *
 *   threads N idle|tick|hop [TICK_MS [HOP_MS]]
 *
 * Prints "ready pid=PID" once every thread exists, then runs until killed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long tick_ms = 50;
static long hop_ms = 10000;
static int cpus = 1;

static void *idle(void *arg) {
    for (;;) {
        pause();
    }
    return arg;
}

static void *tick(void *arg) {
    struct timespec t = {tick_ms / 1000, (tick_ms % 1000) * 1000000L};
    for (;;) {
        nanosleep(&t, NULL);
    }
    return arg;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set); /* (a thread's own: pid 0 is the calling thread) */
}

static void *hop(void *arg) {
    long i = (long) arg;
    struct timespec t = {tick_ms / 1000, (tick_ms % 1000) * 1000000L};
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long n = i;; n++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        pin(ms < hop_ms ? (int) (n % cpus) : (int) (i % cpus));
        nanosleep(&t, NULL);
    }
    return arg;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: threads N idle|tick [TICK_MS]\n");
        return 2;
    }
    long n = atol(argv[1]);
    int ticking = strcmp(argv[2], "tick") == 0;
    int hopping = strcmp(argv[2], "hop") == 0;
    if (argc > 3) {
        tick_ms = atol(argv[3]);
    }
    if (argc > 4) {
        hop_ms = atol(argv[4]);
    }
    cpus = (int) sysconf(_SC_NPROCESSORS_ONLN);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 1; i < n; i++) { /* the main thread is the n-th */
        pthread_t t;
        if (pthread_create(&t, &attr, hopping ? hop : ticking ? tick : idle, (void *) i) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    printf("ready pid=%d\n", (int) getpid());
    fflush(stdout);
    for (;;) {
        pause();
    }
}
