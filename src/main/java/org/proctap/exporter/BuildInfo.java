package org.proctap.exporter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * proctap's version and commit as the build wrote them (build.properties; the commit is what
 * {@code -Dproctap.commit=} gave the build, as ./proctap does, else "unknown").
 */
public final class BuildInfo {
    public static final String VERSION;
    public static final String COMMIT;

    static {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        VERSION = p.getProperty("version", "unknown");
        COMMIT = p.getProperty("commit", "unknown");
    }

    private BuildInfo() {
    }
}
