package io.eventml.generator;

import io.eventml.common.event.EventSource;
import io.eventml.common.raw.ClickAction;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.raw.LoyaltyEvent;
import io.eventml.common.raw.OrderChannel;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.OrderLine;
import io.eventml.common.serde.Codec;
import io.eventml.common.topic.Topics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How a shopper behaves in one session: which user, in a store or online, the pages and products
 * viewed, clicks, cart adds (most of them bought, some abandoned), and the order and loyalty update
 * that a purchase brings. Each session draws from its own random stream (seed, tick, index), so it
 * is the same whichever simulator or shard generates it.
 */
final class SessionModel {
    /** Sessions end within this much simulated time. */
    static final long MAX_SESSION_MS = 10 * 60_000;

    /** Mean gap between two actions in a session. */
    static final double MEAN_GAP_MS = 15_000;

    private final GeneratorConfig config;
    private final RetailWorld world;
    private final long tickMs;

    private final Codec<ClickstreamEvent> clickstream =
            Simulator.codec(Topics.RAW_CLICKSTREAM.valueCodec());
    private final Codec<OrderEvent> orders = Simulator.codec(Topics.RAW_ORDERS.valueCodec());
    private final Codec<LoyaltyEvent> loyalty = Simulator.codec(Topics.RAW_LOYALTY.valueCodec());

    SessionModel(GeneratorConfig config, RetailWorld world) {
        this.config = config;
        this.world = world;
        this.tickMs = GeneratorConfig.TICK.toMillis();
    }

    /** The {@code k}-th session starting in {@code tick}: its clicks, order and loyalty update. */
    void session(long tick, int k, List<Draft> out) {
        session(tick, k, out, (hit, p) -> {});
    }

