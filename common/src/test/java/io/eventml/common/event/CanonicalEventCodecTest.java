package io.eventml.common.event;

import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.eventml.common.raw.RawFixtures.BOUNDS;
import static io.eventml.common.testkit.DecodedAssertions.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

class CanonicalEventCodecTest {

    private static final CanonicalEventCodec CODEC =
            new CanonicalEventCodec(JsonLimits.DEFAULT, BOUNDS);

    static final CanonicalEvent VIEW =
            new CanonicalEvent(
                    1,
                    "clickstream:c-000001",
                    EventType.PRODUCT_VIEW,
                    EventSource.CLICKSTREAM,
                    "u-17",
                    "sku-0042",
                    null,
                    1763979330123L,
                    1763979331000L,
                    0.0,
                    0,
                    Map.of("sessionId", "s-42", "device", "mobile"));

    static final CanonicalEvent READING =
            new CanonicalEvent(
                    1,
                    "sensors:h3f2a",
                    EventType.SENSOR_READING,
                    EventSource.SENSORS,
                    null,
                    null,
                    "store-3",
                    1763979330123L,
                    1763979331000L,
                    12.0,
                    0,
                    Map.of("metric", "footfall"));

    @Test
    void roundTripsWithEnumNamesOnTheWireAndNullsLeftOut() {
        byte[] bytes = CODEC.encode(VIEW);
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo(
                        "{\"schemaVersion\":1,\"eventId\":\"clickstream:c-000001\",\"type\":\"PRODUCT_VIEW\","
                                + "\"source\":\"CLICKSTREAM\",\"userId\":\"u-17\",\"itemId\":\"sku-0042\","
                                + "\"eventTime\":1763979330123,\"ingestTime\":1763979331000,\"value\":0.0,"
                                + "\"quantity\":0,\"attributes\":{\"device\":\"mobile\",\"sessionId\":\"s-42\"}}");
        assertThat(CODEC.decode(bytes).value()).isEqualTo(VIEW);
        assertThat(CODEC.decode(CODEC.encode(READING)).value()).isEqualTo(READING);
        assertThat(READING.partitionKey()).isEqualTo("store-3");
        assertThat(VIEW.partitionKey()).isEqualTo("u-17");
    }

    @Test
    void userEventsNeedAUserAndSensorReadingsAStore() {
        String noUser =
                new String(CODEC.encode(VIEW), StandardCharsets.UTF_8)
                        .replace("\"userId\":\"u-17\",", "");
        assertRejected(
                CODEC.decode(noUser.getBytes(StandardCharsets.UTF_8)),
                ReasonCode.MISSING_FIELD,
                "'userId'");
        String noStore =
                new String(CODEC.encode(READING), StandardCharsets.UTF_8)
                        .replace("\"storeId\":\"store-3\",", "");
        assertRejected(
                CODEC.decode(noStore.getBytes(StandardCharsets.UTF_8)),
                ReasonCode.MISSING_FIELD,
                "'storeId'");
    }

    @Test
    void newerSchemaVersionsAndUnknownTypesAreRejected() {
        String v2 =
                new String(CODEC.encode(VIEW), StandardCharsets.UTF_8)
                        .replace("\"schemaVersion\":1", "\"schemaVersion\":2");
        assertRejected(
                CODEC.decode(v2.getBytes(StandardCharsets.UTF_8)),
                ReasonCode.UNSUPPORTED_VERSION,
                "schemaVersion 2");
        String ordinal =
                new String(CODEC.encode(VIEW), StandardCharsets.UTF_8)
                        .replace("\"PRODUCT_VIEW\"", "1");
        assertRejected(
                CODEC.decode(ordinal.getBytes(StandardCharsets.UTF_8)),
                ReasonCode.WRONG_TYPE,
                "'type'");
        String unknown =
                new String(CODEC.encode(VIEW), StandardCharsets.UTF_8)
                        .replace("\"PRODUCT_VIEW\"", "\"TELEPORT\"");
        assertRejected(
                CODEC.decode(unknown.getBytes(StandardCharsets.UTF_8)),
                ReasonCode.INVALID_VALUE,
                "TELEPORT");
    }

    @Test
    void isAFlinkPojoWithoutGenericTypesAndSurvivesItsSerializer() throws Exception {
        TypeInformation<CanonicalEvent> type = TypeInformation.of(CanonicalEvent.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        TypeSerializer<CanonicalEvent> serializer = type.createSerializer(noKryo);
        for (CanonicalEvent event : new CanonicalEvent[] {VIEW, READING}) {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(event, out);
            CanonicalEvent copy =
                    serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(copy).isEqualTo(event);
        }
    }
}
