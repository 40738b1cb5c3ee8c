package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;

/**
 * A product view that reached a keyed stage further behind the watermark than the allowed lateness
 * and was not scored.
 *
 * @param view the view
 * @param stage the stage that refused it ({@code item}, {@code store} or {@code user})
 * @param frontier the stage's frontier the view was older than: its watermark minus the allowed
 *     lateness, or after a restore the time up to which the key's state had settled
 */
public record LateView(CanonicalEvent view, String stage, long frontier) {}
