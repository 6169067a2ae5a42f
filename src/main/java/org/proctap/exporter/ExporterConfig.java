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
     * histogram's 29 (27 buckets, sum, count): ~45 series. 2 000 label sets hold 15 process names
     * on each of 128 CPUs, or 2 000 live threads of one name; they make at most ~90 000 series,
     * about the sample_limit one puts on a large target, which a Prometheus server holds in a few
     * hundred MB. One label set per short-lived pid without a cap is how exporters die.
     */
    public static final int DEFAULT_MAX_SERIES = 2000;

    /** How often the source snapshots for the exporter when the tables are rarer: 1 s. */
    public static final long PERIOD_NS = 1_000_000_000L;
}
