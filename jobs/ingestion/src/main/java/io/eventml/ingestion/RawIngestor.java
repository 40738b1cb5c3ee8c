package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventSource;
import io.eventml.common.raw.ClickstreamEventCodec;
import io.eventml.common.raw.LoyaltyEventCodec;
import io.eventml.common.raw.OrderEventCodec;
import io.eventml.common.raw.SensorReadingCodec;
import io.eventml.common.raw.SocialPostCodec;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.FieldRepair;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.TimeBounds;
import io.eventml.ingestion.normalise.ClickstreamNormaliser;
import io.eventml.ingestion.normalise.LoyaltyNormaliser;
import io.eventml.ingestion.normalise.Normaliser;
import io.eventml.ingestion.normalise.OrderNormaliser;
import io.eventml.ingestion.normalise.SensorNormaliser;
import io.eventml.ingestion.normalise.SocialNormaliser;

import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parse, validate and normalise one raw record of any source: its canonical events, or a dead
 * letter with the record's origin, the reason and the (bounded) payload. Never throws on bad input.
 */
public final class RawIngestor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SourceIngestor<?> clickstream;
    private final SourceIngestor<?> orders;
    private final SourceIngestor<?> loyalty;
    private final SourceIngestor<?> social;
    private final SourceIngestor<?> sensors;

    public RawIngestor(JsonLimits limits, TimeBounds timeBounds, int deadLetterPayloadBytes) {
        clickstream =
                new SourceIngestor<>(
                        EventSource.CLICKSTREAM,
                        new ClickstreamEventCodec(limits, timeBounds),
                        new ClickstreamNormaliser(),
                        deadLetterPayloadBytes);
        orders =
                new SourceIngestor<>(
                        EventSource.ORDERS,
                        new OrderEventCodec(limits, timeBounds),
                        new OrderNormaliser(),
                        deadLetterPayloadBytes);
        loyalty =
                new SourceIngestor<>(
                        EventSource.LOYALTY,
                        new LoyaltyEventCodec(limits, timeBounds),
                        new LoyaltyNormaliser(),
                        deadLetterPayloadBytes);
        social =
                new SourceIngestor<>(
                        EventSource.SOCIAL,
                        new SocialPostCodec(limits, timeBounds),
                        new SocialNormaliser(),
                        deadLetterPayloadBytes);
        sensors =
                new SourceIngestor<>(
                        EventSource.SENSORS,
                        new SensorReadingCodec(limits, timeBounds),
                        new SensorNormaliser(),
                        deadLetterPayloadBytes);
    }

    /** With default limits and time bounds, keeping 4 KiB of rejected payloads. */
    public static RawIngestor withDefaults() {
        return new RawIngestor(
                JsonLimits.DEFAULT, TimeBounds.DEFAULT, DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    public Ingested ingest(EventSource source, byte[] payload, Origin origin, long ingestTime) {
        return ingest(source, payload, origin, ingestTime, repair -> {});
    }

    /**
     * Like {@link #ingest(EventSource, byte[], Origin, long)}, telling {@code repairs} about each
     * optional descriptive field dropped or cut to keep the record.
     */
    public Ingested ingest(
            EventSource source,
            byte[] payload,
            Origin origin,
            long ingestTime,
            Consumer<FieldRepair> repairs) {
        SourceIngestor<?> ingestor =
                switch (source) {
                    case CLICKSTREAM -> clickstream;
                    case ORDERS -> orders;
                    case LOYALTY -> loyalty;
                    case SOCIAL -> social;
                    case SENSORS -> sensors;
                };
        return ingestor.ingest(payload, origin, ingestTime, repairs);
    }

    /** The codec and normaliser of one source. */
    private static final class SourceIngestor<T> implements Serializable {
        private static final long serialVersionUID = 1L;

        private final EventSource source;
        private final Codec<T> codec;
        private final Normaliser<T> normaliser;
        private final int deadLetterPayloadBytes;

        SourceIngestor(
                EventSource source,
                Codec<T> codec,
                Normaliser<T> normaliser,
                int deadLetterPayloadBytes) {
            this.source = source;
            this.codec = codec;
            this.normaliser = normaliser;
            this.deadLetterPayloadBytes = deadLetterPayloadBytes;
        }

        Ingested ingest(
                byte[] payload, Origin origin, long ingestTime, Consumer<FieldRepair> repairs) {
            Decoded<T> decoded = codec.decode(payload, origin);
            if (!decoded.isValid()) {
                return Ingested.deadLetter(
                        source,
                        DeadLetter.of(
                                decoded.error(),
                                source,
                                payload,
                                deadLetterPayloadBytes,
                                ingestTime));
            }
            decoded.repairs().forEach(repairs);
            List<CanonicalEvent> events = normaliser.normalise(decoded.value(), ingestTime);
            return Ingested.events(source, events);
        }
    }
}
