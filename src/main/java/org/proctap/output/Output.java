package org.proctap.output;

import org.proctap.report.IntervalReport;
import org.proctap.report.Report;

/** Where proctap's results go: text for people (the seed's layout) or JSON Lines for programs. */
public interface Output {
    void start(StartInfo info);

    void report(Report report);

    void interval(IntervalReport interval);

    /** The last line ("Bye..."). */
    void bye();

    /** What proctap watches and how, for the first line. */
    record StartInfo(long ts, String mode, String target, java.util.List<Integer> pids, java.util.List<String> command,
                     String backend, double intervalSeconds, boolean cumulative) {
    }
}
