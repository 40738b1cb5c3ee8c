package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventSource;

import java.util.List;
import java.util.Objects;

/**
 * What ingestion made of one raw record: its canonical events (one, or one per order line), or a
 * dead letter.
 *
 * @param source the raw source
 * @param eventTime the events' time, or {@link #NO_EVENT_TIME} for a dead letter (which never moves
 *     watermarks)
 * @param events the canonical events; empty for a dead letter
 * @param deadLetter the dead letter, or {@code null}
 */
public record Ingested(
        EventSource source, long eventTime, List<CanonicalEvent> events, DeadLetter deadLetter) {

    public static final long NO_EVENT_TIME = Long.MIN_VALUE;

    public Ingested {
        Objects.requireNonNull(source, "source");
        events = events == null ? List.of() : events;
        if (events.isEmpty() == (deadLetter == null)) {
            throw new IllegalArgumentException(
                    "an ingested record has either events or a dead letter");
        }
    }

    public static Ingested events(EventSource source, List<CanonicalEvent> events) {
        return new Ingested(source, events.get(0).eventTime(), events, null);
    }

    public static Ingested deadLetter(EventSource source, DeadLetter deadLetter) {
        return new Ingested(source, NO_EVENT_TIME, List.of(), deadLetter);
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }
}
