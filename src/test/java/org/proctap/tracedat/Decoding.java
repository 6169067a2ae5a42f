package org.proctap.tracedat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.proctap.event.Event;
import org.proctap.event.ProcessExec;
import org.proctap.event.ProcessExit;
import org.proctap.event.ProcessFork;
import org.proctap.event.SchedSwitch;
import org.proctap.event.SchedWakeup;
import org.proctap.source.tracefs.EventDecoder;
import org.proctap.source.tracefs.EventFormat;
import org.proctap.source.tracefs.EventHeader;
import org.proctap.source.tracefs.FormatField;
import org.proctap.source.tracefs.PageDecoder;
import org.proctap.source.tracefs.PageLayout;
import org.proctap.source.tracefs.PageSummary;

/**
 * Decodes every record of a trace.dat file with proctap's own decoders (PageDecoder, EventDecoder)
 * into {@link DecodedEvent}s, merged across CPUs the way trace-cmd report merges them: the
 * earliest time first, the lower CPU first on a tie.
 */
public final class Decoding {
    private Decoding() {
    }

    /** All events, and how many pages said events were lost before them. */
    public record Result(List<DecodedEvent> events, int pages, int lostPages) {
    }

    static List<EventFormat> formats(TraceDatHeader header) {
        List<EventFormat> formats = new ArrayList<>();
        header.eventFormats().forEach((system, texts) -> texts.forEach(t -> formats.add(EventFormat.parse(system, t))));
        return formats;
    }

    public static Result decode(TraceDatReader reader) {
        TraceDatHeader header = reader.header();
        PageDecoder pages = new PageDecoder(PageLayout.parse(header.headerPage()),
                EventHeader.parse(header.headerEvent()), header.order());
        List<EventFormat> formats = formats(header);
        EventDecoder events = EventDecoder.create(formats);
        Map<Integer, String> names = new HashMap<>();
        formats.forEach(f -> names.put(f.id(), f.name()));
        FormatField type = formats.getFirst().field("common_type");
        FormatField pid = formats.getFirst().field("common_pid");
        List<DecodedEvent> all = new ArrayList<>();
        int pageCount = 0;
        int lost = 0;
        for (int i = 0; i < reader.cpuCount(); i++) {
            int cpu = reader.file().cpus().get(i).cpu();
            for (Iterator<ByteBuffer> it = reader.subBuffers(i); it.hasNext(); ) {
                int first = all.size();
                PageSummary s = pages.decode(it.next(), (ts, b, at, length) -> {
                    int id = Short.toUnsignedInt(b.getShort(at + type.offset()));
                    Event e = events.decode(ts, cpu, b, at, length);
                    all.add(new DecodedEvent(ts, cpu, names.getOrDefault(id, "#" + id), b.getInt(at + pid.offset()),
                            ids(e)));
                });
                if (s.eventsLost() && all.size() > first) {
                    all.add(first, lost(all.get(first).ts(), cpu, s.lostCount()));
                }
                pageCount++;
                lost += s.eventsLost() ? 1 : 0;
            }
        }
        all.sort(Comparator.comparingLong(DecodedEvent::ts).thenComparingInt(DecodedEvent::cpu));
        return new Result(all, pageCount, lost);
    }

    /** The mark of a page that says events were lost before it; {@code count} is -1 when not stored. */
    static DecodedEvent lost(long ts, int cpu, long count) {
        return new DecodedEvent(ts, cpu, "EVENTS DROPPED", -1, List.of(count));
    }

    private static List<Long> ids(Event e) {
        return switch (e) {
            case SchedSwitch s -> List.of((long) s.prevTid(), (long) s.nextTid());
            case SchedWakeup w -> List.of((long) w.wakee(), (long) w.targetCpu());
            case ProcessFork f -> List.of((long) f.parentTid(), (long) f.childTid());
            case ProcessExec x -> List.of((long) x.pid(), (long) x.oldPid());
            case ProcessExit x -> List.of((long) x.task());
            case null, default -> List.of();
        };
    }
}
