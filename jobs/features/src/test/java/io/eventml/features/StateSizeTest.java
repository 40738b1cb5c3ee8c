package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.testkit.SerializedSize;
import io.eventml.features.state.ItemState;
import io.eventml.features.state.StoreState;
import io.eventml.features.state.TimedValue;
import io.eventml.features.state.UserDelta;
import io.eventml.features.state.UserItemState;
import io.eventml.features.state.UserProfile;
import io.eventml.features.state.UserState;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes each piece of keyed state takes in RocksDB (its Flink serializer's output, before
 * RocksDB's own compression), for ids of the generator's shape: the figures of docs/features.md,
 * "State per key". A change that makes a piece larger fails here and must update the docs.
 */
class StateSizeTest {
    private static final String EVENT_ID = "0123456789abcdef0123456789abcdef";
    private static final String USER = "u-12345";
    private static final String ITEM = "sku-00123";

    private static <T> int bytes(Class<T> type, T value) throws IOException {
        return SerializedSize.of(type, value);
    }

    @Test
    void settledStatePerKeyHasAFixedSize() throws IOException {
        UserState activity = new UserState();
        activity.add(T, UserState.VIEWS, 1);
        UserProfile profile = new UserProfile();
        profile.loyalty(T, EVENT_ID, 2, 1_500);
        // Spec 2's lifetime: views in each of the generator's 12 categories, a priced line.
        profile.inLifetime(T);
        for (int c = 0; c < 12; c++) {
            profile.lifetimeView("cat-" + c);
        }
        profile.lifetimePurchase(29.99);
        UserItemState userItem = new UserItemState();
        userItem.view(T);
        ItemState item = new ItemState();
        item.apply(T, ItemState.VIEWS);
        item.price(T, 29.99);
        StoreState store = new StoreState();
        store.add(T, 12);

        int userBytes = bytes(UserState.class, activity);
        int profileBytes = bytes(UserProfile.class, profile);
        int userItemBytes = bytes(UserItemState.class, userItem);
        int itemBytes = bytes(ItemState.class, item);
        int storeBytes = bytes(StoreState.class, store);
        System.out.printf(
                "settled state: user activity %d B, profile %d B, per user and item %d B;"
                        + " item %d B; store %d B%n",
                userBytes, profileBytes, userItemBytes, itemBytes, storeBytes);
        // Sparse rings: one minute and one hour with counts. A user busy in each of the last 60
        // minutes holds 60 minute and 1-2 hour entries, at most what the dense rings held.
        assertThat(userBytes).isLessThanOrEqualTo(200);
        UserState busy = new UserState();
        for (int m = 0; m < 60; m++) {
            busy.add(T + m * MINUTE, UserState.VIEWS, 1);
        }
        int busyBytes = bytes(UserState.class, busy);
        System.out.printf("user activity, busy in each of the last 60 minutes: %d B%n", busyBytes);
        assertThat(busyBytes).isBetween(3_500, 5_500);
        assertThat(profileBytes).isLessThanOrEqualTo(400);
        assertThat(userItemBytes).isLessThanOrEqualTo(60);
        assertThat(itemBytes).isLessThanOrEqualTo(1_000);
        assertThat(storeBytes).isLessThanOrEqualTo(300);
    }

    @Test
    void recentEventsAndHeldViewsCostLittlePerEvent() throws IOException {
        CanonicalEvent view = Events.view(EVENT_ID, USER, ITEM, T + MINUTE);
        int delta = bytes(UserDelta.class, UserDelta.of(view));
        int reading = bytes(TimedValue.class, new TimedValue(T, 12));
        int heldAtItem = bytes(CanonicalEvent.class, view);
        int heldAtUser =
                bytes(PendingVector.class, new PendingVector(view, 3, 40, 0, 2, 0, 29.99, 120, 9));
        System.out.printf(
                "per recent event: user %d B, item 8 B (one long), store reading %d B;"
                        + " per held view: item stage %d B, user stage %d B%n",
                delta, reading, heldAtItem, heldAtUser);
        assertThat(delta).isLessThanOrEqualTo(70);
        assertThat(reading).isLessThanOrEqualTo(20);
        assertThat(heldAtItem).isLessThanOrEqualTo(200);
        assertThat(heldAtUser).isLessThanOrEqualTo(280);
    }
}
