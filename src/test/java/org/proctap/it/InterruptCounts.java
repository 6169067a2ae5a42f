package org.proctap.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernel's own interrupt counts, per CPU: /proc/softirqs (one line per softirq vector, counted
 * by kstat_incr_softirqs_this_cpu() just before softirq_entry fires, kernel/softirq.c) and the
 * numbered lines of /proc/interrupts (device irqs, counted once per interrupt by the flow handler,
 * kernel/irq/chip.c; irq_handler_entry fires once per handler, the same number for an irq that no
 * two devices share). The named lines of /proc/interrupts (LOC, RES, CAL, ...) are APIC vectors,
 * which fire no irq_handler_entry.
 */
record InterruptCounts(Map<String, long[]> softirqs, long[] deviceIrqs) {

    static InterruptCounts read() {
        try {
            return new InterruptCounts(parseSoftirqs(Files.readString(Path.of("/proc/softirqs"))),
                    parseDeviceIrqs(Files.readString(Path.of("/proc/interrupts"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code this - earlier}, per line and CPU. */
    InterruptCounts minus(InterruptCounts earlier) {
        Map<String, long[]> soft = new LinkedHashMap<>();
        softirqs.forEach((name, v) -> soft.put(name, diff(v, earlier.softirqs.get(name))));
        return new InterruptCounts(soft, diff(deviceIrqs, earlier.deviceIrqs));
    }

    long softirq(String name, int cpu) {
        long[] v = softirqs.get(name);
        return v == null || cpu >= v.length ? 0 : v[cpu];
    }

    long deviceIrqs(int cpu) {
        return cpu < deviceIrqs.length ? deviceIrqs[cpu] : 0;
    }

    private static long[] diff(long[] now, long[] before) {
        long[] d = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            d[i] = now[i] - (before != null && i < before.length ? before[i] : 0);
        }
        return d;
    }

    /** Column i of the header is CPU cpuOfColumn[i] (offline CPUs have no column). */
    private static int[] cpus(String header) {
        String[] h = header.strip().split("\\s+");
        int[] cpu = new int[h.length];
        for (int i = 0; i < h.length; i++) {
            if (!h[i].startsWith("CPU")) {
                throw new IllegalArgumentException("not a header of CPUs: " + header);
            }
            cpu[i] = Integer.parseInt(h[i].substring(3));
        }
        return cpu;
    }

    private static long[] row(String[] fields, int[] cpus) {
        int max = 0;
        for (int c : cpus) {
            max = Math.max(max, c);
        }
        long[] v = new long[max + 1];
        for (int i = 0; i < cpus.length && i + 1 < fields.length; i++) {
            v[cpus[i]] = Long.parseLong(fields[i + 1]);
        }
        return v;
    }

    static Map<String, long[]> parseSoftirqs(String text) {
        String[] lines = text.split("\n");
        int[] cpus = cpus(lines[0]);
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].strip().split("\\s+");
            if (f.length > 1 && f[0].endsWith(":")) {
                out.put(f[0].substring(0, f[0].length() - 1), row(f, cpus));
            }
        }
        return out;
    }

    /** The sum of the numbered lines, per CPU. */
    static long[] parseDeviceIrqs(String text) {
        String[] lines = text.split("\n");
        int[] cpus = cpus(lines[0]);
        long[] sum = row(new String[0], cpus);
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].strip().split("\\s+");
            if (f.length > cpus.length && f[0].matches("\\d+:")) {
                long[] r = row(f, cpus);
                for (int c = 0; c < sum.length; c++) {
                    sum[c] += r[c];
                }
            }
        }
        return sum;
    }
}
