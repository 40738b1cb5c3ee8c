package io.eventml.common.state;

import org.apache.flink.api.common.state.ListState;

import java.util.ArrayList;
import java.util.List;

/** Helpers for list state read once per timer. */
public final class ListStates {
    private ListStates() {}

    /** The list's elements, read once (on RocksDB: one get), as a list the caller may keep. */
    public static <T> List<T> read(ListState<T> state) throws Exception {
        List<T> all = new ArrayList<>();
        Iterable<T> values = state.get();
        if (values != null) {
            values.forEach(all::add);
        }
        return all;
    }
}
