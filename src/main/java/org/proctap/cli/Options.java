package org.proctap.cli;

import java.util.List;

import org.proctap.metric.Metric;
import org.proctap.model.TargetSpec;
import org.proctap.source.Backend;

/** The parsed command line. */
record Options(TargetSpec target, double intervalSeconds, boolean cumulative, boolean seedFormat, boolean json,
               Backend backend, List<Metric> columns, boolean perProcess, List<Metric> histograms, Mode mode,
               java.nio.file.Path file, boolean partial, Export export,
               org.proctap.exporter.ExporterConfig exporter, boolean quiet, double pollHz, Integer nice) {

    /** Watch live, record to {@code file}, or report {@code file}. */
    enum Mode { WATCH, RECORD, REPORT }

    /** What a report writes on stdout instead of the tables. */
    enum Export { NONE, PERFETTO, HTML }

    long intervalNs() {
        return Math.round(intervalSeconds * 1e9);
    }

    /**
     * record --html: the report of the recording just written, as {@code proctap report --html
     * FILE} makes it.
     */
    Options timelineOfRecording() {
        return new Options(TargetSpec.byPids(List.of(), false), intervalSeconds, false, false, false, Backend.TRACEFS,
                columns, false, histograms, Mode.REPORT, file, false, Export.HTML, null, false, pollHz, null);
    }

    /** --listen given: the exporter's settings, else null. */
    boolean listening() {
        return exporter != null;
    }

    List<String> command() {
        return target.command();
    }
}
