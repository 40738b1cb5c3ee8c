package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import static io.eventml.features.Events.HOUR;
import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static io.eventml.features.Events.footfall;
import static io.eventml.features.Events.inStoreView;
import static org.assertj.core.api.Assertions.assertThat;

class StoreFootfallFunctionTest {

    @Test
    void viewsGetTheFootfallOfTheFifteenMinutesBeforeThemAndStateExpires() throws Exception {
        try (var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new StoreFootfallFunction()),
                        (PendingVector p) -> p.view().storeId(),
                        CanonicalEvent::storeId,
                        Types.STRING)) {
            h.open();
            CanonicalEvent early = inStoreView("v1", "u-1", "sku-1", "store-1", T + 20 * MINUTE);
            CanonicalEvent sameTime = inStoreView("v2", "u-2", "sku-1", "store-1", T + 30 * MINUTE);
            h.processElement1(
                    new StreamRecord<>(
                            new PendingVector(sameTime, 0, 0, 0, 0, 0), sameTime.eventTime()));
            h.processElement1(
                    new StreamRecord<>(new PendingVector(early, 0, 0, 0, 0, 0), early.eventTime()));
            h.processElement2(
                    new StreamRecord<>(footfall("f1", "store-1", T, 7), T)); // outside both windows
            h.processElement2(
                    new StreamRecord<>(
                            footfall("f2", "store-1", T + 10 * MINUTE, 5), T + 10 * MINUTE));
            h.processElement2(
                    new StreamRecord<>(
                            footfall("f3", "store-1", T + 19 * MINUTE, 3), T + 19 * MINUTE));
            h.processElement2(
                    new StreamRecord<>(
                            footfall("f4", "store-1", T + 30 * MINUTE, 100), T + 30 * MINUTE));
            h.processBothWatermarks(new Watermark(T + HOUR));

            assertThat(h.extractOutputValues())
                    .extracting(p -> p.view().eventId() + " " + p.storeFootfall15m())
                    // v1 at 20 min: minutes 6..20 hold f2 and f3; v2 at 30 min: minutes 16..30 hold
                    // f3, not f4 (same time)
                    .containsExactly("v1 8.0", "v2 3.0");

            h.processBothWatermarks(new Watermark(T + 3 * HOUR));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
