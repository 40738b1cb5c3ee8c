package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;

/**
 * A record read from {@code events.canonical}: the event, or a dead letter if it cannot be read.
 */
public record CanonicalInput(CanonicalEvent event, DeadLetter deadLetter) {

    /** The event time of a dead letter: it never moves watermarks. */
    public long eventTime() {
        return event != null ? event.eventTime() : Long.MIN_VALUE;
    }
}
