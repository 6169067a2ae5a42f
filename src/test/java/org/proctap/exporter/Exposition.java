package org.proctap.exporter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * A scrape written by the Prometheus client's own writers and read back: each sample as
 * "name{label="value",...}" (labels sorted) to its value, and each family's TYPE.
 */
record Exposition(String text, Map<String, Double> samples, Map<String, String> types) {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( \\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Exposition text(MetricSnapshots snapshots) {
        return parse(write(snapshots, false));
    }

    static Exposition openMetrics(MetricSnapshots snapshots) {
        return parse(write(snapshots, true));
    }

    private static String write(MetricSnapshots snapshots, boolean openMetrics) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (openMetrics) {
                OpenMetricsTextFormatWriter.create().write(out, snapshots);
            } else {
                PrometheusTextFormatWriter.create().write(out, snapshots);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static Exposition parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] w = line.split(" ");
                types.put(w[2], w[3]);
                continue;
            }
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            String key = key(m.group(1), labels);
            if (samples.put(key, Double.parseDouble(m.group(4).replace("+Inf", "Infinity"))) != null) {
                throw new AssertionError("sample twice: " + key);
            }
        }
        return new Exposition(text, samples, types);
    }

    static String key(String name, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        return sb.append('}').toString();
    }

    /** The value of one sample; labels as name, value pairs. */
    Double get(String name, String... labels) {
        Map<String, String> l = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return samples.get(key(name, l));
    }

    /** Every sample name (without labels). */
    List<String> names() {
        return samples.keySet().stream().map(k -> k.substring(0, k.indexOf('{'))).distinct().toList();
    }
}
