package io.drover.job.shuffle;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which attempt of each map task produced the output reducers read, and on which host: filled by
 * the scheduler as map tasks succeed. Thread-safe.
 */
public final class MapOutputs {

    /** The winning attempt of one map task, and the host that holds its output. */
    public record Location(int attempt, String host) {}

    private final Map<Long, Location> locations = new ConcurrentHashMap<>();

    private static long key(int stage, int map) {
        return ((long) stage << 32) | (map & 0xFFFFFFFFL);
    }

    /** Records the output of a map task; the first registered attempt wins. */
    public Location register(int stage, int map, int attempt, String host) {
        Location l = new Location(attempt, host);
        Location previous = locations.putIfAbsent(key(stage, map), l);
        return previous != null ? previous : l;
    }

    /** Forgets a map output (its host was lost), so it is recomputed. */
    public void unregister(int stage, int map) {
        locations.remove(key(stage, map));
    }

    /**
     * The output of a map task.
     *
     * @throws IllegalStateException if none was registered
     */
    public Location get(int stage, int map) {
        Location l = locations.get(key(stage, map));
        if (l == null) {
            throw new IllegalStateException("no output registered for stage " + stage + " map task " + map);
        }
        return l;
    }
}
