package io.eventml.common.raw;

/** Where an order was placed; lower-case on the wire. */
public enum OrderChannel {
    WEB("web"),
    APP("app"),
    STORE("store");

    private final String wireName;

    OrderChannel(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