    /**
     * As {@link #session(long, int, List)}, also telling {@code truth} each product view's hit id
     * and the probability with which the user decided to buy the item at that view.
     */
    void session(long tick, int k, List<Draft> out, ViewTruth truth) {
        SplittableRandom r = Seeds.random(config.seed(), Seeds.SESSION, tick, k);
        int u = r.nextInt(world.users());
        for (int attempt = 0; attempt < 4 && r.nextDouble() > world.engagement[u]; attempt++) {
            u = r.nextInt(world.users());
        }
        long start = config.tickStart(tick) + r.nextInt((int) tickMs);
        long end = start + MAX_SESSION_MS;
        boolean inStore =
                r.nextDouble()
                        < (config.shifted(tick)
                                ? RetailWorld.IN_STORE_SHARE_SHIFTED
                                : RetailWorld.IN_STORE_SHARE);
        String sessionId = "s-" + tick + "-" + k;
        String device = inStore ? "store-kiosk" : r.nextDouble() < 0.6 ? "mobile" : "desktop";
        String sessionStore = inStore ? RetailWorld.storeId(world.homeStore[u]) : null;
        String userId = RetailWorld.userId(u);
        String prefix = "c-" + tick + "-" + k + "-";
        int views = 1 + Seeds.poisson(r, 3 * world.engagement[u]);

        long time = start;
        int n = 0;
        String referrer = null;
        Map<Integer, Integer> viewsOf = new LinkedHashMap<>();
        Map<Integer, Integer> bought = new LinkedHashMap<>();
        for (int v = 0; v < views && time < end; v++) {
            if (r.nextDouble() < 0.5) {
                int category =
                        r.nextDouble() < 0.6
                                ? world.favouriteCategory[u]
                                : r.nextInt(world.categories());
                String page = "/c/" + category;
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.PAGE_VIEW,
                                null,
                                page,
                                referrer,
                                device,
                                sessionStore,
                                time));
                referrer = page;
                time += gap(r);
            }
            int item = pickItem(r, u);
            int seen = viewsOf.merge(item, 1, Integer::sum);
            String page = "/p/" + RetailWorld.sku(item);
            String viewHit = prefix + n++;
            out.add(
                    click(
                            viewHit,
                            sessionId,
                            userId,
                            ClickAction.PRODUCT_VIEW,
                            RetailWorld.sku(item),
                            page,
                            referrer,
                            device,
                            sessionStore,
                            time));
            referrer = page;
            time += gap(r);
            if (r.nextDouble() < 0.3) {
                int other = sameCategory(r, item);
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.CLICK,
                                RetailWorld.sku(other),
                                page,
                                referrer,
                                device,
                                sessionStore,
                                time));
                time += gap(r);
            }
            double p = world.purchaseProbability(u, item, inStore, seen, config.shifted(tick));
            truth.view(viewHit, p);
            boolean buys = !bought.containsKey(item) && r.nextDouble() < p;
            if (buys) {
                bought.put(item, r.nextDouble() < 0.2 ? 2 : 1);
            }
            // Not bought: sometimes added all the same, then abandoned.
            if (buys || r.nextDouble() < 0.3 * p) {
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.ADD_TO_CART,
                                RetailWorld.sku(item),
                                "/cart",
                                page,
                                device,
                                sessionStore,
                                time));
                time += gap(r);
            }
        }
        if (!bought.isEmpty()) {
            time = Math.min(time, end);
            List<OrderLine> lines = new ArrayList<>();
            double total = 0;
            for (Map.Entry<Integer, Integer> b : bought.entrySet()) {
                OrderLine line =
                        new OrderLine(
                                RetailWorld.sku(b.getKey()), b.getValue(), world.price[b.getKey()]);
                lines.add(line);
                total += line.total();
            }
            String storeId = sessionStore;
            OrderChannel channel =
                    inStore
                            ? OrderChannel.STORE
                            : "mobile".equals(device) ? OrderChannel.APP : OrderChannel.WEB;
            OrderEvent order =
                    new OrderEvent(
                            "o-" + tick + "-" + k,
                            userId,
                            storeId,
                            channel,
                            "EUR",
                            time / 1000,
                            lines);
            out.add(
                    new Draft(
                            EventSource.ORDERS,
                            userId,
                            orders.encode(order),
                            order.createdAt() * 1000));
            long points = Math.round(total);
            long loyaltyTime = time + 1000 + r.nextInt(4000);
            LoyaltyEvent update =
                    new LoyaltyEvent(
                            userId,
                            world.tier[u],
                            points,
                            world.pointsBase[u] + points,
                            "purchase",
                            loyaltyTime);
            out.add(new Draft(EventSource.LOYALTY, userId, loyalty.encode(update), loyaltyTime));
        }
    }

    private Draft click(
            String eventId,
            String sessionId,
            String userId,
            ClickAction action,
            String itemId,
            String page,
            String referrer,
            String device,
            String storeId,
            long time) {
        ClickstreamEvent e =
                new ClickstreamEvent(
                        eventId,
                        sessionId,
                        userId,
                        action,
                        itemId,
                        page,
                        referrer,
                        device,
                        storeId,
                        Instant.ofEpochMilli(time),
                        itemId == null
                                ? null
                                : "cat-" + world.categoryOf(Integer.parseInt(itemId.substring(4))));
        return new Draft(EventSource.CLICKSTREAM, userId, clickstream.encode(e), time);
    }

    private long gap(SplittableRandom r) {
        return 1000 + (long) (-MEAN_GAP_MS * Math.log(1.0 - r.nextDouble()));
    }

    /**
     * An item: often from the user's favourite category, and the better of two candidates more
     * often than not.
     */
    private int pickItem(SplittableRandom r, int u) {
        int a = candidate(r, u);
        int b = candidate(r, u);
        boolean preferBetter = r.nextDouble() < 0.7;
        return (world.quality[a] >= world.quality[b]) == preferBetter ? a : b;
    }

    /** An item a user might look at: from the favourite category 60% of the time. */
    int candidate(SplittableRandom r, int u) {
        if (r.nextDouble() < 0.6) {
            int c = world.favouriteCategory[u];
            int perCategory = (world.items() - c + world.categories() - 1) / world.categories();
            return c + world.categories() * r.nextInt(perCategory);
        }
        return r.nextInt(world.items());
    }

    private int sameCategory(SplittableRandom r, int item) {
        int c = world.categoryOf(item);
        int perCategory = (world.items() - c + world.categories() - 1) / world.categories();
        return c + world.categories() * r.nextInt(perCategory);
    }

    /** Receives the generator's own purchase probability of each product view. */
    @FunctionalInterface
    interface ViewTruth {
        void view(String hitId, double probability);
    }
}
