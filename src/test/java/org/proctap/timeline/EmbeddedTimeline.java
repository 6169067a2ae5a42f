package org.proctap.timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The data of a written page read back by the rules timeline.js decodes it with (format 1): the
 * JSON header, then per CPU the base64 slice stream (gap, length, task index as unsigned LEB128,
 * times from the lane's sliceBase) and wait stream (step, length, tid, from its waitBase), with
 * times made absolute again by the header's originNs.
 */
record EmbeddedTimeline(JsonNode header, long origin, List<List<long[]>> slices, List<List<long[]>> waits) {
    private static final Pattern HEADER = Pattern.compile("<script type=\"application/json\" id=\"pt-header\">(.*?)</script>",
            Pattern.DOTALL);

    static EmbeddedTimeline parse(String html) {
        Matcher m = HEADER.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no pt-header in the page");
        }
        JsonNode header;
        try {
            header = new ObjectMapper().readTree(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long origin = Long.parseLong(header.get("originNs").asText());
        List<List<long[]>> slices = new ArrayList<>();
        List<List<long[]>> waits = new ArrayList<>();
        for (JsonNode lane : header.get("lanes")) {
            int cpu = lane.get("cpu").asInt();
            slices.add(records(block(html, "pt-slices-" + cpu), lane.get("slices").asLong(),
                    origin + lane.get("sliceBase").asLong(), true));
            waits.add(records(block(html, "pt-waits-" + cpu), lane.get("waits").asLong(),
                    origin + lane.get("waitBase").asLong(), false));
        }
        return new EmbeddedTimeline(header, origin, slices, waits);
    }

    /** Slices as {start, end, task}; waits as {wake-up, switch-in, tid}. */
    private static List<long[]> records(byte[] bytes, long count, long base, boolean slices) {
        int[] at = {0};
        List<long[]> out = new ArrayList<>();
        long t = base;
        for (long i = 0; i < count; i++) {
            long a = varint(bytes, at);
            long b = varint(bytes, at);
            long c = varint(bytes, at);
            if (slices) {
                long start = t + a;
                t = start + b;
                out.add(new long[] {start, t, c});
            } else {
                t += a;
                out.add(new long[] {t - b, t, c});
            }
        }
        if (at[0] != bytes.length) {
            throw new AssertionError(count + " records used " + at[0] + " of " + bytes.length + " bytes");
        }
        return out;
    }

    static long varint(byte[] b, int[] at) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            if (at[0] >= b.length) {
                throw new AssertionError("a varint runs past the end at byte " + at[0]);
            }
            int x = b[at[0]++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
    }

    static byte[] block(String html, String id) {
        String open = "<script type=\"application/octet-stream\" id=\"" + id + "\">";
        int from = html.indexOf(open);
        if (from < 0) {
            throw new AssertionError("no " + id + " in the page");
        }
        from += open.length();
        return Base64.getDecoder().decode(html.substring(from, html.indexOf("</script>", from)));
    }

    /** The task a slice's index names, from the header's task arrays. */
    Task task(long index) {
        JsonNode t = header.get("tasks");
        int i = (int) index;
        return new Task(t.get("tid").get(i).asInt(), t.get("tgid").get(i).asInt(), t.get("comm").get(i).asText(),
                t.get("watched").get(i).asInt() == 1);
    }
}
