package org.proctap.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.proctap.metric.Log2Slots;

/** The page as a whole: empty, one CPU, many tasks, text that must not break out of its element, bad input. */
class TimelineWriterTest {

    @Test
    void anEmptyTimelineIsAPageOfIdleLanes() throws IOException {
        String html = TimelineEncodingTest.page(new Timeline(2));
        EmbeddedTimeline e = EmbeddedTimeline.parse(html);
        assertThat(e.header().get("cpus").asInt()).isEqualTo(2);
        assertThat(e.origin()).isZero();
        assertThat(e.header().get("spanNs").asLong()).isZero();
        assertThat(e.slices()).hasSize(2).allSatisfy(l -> assertThat(l).isEmpty());
        assertThat(e.waits()).hasSize(2).allSatisfy(l -> assertThat(l).isEmpty());
        assertThat(e.header().get("tasks").get("tid")).isEmpty();
        assertThat(e.header().get("table").get("columns")).isEmpty();
        assertThat(e.header().get("histograms")).isEmpty();
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n").contains("<title>proctap timeline</title>");
    }

    @Test
    void oneCpu() throws IOException {
        Timeline t = new Timeline(1);
        t.waitMark(0, 7, 1_000, 1_500);
        t.slice(0, 1_500, 2_000, 7, 7, "only", true);
        EmbeddedTimeline e = EmbeddedTimeline.parse(TimelineEncodingTest.page(t));
        assertThat(e.header().get("lanes")).hasSize(1);
        assertThat(e.origin()).isEqualTo(1_000);
        assertThat(e.slices().getFirst()).singleElement().satisfies(s -> assertThat(s).containsExactly(1_500, 2_000, 0));
        assertThat(e.waits().getFirst()).singleElement().satisfies(w -> assertThat(w).containsExactly(1_000, 1_500, 7));
        assertThat(e.task(0)).isEqualTo(new Task(7, 7, "only", true));
    }

    @Test
    void manyTasksGetSmallIdsInTheOrderFirstSeen() throws IOException {
        Timeline t = new Timeline(3);
        for (int i = 0; i < 5_000; i++) {
            t.slice(i % 3, 10L * i, 10L * i + 5, 10_000 + i, 10_000 + i / 10, "t" + i, i % 2 == 0);
        }
        t.slice(0, 60_000, 60_001, 10_000, 10_000, "t0", true); // the same task again: no new entry
        EmbeddedTimeline e = EmbeddedTimeline.parse(TimelineEncodingTest.page(t));
        assertThat(e.header().get("tasks").get("tid")).hasSize(5_000);
        for (int i = 0; i < 5_000; i++) {
            long[] s = e.slices().get(i % 3).get(i / 3);
            assertThat(s[2]).isEqualTo(i);
            assertThat(e.task(s[2])).isEqualTo(new Task(10_000 + i, 10_000 + i / 10, "t" + i, i % 2 == 0));
        }
        assertThat(e.slices().getFirst().getLast()[2]).isZero();
        assertThat(t.slices()).isEqualTo(5_001);
    }

    @Test
    void textCannotEndItsElementAndNothingIsFetched() throws IOException {
        Timeline t = new Timeline(1);
        t.title("run </script><img src=x onerror=alert(1)> & \"q\"");
        t.slice(0, 0, 10, 1, 1, "</script><b>", true);
        t.table(new TaskTable(List.of("process", "</script>"), List.of(Arrays.asList("<i>", null))));
        long[] counts = new long[Log2Slots.COUNT];
        counts[2] = 3;
        t.waitHistogram(new WaitHistogram("</script> waits", counts));
        String html = TimelineEncodingTest.page(t);
        assertThat(html).contains("<title>run &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;</title>");
        assertThat(html.split("</script>", -1)).as("only the page's own script ends").hasSize(1 + 1 + 2 + 1);
        assertThat(html).doesNotContain("<b>", "<i>", "<img");
        EmbeddedTimeline e = EmbeddedTimeline.parse(html);
        assertThat(e.header().get("title").asText()).isEqualTo("run </script><img src=x onerror=alert(1)> & \"q\"");
        assertThat(e.task(0).comm()).isEqualTo("</script><b>");
        assertThat(e.header().get("table").get("rows").get(0).get(1).isNull()).isTrue();
        assertThat(e.header().get("histograms").get(0).get("text").asText()).contains("4 -> 7          : 3 ");
        // self-contained: no URL, no external resource of any kind
        assertThat(html).doesNotContainPattern("(?i)https?:|src=\"|href=|@import|url\\(");
    }

    @Test
    void theCallersStreamStaysOpen() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        TimelineWriter.write(new Timeline(1), out);
        assertThat(closed[0]).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("</html>\n");
    }

    @Test
    void badInputIsOneLineSayingWhere() {
        Timeline t = new Timeline(2);
        t.slice(1, 100, 200, 1, 1, "a", true);
        assertThatThrownBy(() -> t.slice(1, 150, 300, 2, 2, "b", true))
                .hasMessage("cpu 1: slice at 150 starts before the previous one ends at 200");
        assertThatThrownBy(() -> t.slice(0, 300, 299, 2, 2, "b", true))
                .hasMessage("cpu 0: slice 300..299 ends before it starts");
        assertThatThrownBy(() -> t.slice(2, 0, 1, 2, 2, "b", true)).hasMessage("cpu 2 is not one of the timeline's 2");
        t.waitMark(0, 5, 10, 20);
        assertThatThrownBy(() -> t.waitMark(0, 5, 10, 15)).hasMessage("cpu 0: wait ending at 15 comes after one ending at 20");
        assertThatThrownBy(() -> t.waitMark(0, 5, 30, 25)).hasMessage("cpu 0: tid 5 switched in at 25 before its wake-up at 30");
        assertThatThrownBy(() -> new Timeline(0)).hasMessage("a timeline needs at least one CPU, not 0");
        assertThatThrownBy(() -> new TaskTable(List.of("a", "b"), List.of(List.of("x"))))
                .hasMessage("task table row 0 has 1 cells for 2 columns");
        assertThatThrownBy(() -> new TaskTable(List.of("a"), List.of(List.of(new Object()))))
                .hasMessage("task table row 0 column a: a Object, not a string or number");
        assertThatThrownBy(() -> new WaitHistogram("w", new long[3])).hasMessage("wait histogram \"w\" has 3 slots, not 27");
        assertThat(t.slices()).isEqualTo(1);
        assertThat(t.waits()).isEqualTo(1);
    }
}
