package io.eventml.common.raw;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Lookup tables from a raw source's own spelling of an enum to the constant. */
final class WireEnums {
    private WireEnums() {}

    static <E extends Enum<E>> Map<String, E> byWireName(E[] values, Function<E, String> wireName) {
        return Arrays.stream(values)
                .collect(Collectors.toUnmodifiableMap(wireName, Function.identity()));
    }
}
