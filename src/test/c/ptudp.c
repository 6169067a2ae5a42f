/*
 * ptudp: a thread that sends datagrams to its own loopback UDP socket and reads each back, for
 * the interrupt integration test. On loopback the receive side runs as a NET_RX softirq raised
 * by the send (loopback_xmit() -> netif_rx()), normally at the local_bh_enable() that ends the
 * send on the sender's CPU, in its context (kernel/softirq.c, net/core/dev.c).
 *
 *   ptudp --ms M --cpu C
 *
 * Pins itself to CPU C, prints "ready pid=PID tid=TID" and waits for a line on stdin; then
 * loops for M ms, and prints
 *
 *   span tid=TID start=S ns=N sent=K   CLOCK_MONOTONIC at the start (S), the loop's length (N),
 *                                      datagrams sent and received (K)
 *   done
 *
 * and then blocks in pause() until killed, so that its /proc figures no longer move.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void out(const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0 && write(STDOUT_FILENO, buf, (size_t) n) != n) {
        exit(1);
    }
}

static void die(const char *what) {
    fprintf(stderr, "ptudp: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    long ms = 1000;
    int cpu = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ms") == 0) {
            ms = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--cpu") == 0) {
            cpu = atoi(argv[i + 1]);
        } else {
            fprintf(stderr, "usage: ptudp --ms M --cpu C\n");
            return 2;
        }
    }
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            die("sched_setaffinity");
        }
    }
    struct sockaddr_in self = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof self;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0 || bind(sock, (struct sockaddr *) &self, sizeof self) != 0
            || getsockname(sock, (struct sockaddr *) &self, &len) != 0) {
        die("udp socket");
    }
    int tid = (int) syscall(SYS_gettid);
    out("ready pid=%d tid=%d\n", (int) getpid(), tid);
    char line[64];
    if (read(STDIN_FILENO, line, sizeof line) <= 0) {
        die("waiting for go");
    }
    char block[1024];
    memset(block, 'u', sizeof block);
    long long start = now_ns(), end = start + ms * 1000000LL, last = start;
    long sent = 0;
    while ((last = now_ns()) < end) {
        if (sendto(sock, block, sizeof block, 0, (struct sockaddr *) &self, sizeof self) != (ssize_t) sizeof block
                || recv(sock, block, sizeof block, 0) != (ssize_t) sizeof block) {
            die("udp");
        }
        sent++;
    }
    out("span tid=%d start=%lld ns=%lld sent=%ld\ndone\n", tid, start, last - start, sent);
    for (;;) {
        pause();
    }
}
