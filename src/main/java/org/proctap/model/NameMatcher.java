package org.proctap.model;

import java.util.regex.Pattern;

/**
 * How NAME selects processes: as a substring of the process name (the seed's behaviour), the whole
 * name, or a regular expression found anywhere in it. Process names are kernel comms: at most 15
 * bytes, so a longer NAME can only match as a prefix (see {@link #of}).
 */
public sealed interface NameMatcher {
    int COMM_LEN = 15;

    boolean matches(String comm);

    /** How the kernel could pre-filter on comm with a glob, or null when it can't express this. */
    String kernelGlob();

    String describe();

    public static NameMatcher of(String name, boolean exact, boolean regex) {
        if (regex) {
            return new Regex(Pattern.compile(name));
        }
        // A comm is truncated to 15 bytes: "my-long-process-name" runs as "my-long-process".
        String truncated = name.length() > COMM_LEN ? name.substring(0, COMM_LEN) : name;
        return exact ? new Exact(truncated) : new Substring(truncated);
    }

    record Substring(String needle) implements NameMatcher {
        @Override
        public boolean matches(String comm) {
            return comm != null && comm.contains(needle);
        }

        @Override
        public String kernelGlob() {
            return needle.matches("[^*?\\[\\]\"\\\\]*") ? "*" + needle + "*" : null;
        }

        @Override
        public String describe() {
            return needle;
        }
    }

    record Exact(String name) implements NameMatcher {
        @Override
        public boolean matches(String comm) {
            return name.equals(comm);
        }

        @Override
        public String kernelGlob() {
            return name.matches("[^*?\\[\\]\"\\\\]*") ? name : null;
        }

        @Override
        public String describe() {
            return name;
        }
    }

    record Regex(Pattern pattern) implements NameMatcher {
        @Override
        public boolean matches(String comm) {
            return comm != null && pattern.matcher(comm).find();
        }

        @Override
        public String kernelGlob() {
            return null;
        }

        @Override
        public String describe() {
            return pattern.pattern();
        }
    }
}
