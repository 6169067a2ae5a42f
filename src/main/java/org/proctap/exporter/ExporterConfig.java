package org.proctap.exporter;

/**
 * {@code --listen}, {@code --metrics-by} and {@code --max-series}.
 *
 * @param maxSeries label sets at most (each is one series of every metric); past it, see
 *                  {@link SeriesTable}
 */
public record ExporterConfig(ListenAddress listen, MetricsBy by, int maxSeries) {
    /**
     * The default cap. One label set is one series of each of ~16 counters and of the wait
     * histogram's 29 (27 buckets, sum, count): ~45 series, ~4 KB of text. 500 label sets hold
     * 4 process names on each of 128 CPUs, or 500 live threads of one name, in ~22 000 series, a
     * 2 MB scrape. The bound is the launcher's 64 MB heap: a render holds every data point as an
     * object and the text two or three times over, and in bench/soak (--metrics-by pid, 100 000
     * short-lived processes) 2 000 label sets (88 000 series) ran it out at every scrape and
     * 1 000 (44 000) once in 52. One label set per short-lived pid without a cap is how
     * exporters die.
     */
    public static final int DEFAULT_MAX_SERIES = 500;
}
