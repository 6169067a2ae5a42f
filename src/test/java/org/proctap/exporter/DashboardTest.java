package org.proctap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** docs/grafana/proctap-dashboard.json is JSON, and asks only for what the exporter exports. */
class DashboardTest {
    static final Path DASHBOARD = Path.of("docs/grafana/proctap-dashboard.json");
    private static final Pattern NAME = Pattern.compile("proctap_[a-z_]+");

    @Test
    void everyMetricItQueriesIsExported() throws IOException {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        collect(d, queries);
        assertThat(queries).as("queries in the dashboard").hasSizeGreaterThan(10);
        List<String> used = new ArrayList<>();
        for (String q : queries) {
            Matcher m = NAME.matcher(q);
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertThat(used).contains("proctap_oncpu_seconds_total", "proctap_wait_seconds_total",
                "proctap_wait_duration_seconds_bucket");
        assertThat(FrameCollector.exportedNames()).containsAll(used);
    }

    @Test
    void aRowPerProcessNameAndAWaitHeatmapPerCpu() throws IOException {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<JsonNode> panels = new ArrayList<>();
        d.path("panels").forEach(panels::add);
        assertThat(panels).anySatisfy(p -> {
            assertThat(p.path("type").asText()).isEqualTo("row");
            assertThat(p.path("repeat").asText()).isEqualTo("comm");
        });
        assertThat(panels).anySatisfy(p -> {
            assertThat(p.path("type").asText()).isEqualTo("heatmap");
            assertThat(p.path("repeat").asText()).isEqualTo("cpu");
            assertThat(p.path("targets").get(0).path("expr").asText()).contains("proctap_wait_duration_seconds_bucket");
        });
    }

    /** Every "expr" of a target and every variable's query, anywhere in the tree. */
    private static void collect(JsonNode n, List<String> into) {
        if (n.isObject()) {
            n.properties().forEach(e -> {
                if ((e.getKey().equals("expr") || e.getKey().equals("query") || e.getKey().equals("definition"))
                        && e.getValue().isTextual()) {
                    into.add(e.getValue().asText());
                } else {
                    collect(e.getValue(), into);
                }
            });
        } else if (n.isArray()) {
            n.forEach(x -> collect(x, into));
        }
    }
}
