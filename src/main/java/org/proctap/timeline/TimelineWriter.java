package org.proctap.timeline;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes a {@link Timeline} as one self-contained HTML page: the template, style and scripts from
 * this package's resources inlined (nothing fetched, so it works from file://), a JSON header
 * ({@code <script type="application/json" id="pt-header">}: format, origin, tasks, lanes, table,
 * histograms) and per CPU two base64 blocks ({@code pt-slices-N}, {@code pt-waits-N}) holding the
 * lane's varint streams as {@link Lane} lays them out. Times in the header are nanoseconds from the
 * origin (the earliest slice or wait), which the page keeps as doubles: exact up to 2^53 ns, 104
 * days. The streams are base64-encoded on the way out, never copied whole.
 */
public final class TimelineWriter {
    /** The version of the embedded encoding; the page refuses any other. */
    public static final int FORMAT = 1;
    private static final String RESOURCES = "/org/proctap/timeline/";
    private static final long MAX_SPAN_NS = 1L << 53;
    /**
     * The page's script, one concern a file, run in this order in one function scope (a page from
     * file:// cannot load modules from neighbouring files, and there are none: it is one file).
     */
    private static final List<String> SCRIPTS = List.of("data.js", "levels.js", "colours.js", "units.js",
            "columns.js", "canvas.js", "navigate.js", "hover.js", "panels.js", "main.js");

    private TimelineWriter() {
    }

    /** Writes the page to {@code out}, which is flushed, not closed. */
    public static void write(Timeline timeline, OutputStream out) throws IOException {
        long origin = timeline.originNs();
        long span = timeline.endNs() - origin;
        if (span >= MAX_SPAN_NS) {
            throw new IllegalArgumentException("timeline spans " + span + " ns, more than a page can hold exactly (2^53)");
        }
        String template = resource("timeline.html");
        OutputStream o = new BufferedOutputStream(out, 1 << 16); // flushed at the end, never closed
        int at = 0;
        for (String marker : List.of("@TITLE@", "/*@STYLE@*/", "<!--@DATA@-->", "/*@SCRIPT@*/")) {
            int next = template.indexOf(marker, at);
            if (next < 0) {
                throw new IllegalStateException("timeline.html has no " + marker + " after offset " + at);
            }
            text(o, template.substring(at, next));
            switch (marker) {
                case "@TITLE@" -> text(o, escapeHtml(timeline.title()));
                case "/*@STYLE@*/" -> text(o, resource("timeline.css"));
                case "<!--@DATA@-->" -> data(o, timeline, origin, span);
                default -> script(o);
            }
            at = next + marker.length();
        }
        text(o, template.substring(at));
        o.flush();
    }

    private static void script(OutputStream o) throws IOException {
        text(o, "(function () {\n'use strict';\n");
        for (String name : SCRIPTS) {
            text(o, "\n// ---- " + name + "\n");
            text(o, resource(name));
        }
        text(o, "})();\n");
    }

    private static void data(OutputStream o, Timeline t, long origin, long span) throws IOException {
        text(o, "<script type=\"application/json\" id=\"pt-header\">");
        // '<' only occurs inside JSON strings, where \u003c is the same character: no "</script>" in the page
        text(o, header(t, origin, span).replace("<", "\\u003c"));
        text(o, "</script>\n");
        for (int cpu = 0; cpu < t.cpus(); cpu++) {
            Lane lane = t.lane(cpu);
            block(o, "pt-slices-" + cpu, lane.slices);
            block(o, "pt-waits-" + cpu, lane.waits);
        }
    }

    private static void block(OutputStream o, String id, VarintBuffer bytes) throws IOException {
        text(o, "<script type=\"application/octet-stream\" id=\"" + id + "\">");
        OutputStream b64 = Base64.getEncoder().wrap(new FilterOutputStream(o) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                o.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                // the encoder's close writes the padding; the page goes on
            }
        });
        bytes.writeTo(b64);
        b64.close();
        text(o, "</script>\n");
    }

    static String header(Timeline t, long origin, long span) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode h = json.createObjectNode();
        h.put("format", FORMAT);
        h.put("title", t.title());
        h.put("originNs", Long.toString(origin)); // a string: uptimes past 104 days exceed a double's integers
        h.put("spanNs", span);
        h.put("cpus", t.cpus());
        ObjectNode tasks = h.putObject("tasks");
        ArrayNode tid = tasks.putArray("tid");
        ArrayNode tgid = tasks.putArray("tgid");
        ArrayNode comm = tasks.putArray("comm");
        ArrayNode watched = tasks.putArray("watched");
        for (Task task : t.tasks()) {
            tid.add(task.tid());
            tgid.add(task.tgid());
            comm.add(task.comm());
            watched.add(task.watched() ? 1 : 0);
        }
        ArrayNode lanes = h.putArray("lanes");
        for (int cpu = 0; cpu < t.cpus(); cpu++) {
            Lane l = t.lane(cpu);
            ObjectNode n = lanes.addObject();
            n.put("cpu", cpu);
            n.put("slices", l.sliceCount);
            n.put("sliceBase", l.sliceCount == 0 ? 0 : l.sliceBase - origin);
            n.put("waits", l.waitCount);
            n.put("waitBase", l.waitCount == 0 ? 0 : l.waitBase - origin);
        }
        ObjectNode table = h.putObject("table");
        table.set("columns", json.valueToTree(t.table().columns()));
        table.set("rows", json.valueToTree(t.table().rows()));
        ArrayNode hists = h.putArray("histograms");
        for (WaitHistogram w : t.histograms()) {
            ObjectNode n = hists.addObject();
            n.put("title", w.title());
            n.put("text", w.text());
            n.set("counts", json.valueToTree(w.counts()));
        }
        try {
            return json.writeValueAsString(h);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void text(OutputStream o, String s) throws IOException {
        o.write(s.getBytes(StandardCharsets.UTF_8));
    }

    static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String resource(String name) {
        try (InputStream in = TimelineWriter.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("proctap.jar lacks " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
