package org.proctap.event;

/**
 * {@code signal:signal_deliver}: task {@code tid} takes signal {@code sig}; {@code saHandler} 0 is
 * SIG_DFL, 1 is SIG_IGN, anything else a user handler. A fatal signal (or a group exit already
 * under way) shows up here as SIGKILL with SIG_DFL.
 */
public record SignalDeliver(long ts, int cpu, int tid, int sig, int errno, int code, long saHandler,
                            long saFlags) implements Event {
}
