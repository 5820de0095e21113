package io.drover.agent;

/**
 * Bounded exponential backoff: the first delay is {@code initialMs}, each next one doubles, and
 * none is longer than {@code maxMs}.
 */
record Backoff(long initialMs, long maxMs) {
    Backoff {
        if (initialMs <= 0 || maxMs < initialMs) {
            throw new IllegalArgumentException("backoff needs 0 < initialMs <= maxMs, got " + initialMs + " and " + maxMs);
        }
    }

    /** The delay that follows {@code delayMs}: twice as long, at most {@code maxMs}. */
    long after(long delayMs) {
        return delayMs >= maxMs / 2 ? maxMs : Math.max(initialMs, delayMs * 2);
    }
}
