package io.eventml.common.raw;

/** What a web user did; lower-case on the wire, as the web tracker spells it. */
public enum ClickAction {
    PAGE_VIEW("page_view", false),
    PRODUCT_VIEW("product_view", true),
    CLICK("click", false),
    ADD_TO_CART("add_to_cart", true);

    private final String wireName;
    private final boolean needsItem;

    ClickAction(String wireName, boolean needsItem) {
        this.wireName = wireName;
        this.needsItem = needsItem;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether a record with this action must name an item. */
    public boolean needsItem() {
        return needsItem;
    }
}
