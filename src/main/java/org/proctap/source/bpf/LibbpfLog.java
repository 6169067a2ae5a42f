package org.proctap.source.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Receives libbpf's log (libbpf_set_print) in Java. libbpf formats nothing itself: it hands the
 * callback a printf format and a va_list, which we render with libc vsnprintf. The verifier log
 * of a rejected program arrives this way (libbpf retries a failed BPF_PROG_LOAD with logging
 * and prints the log at WARN level, libbpf.c bpf_object_load_prog), so load errors can carry it.
 *
 * <p>Lines go to two places: the calling thread's {@link Capture}, if one is open (libbpf calls
 * the print function synchronously on the thread that called into it, so a capture sees only
 * its own call's lines), and an optional process-wide sink. DEBUG lines are dropped before
 * formatting unless debug is on ({@code -Dproctap.bpf.debug=true} or {@link #setDebug}); with
 * debug on and no sink set, every line is printed to stderr, as libbpf itself would.
 *
 * <p>The print function is process-wide state of the loaded libbpf; {@link Libbpf} installs it
 * once. An exception must never escape the upcall (it would kill the JVM): all are swallowed.
 */
public final class LibbpfLog {
    /** libbpf's enum libbpf_print_level. */
    public enum Level { WARN, INFO, DEBUG }

    public record Line(Level level, String text) {
    }

    /** The property that turns DEBUG lines on: {@code -Dproctap.bpf.debug=true}. */
    public static final String DEBUG_PROPERTY = "proctap.bpf.debug";

    private static final int CAPTURE_LINES = 200;
    // x86-64 SysV: va_list is __va_list_tag[1] (24 bytes: gp_offset, fp_offset,
    // overflow_arg_area, reg_save_area); va_copy is a plain copy of it.
    private static final long VA_LIST_SIZE = 24;
    private static final long FIRST_TRY = 1024;

    private static final ThreadLocal<Capture> CURRENT = new ThreadLocal<>();
    private static volatile boolean debug = Boolean.getBoolean(DEBUG_PROPERTY);
    private static volatile Consumer<Line> sink;

    private static final MethodHandle VSNPRINTF;

    static {
        Linker linker = Linker.nativeLinker();
        VSNPRINTF = linker.downcallHandle(
                linker.defaultLookup().find("vsnprintf").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    private LibbpfLog() {
    }

    public static boolean debug() {
        return debug;
    }

    public static void setDebug(boolean on) {
        debug = on;
    }

    /** Where every kept line goes as well (null: nowhere). Called on libbpf's calling thread. */
    public static void setSink(Consumer<Line> newSink) {
        sink = newSink;
    }

    /** Whether the print callback can be installed on this platform (see VA_LIST_SIZE). */
    static boolean supported() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    /** The upcall stub for libbpf_set_print, allocated for the life of the process. */
    static MemorySegment printCallback() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            return Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                    Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Starts collecting the WARN/INFO lines this thread causes; close it when the call is done. */
    static Capture capture() {
        Capture c = new Capture(CURRENT.get());
        CURRENT.set(c);
        return c;
    }

    // int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *fmt, va_list ap)
    private static int print(int level, MemorySegment format, MemorySegment vaList) {
        try {
            Level lvl = level == 0 ? Level.WARN : level == 1 ? Level.INFO : Level.DEBUG;
            if (lvl == Level.DEBUG && !debug) {
                return 0;
            }
            String text = render(format, vaList);
            for (String part : text.split("\n")) {
                if (!part.isEmpty()) {
                    deliver(new Line(lvl, part));
                }
            }
        } catch (Throwable ignored) {
            // Nothing may escape an upcall; losing a log line is the lesser evil.
        }
        return 0;
    }

    private static String render(MemorySegment format, MemorySegment vaList) throws Throwable {
        MemorySegment original = vaList.reinterpret(VA_LIST_SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ap = arena.allocate(VA_LIST_SIZE, 8);
            ap.copyFrom(original);
            MemorySegment buf = arena.allocate(FIRST_TRY);
            int n = (int) VSNPRINTF.invokeExact(buf, FIRST_TRY, format, ap);
            if (n < 0) {
                return "";
            }
            if (n >= FIRST_TRY) {
                // Too long (a verifier log can be megabytes): format again from a fresh copy.
                ap.copyFrom(original);
                buf = arena.allocate(n + 1L);
                int unused = (int) VSNPRINTF.invokeExact(buf, n + 1L, format, ap);
            }
            return buf.getString(0);
        }
    }

    private static void deliver(Line line) {
        Capture c = CURRENT.get();
        if (c != null && line.level() != Level.DEBUG) {
            c.add(line.text());
        }
        Consumer<Line> s = sink;
        if (s != null) {
            s.accept(line);
        } else if (debug) {
            System.err.println(line.text());
        }
    }

    /** The lines one thread caused between {@link #capture()} and {@link #close()}. */
    static final class Capture implements AutoCloseable {
        private final Capture outer;
        private final ArrayDeque<String> lines = new ArrayDeque<>();
        private boolean closed;

        private Capture(Capture outer) {
            this.outer = outer;
        }

        private void add(String text) {
            if (lines.size() == CAPTURE_LINES) {
                lines.removeFirst();
            }
            lines.addLast(text);
            if (outer != null) {
                outer.add(text);
            }
        }

        /** The last {@code n} lines, oldest first. */
        List<String> tail(int n) {
            List<String> all = new ArrayList<>(lines);
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                CURRENT.set(outer);
            }
        }
    }
}
