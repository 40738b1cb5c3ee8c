package io.eventml.common.serde;

import io.eventml.common.event.CanonicalEventCodec;
import io.eventml.common.event.DeadLetterCodec;
import io.eventml.common.raw.OrderEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static io.eventml.common.raw.RawFixtures.BOUNDS;
import static io.eventml.common.raw.RawFixtures.CLICKSTREAM;
import static io.eventml.common.raw.RawFixtures.CLICK_JSON;
import static io.eventml.common.raw.RawFixtures.LOYALTY;
import static io.eventml.common.raw.RawFixtures.ORDERS;
import static io.eventml.common.raw.RawFixtures.ORDER_JSON;
import static io.eventml.common.raw.RawFixtures.SENSORS;
import static io.eventml.common.raw.RawFixtures.SOCIAL;
import static io.eventml.common.raw.RawFixtures.utf8;
import static io.eventml.common.testkit.DecodedAssertions.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of bad input ends as a typed error with a precise message; none throws. */
class BadInputTest {

    static Stream<Arguments> codecs() {
        return Stream.of(
                Arguments.of("clickstream", CLICKSTREAM),
                Arguments.of("orders", ORDERS),
                Arguments.of("loyalty", LOYALTY),
                Arguments.of("social", SOCIAL),
                Arguments.of("sensors", SENSORS),
                Arguments.of("canonical", new CanonicalEventCodec(JsonLimits.DEFAULT, BOUNDS)),
                Arguments.of("dead letter", new DeadLetterCodec()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void emptyPayloadsAreRejected(String name, Codec<?> codec) {
        assertRejected(codec.decode(null), ReasonCode.EMPTY_PAYLOAD, "empty");
        assertRejected(codec.decode(new byte[0]), ReasonCode.EMPTY_PAYLOAD, "empty");
        assertRejected(codec.decode(utf8(" \n\t ")), ReasonCode.EMPTY_PAYLOAD, "empty");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void textThatIsNotJsonIsMalformed(String name, Codec<?> codec) {
        assertRejected(codec.decode(utf8("hello, world")), ReasonCode.MALFORMED_JSON, "");
        assertRejected(codec.decode(utf8("<order id=\"1\"/>")), ReasonCode.MALFORMED_JSON, "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void anArrayOrScalarWhereAnObjectBelongsIsRejected(String name, Codec<?> codec) {
        assertRejected(
                codec.decode(utf8("[" + ORDER_JSON + "]")),
                ReasonCode.NOT_AN_OBJECT,
                "got an array");
        assertRejected(codec.decode(utf8("\"o-100\"")), ReasonCode.NOT_AN_OBJECT, "got the string");
        assertRejected(codec.decode(utf8("42")), ReasonCode.NOT_AN_OBJECT, "got the number 42");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void invalidUtf8IsRejectedBeforeParsing(String name, Codec<?> codec) {
        byte[] broken = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertRejected(codec.decode(broken), ReasonCode.INVALID_ENCODING, "UTF-8");
        byte[] overlong = {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        assertRejected(codec.decode(overlong), ReasonCode.INVALID_ENCODING, "UTF-8");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void oversizedPayloadsAreRejectedUnparsed(String name, Codec<?> codec) {
        String huge = "{\"pad\":\"" + "x".repeat(JsonLimits.DEFAULT.maxPayloadBytes()) + "\"}";
        assertRejected(
                codec.decode(utf8(huge)), ReasonCode.OVERSIZED_PAYLOAD, "the limit is 65536");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void deepNestingIsStoppedByTheReadLimit(String name, Codec<?> codec) {
        String deep = "{\"x\":" + "[".repeat(500) + "]".repeat(500) + "}";
        assertRejected(codec.decode(utf8(deep)), ReasonCode.LIMIT_EXCEEDED, "nesting depth");
    }

    @Test
    void truncatedJsonIsMalformed() {
        String truncated = ORDER_JSON.substring(0, ORDER_JSON.length() / 2);
        assertRejected(ORDERS.decode(utf8(truncated)), ReasonCode.MALFORMED_JSON, "truncated");
    }

    @Test
    void trailingGarbageAndDuplicateKeysAreMalformed() {
        assertRejected(ORDERS.decode(utf8(ORDER_JSON + "}")), ReasonCode.MALFORMED_JSON, "");
        assertRejected(ORDERS.decode(utf8(ORDER_JSON + ORDER_JSON)), ReasonCode.MALFORMED_JSON, "");
        assertRejected(
                ORDERS.decode(
                        utf8(
                                ORDER_JSON.replace(
                                        "{\"orderId\":\"o-100\",",
                                        "{\"orderId\":\"o-100\",\"orderId\":\"o-101\","))),
                ReasonCode.MALFORMED_JSON,
                "Duplicate field 'orderId'");
    }

    @Test
    void wrongTypesNameTheFieldAndWhatWasFound() {
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"u-17\"", "17"))),
                ReasonCode.WRONG_TYPE,
                "field 'customerId' must be a string, got the number 17");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("1763979330", "\"1763979330\""))),
                ReasonCode.WRONG_TYPE,
                "field 'createdAt' must be an integer (epoch seconds), got the string \"1763979330\"");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replaceAll("\\[\\{.*\\}\\]", "{\"sku\":\"a\"}"))),
                ReasonCode.WRONG_TYPE,
                "field 'lines' must be an array, got an object");
        assertRejected(
                ORDERS.decode(
                        utf8(
                                ORDER_JSON.replace(
                                        "{\"sku\":\"sku-0007\",\"qty\":1,\"unitPrice\":5.0}",
                                        "[1]"))),
                ReasonCode.WRONG_TYPE,
                "element 'lines[1]' must be an object, got an array");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"qty\":2", "\"qty\":true"))),
                ReasonCode.WRONG_TYPE,
                "'lines[0].qty' must be an integer, got the boolean true");
    }

    @Test
    void missingAndNullRequiredFieldsAreMissing() {
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"orderId\":\"o-100\",", ""))),
                ReasonCode.MISSING_FIELD,
                "required field 'orderId' is missing");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"o-100\"", "null"))),
                ReasonCode.MISSING_FIELD,
                "required field 'orderId' is missing");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"sku\":\"sku-0042\",", ""))),
                ReasonCode.MISSING_FIELD,
                "required field 'lines[0].sku' is missing");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"o-100\"", "\"  \""))),
                ReasonCode.INVALID_VALUE,
                "field 'orderId' must not be blank");
    }

    @Test
    void unknownFieldsAreIgnored() {
        OrderEvent plain = ORDERS.decode(utf8(ORDER_JSON)).value();
        String extended =
                ORDER_JSON.replace(
                        "{\"orderId\"",
                        "{\"promo\":{\"code\":\"XMAS\",\"tags\":[1,2,3]},\"loyaltyCard\":null,\"orderId\"");
        assertThat(ORDERS.decode(utf8(extended)).value()).isEqualTo(plain);
    }

    @Test
    void hugeNumbersAreOutOfRangeOrTooLong() {
        assertRejected(
                ORDERS.decode(
                        utf8(ORDER_JSON.replace("\"qty\":2", "\"qty\":99999999999999999999999"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'lines[0].qty' is 99999999999999999999999, allowed range [1, 10000]");
        assertRejected(
                ORDERS.decode(
                        utf8(ORDER_JSON.replace("\"unitPrice\":19.99", "\"unitPrice\":1e400"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'lines[0].unitPrice' must be a finite number");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"unitPrice\":19.99", "\"unitPrice\":1e9"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "allowed range [0.0, 1000000.0]");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"qty\":2", "\"qty\":" + "9".repeat(200)))),
                ReasonCode.LIMIT_EXCEEDED,
                "Number value length");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("1763979330", "9".repeat(30)))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "not a timestamp");
    }

    @Test
    void nanAndInfinityAreNotJsonAndNotNumbers() {
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("19.99", "NaN"))),
                ReasonCode.MALFORMED_JSON,
                "NaN");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("19.99", "Infinity"))),
                ReasonCode.MALFORMED_JSON,
                "Infinity");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("19.99", "-Infinity"))),
                ReasonCode.MALFORMED_JSON,
                "Infinity");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("19.99", "\"NaN\""))),
                ReasonCode.WRONG_TYPE,
                "must be a number, got the string \"NaN\"");
    }

    @Test
    void timestampsFarInThePastOrFutureAreOutOfRange() {
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("1763979330", "0"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "before the earliest accepted time 2000-01-01T00:00:00Z");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("1763979330", "-86400"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "before the earliest");
        // One day ahead of the fixed clock is accepted, a second later is not.
        long aDayAhead = BOUNDS.clock().instant().getEpochSecond() + 86_400;
        assertThat(
                        ORDERS.decode(
                                        utf8(
                                                ORDER_JSON.replace(
                                                        "1763979330", Long.toString(aDayAhead))))
                                .isValid())
                .isTrue();
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("1763979330", Long.toString(aDayAhead + 1)))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "more than PT24H ahead of now");
        assertRejected(
                CLICKSTREAM.decode(
                        utf8(
                                CLICK_JSON.replace(
                                        "2026-11-24T10:15:30.123Z", "9999-12-31T23:59:59Z"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "ahead of now");
        assertRejected(
                CLICKSTREAM.decode(
                        utf8(
                                CLICK_JSON.replace(
                                        "2026-11-24T10:15:30.123Z", "0001-01-01T00:00:00Z"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "before the earliest");
        assertRejected(
                CLICKSTREAM.decode(
                        utf8(CLICK_JSON.replace("2026-11-24T10:15:30.123Z", "yesterday"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "expected an ISO-8601 timestamp");
    }

    @Test
    void overlongStringsAndIdsAreRejected() {
        String longPage = "/p/" + "x".repeat(JsonLimits.DEFAULT.maxStringLength() + 1);
        assertRejected(
                CLICKSTREAM.decode(utf8(CLICK_JSON.replace("/p/sku-0042", longPage))),
                ReasonCode.LIMIT_EXCEEDED,
                "String value length");
        assertRejected(
                CLICKSTREAM.decode(utf8(CLICK_JSON.replace("s-42", "s".repeat(129)))),
                ReasonCode.INVALID_VALUE,
                "'sessionId' is 129 characters, at most 128 allowed");
    }

    @Test
    void errorsCarryTheOriginTheyWereGiven() {
        Origin origin = Origin.of("raw.orders", 1, 4711L);
        Decoded<OrderEvent> decoded = ORDERS.decode("{".getBytes(StandardCharsets.UTF_8), origin);
        assertThat(decoded.error().origin()).isEqualTo(origin);
        assertThat(decoded.error().toString()).startsWith("MALFORMED_JSON at raw.orders-1@4711: ");
    }
}
