/*
 * ptslices: one thread whose on-CPU slices have a known length, for the --hist integration test.
 * The burner pins itself to the last CPU and runs SCHED_FIFO (so that no fair-class task can cut
 * a slice short), then, LOOPS times, burns BURN_US of its own CPU time (CLOCK_THREAD_CPUTIME_ID)
 * and sleeps SLEEP_US: each loop is one slice of a little more than BURN_US, one switch-in and
 * one run-queue wait.
 *
 *   ptslices --loops N --burn-us B --sleep-us S
 *
 * Prints, with write(2):
 *
 *   ready pid=PID tid=TID fifo=0|1   once the burner exists; it starts when "go" arrives on stdin
 *   done loops=N                     once the burner finished and is about to block for good
 *
 * and then blocks until killed, the burner in pause(), so that /proc/PID/task/TID/schedstat
 * read afterwards holds its final values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long loops = 200, burn_us = 3000, sleep_us = 5000;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready, go, fifo;
static long tid;

static long long thread_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *burner(void *arg) {
    (void) arg;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(ncpu - 1, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("ptslices: sched_setaffinity");
        exit(1);
    }
    struct sched_param sp = {.sched_priority = 10};
    fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
    pthread_mutex_lock(&lock);
    tid = syscall(SYS_gettid);
    ready = 1;
    pthread_cond_broadcast(&cond);
    while (!go) {
        pthread_cond_wait(&cond, &lock);
    }
    pthread_mutex_unlock(&lock);
    struct timespec nap = {.tv_sec = sleep_us / 1000000, .tv_nsec = (sleep_us % 1000000) * 1000};
    for (long i = 0; i < loops; i++) {
        long long until = thread_ns() + burn_us * 1000LL;
        while (thread_ns() < until) {
        }
        nanosleep(&nap, NULL);
    }
    char buf[64];
    int n = snprintf(buf, sizeof buf, "done loops=%ld\n", loops);
    if (write(STDOUT_FILENO, buf, (size_t) n) < 0) {
        exit(1);
    }
    for (;;) {
        pause();
    }
    return NULL;
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--loops")) {
            loops = atol(argv[i + 1]);
        } else if (!strcmp(argv[i], "--burn-us")) {
            burn_us = atol(argv[i + 1]);
        } else if (!strcmp(argv[i], "--sleep-us")) {
            sleep_us = atol(argv[i + 1]);
        } else {
            fprintf(stderr, "usage: ptslices --loops N --burn-us B --sleep-us S\n");
            return 2;
        }
    }
    pthread_t t;
    if (pthread_create(&t, NULL, burner, NULL) != 0) {
        perror("ptslices: pthread_create");
        return 1;
    }
    pthread_mutex_lock(&lock);
    while (!ready) {
        pthread_cond_wait(&cond, &lock);
    }
    pthread_mutex_unlock(&lock);
    printf("ready pid=%d tid=%ld fifo=%d\n", getpid(), tid, fifo);
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin) || strncmp(line, "go", 2) != 0) {
        return 1;
    }
    pthread_mutex_lock(&lock);
    go = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (;;) {
        pause();
    }
}
