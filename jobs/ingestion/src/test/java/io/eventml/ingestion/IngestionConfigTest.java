package io.eventml.ingestion;

import io.eventml.common.config.JobArgs;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.JsonLimits;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestionConfigTest {

    private static IngestionConfig parse(String... args) {
        JobArgs a = JobArgs.parse("ingestion", args);
        IngestionConfig config = IngestionConfig.fromArgs(a);
        a.finish();
        return config;
    }

    @Test
    void defaultsSuitALocalBrokerAndADayOfDeduplication() {
        IngestionConfig c = parse();
        assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.kafka().transactionalIdPrefix()).isEqualTo("eventml-ingestion");
        assertThat(c.kafka().deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(c.kafka().transactionTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.kafka().topicSuffix()).isEmpty();
        assertThat(c.source().groupId()).isEqualTo("eventml-ingestion");
        assertThat(c.source().startingOffsets()).isEqualTo("earliest");
        assertThat(c.source().bounded()).isFalse();
        assertThat(c.source().parallelism()).isEqualTo(-1);
        assertThat(c.source().checkpointInterval()).isNull();
        assertThat(c.dedupTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.source().outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.source().idleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.limits()).isEqualTo(JsonLimits.DEFAULT);
        assertThat(c.deadLetterPayloadBytes()).isEqualTo(DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    @Test
    void readsItsArguments() {
        IngestionConfig c =
                parse(
                        "--bootstrap-servers",
                        "127.0.0.1:19092",
                        "--group-id",
                        "g",
                        "--starting-offsets",
                        "LATEST",
                        "--bounded",
                        "--parallelism",
                        "3",
                        "--checkpoint-interval",
                        "5s",
                        "--dedup-ttl",
                        "2h",
                        "--out-of-orderness",
                        "10s",
                        "--idleness",
                        "1m",
                        "--max-record-bytes",
                        "8192",
                        "--topic-suffix",
                        "-test",
                        "--transactional-id-prefix",
                        "ing-a",
                        "--dlq-payload-bytes",
                        "100");
        assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThat(c.kafka().topic(io.eventml.common.topic.Topics.RAW_ORDERS))
                .isEqualTo("raw.orders-test");
        assertThat(c.source().groupId()).isEqualTo("g");
        assertThat(c.source().startingOffsets()).isEqualTo("latest");
        assertThat(c.source().bounded()).isTrue();
        assertThat(c.source().parallelism()).isEqualTo(3);
        assertThat(c.source().checkpointInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.dedupTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(c.source().outOfOrderness()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.source().idleness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.limits().maxPayloadBytes()).isEqualTo(8192);
        assertThat(c.deadLetterPayloadBytes()).isEqualTo(100);
    }

    @Test
    void badArgumentsStopTheJobWithWhatToFix() {
        assertThatThrownBy(() -> parse("--starting-offsets", "beginning"))
                .hasMessage(
                        "ingestion: --starting-offsets is 'beginning', expected one of [earliest, latest, committed]");
        assertThatThrownBy(() -> parse("--dedup-ttl", "0s"))
                .hasMessage("ingestion: --dedup-ttl is '0s', expected a duration of at least PT1S");
        // A transaction timeout beyond the broker's limit stops the job at start, checked against
        // the broker itself: see KafkaTransactionsTest.
        assertThatThrownBy(() -> parse("--parallelism", "0"))
                .hasMessageContaining("expected -1 or at least 1");
        assertThatThrownBy(() -> parse("--delivery-guarantee", "twice"))
                .hasMessageContaining("expected one of [exactly-once, at-least-once, none]");
        assertThatThrownBy(() -> parse("--bootstrap", "x"))
                .hasMessageStartingWith("ingestion: unknown argument(s) [--bootstrap]");
    }
}
