package io.eventml.ingestion;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Settings of the ingestion job, from its arguments (see docs/ingestion.md).
 *
 * @param kafka brokers, transactional id prefix, delivery guarantee, topic suffix
 * @param source consumer group, starting offsets, boundedness, parallelism, checkpoints, watermarks
 * @param dedupTtl how long an eventId is remembered for de-duplication
 * @param limits read limits of raw records
 * @param timeBounds plausible event times
 * @param deadLetterPayloadBytes how much of a rejected payload a dead letter keeps
 */
public record IngestionConfig(
        KafkaOptions kafka,
        SourceOptions source,
        Duration dedupTtl,
        JsonLimits limits,
        TimeBounds timeBounds,
        int deadLetterPayloadBytes)
        implements Serializable {

    public static IngestionConfig fromArgs(JobArgs args) {
        KafkaOptions kafka = KafkaOptions.fromArgs(args, "ingestion");
        SourceOptions source =
                SourceOptions.fromArgs(args, "ingestion", "the raw topics", Duration.ofSeconds(5));
        Duration dedupTtl =
                args.duration(
                        "dedup-ttl",
                        Duration.ofHours(24),
                        Duration.ofSeconds(1),
                        "how long eventIds are remembered");
        int maxRecordBytes =
                args.intValue(
                        "max-record-bytes",
                        JsonLimits.DEFAULT.maxPayloadBytes(),
                        1024,
                        16 * 1024 * 1024,
                        "largest raw record accepted");
        Duration maxAhead =
                args.duration(
                        "max-event-time-ahead",
                        Duration.ofDays(1),
                        Duration.ZERO,
                        "how far in the future an event time may be");
        Instant earliest =
                args.instant(
                        "earliest-event-time",
                        TimeBounds.DEFAULT.earliest(),
                        "the earliest plausible event time");
        int deadLetterPayloadBytes =
                args.intValue(
                        "dlq-payload-bytes",
                        DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES,
                        0,
                        1024 * 1024,
                        "bytes of a rejected payload kept in its dead letter");
        JsonLimits d = JsonLimits.DEFAULT;
        return new IngestionConfig(
                kafka,
                source,
                dedupTtl,
                new JsonLimits(
                        maxRecordBytes,
                        d.maxNestingDepth(),
                        Math.min(d.maxStringLength(), maxRecordBytes),
                        d.maxNumberLength(),
                        d.maxNameLength()),
                new TimeBounds(earliest, maxAhead, Clock.systemUTC()),
                deadLetterPayloadBytes);
    }
}
