/*
 * threads: N threads for bench/proc-cost that do nothing (idle: blocked for good in pause()) or
 * wake every TICK_MS (tick: a nanosleep loop, so each one's schedstat moves between two polls).
 *
 *   threads N idle|tick [TICK_MS]
 *
 * Prints "ready pid=PID" once every thread exists, then runs until killed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long tick_ms = 50;

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

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: threads N idle|tick [TICK_MS]\n");
        return 2;
    }
    long n = atol(argv[1]);
    int ticking = strcmp(argv[2], "tick") == 0;
    if (argc > 3) {
        tick_ms = atol(argv[3]);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 1; i < n; i++) { /* the main thread is the n-th */
        pthread_t t;
        if (pthread_create(&t, &attr, ticking ? tick : idle, NULL) != 0) {
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
