package org.proctap.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU numbering: per-CPU buffers and maps exist for every possible CPU, online or not. */
public final class Cpus {
    private Cpus() {
    }

    /** Number of possible CPUs (highest possible CPU id + 1), from /sys/devices/system/cpu/possible. */
    public static int possible() {
        try {
            return parseRangeMax(Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip()) + 1;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** "0-3,5,7-8" → 8. */
    static int parseRangeMax(String list) {
        int max = 0;
        for (String part : list.split(",")) {
            String[] range = part.split("-");
            max = Math.max(max, Integer.parseInt(range[range.length - 1].strip()));
        }
        return max;
    }
}
