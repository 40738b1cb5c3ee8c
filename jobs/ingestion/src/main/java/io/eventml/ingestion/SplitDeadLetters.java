package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Emits the canonical events of each ingested record, and its dead letter on {@link #DEAD_LETTERS}.
 */
final class SplitDeadLetters extends ProcessFunction<Ingested, CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    @Override
    public void processElement(Ingested in, Context ctx, Collector<CanonicalEvent> out) {
        if (in.isDeadLetter()) {
            ctx.output(DEAD_LETTERS, in.deadLetter());
        } else {
            for (CanonicalEvent e : in.events()) {
                out.collect(e);
            }
        }
    }
}
