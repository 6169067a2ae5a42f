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
     * histogram's 29 (27 buckets, sum, count): ~45 series, ~4 KB of text. 1 000 label sets hold
     * 7 process names on each of 128 CPUs, or 1 000 live threads of one name, in ~45 000 series,
     * a 4 MB scrape that the launcher's 64 MB heap renders beside the watch (2 000 label sets,
     * 88 000 series, 7.6 MB, ran it out: bench/soak); on the Prometheus side, within the
     * sample_limit one puts on a large target. One label set per short-lived pid without a cap is
     * how exporters die.
     */
    public static final int DEFAULT_MAX_SERIES = 1000;

    /** How often the source snapshots for the exporter when the tables are rarer: 1 s. */
    public static final long PERIOD_NS = 1_000_000_000L;
}
