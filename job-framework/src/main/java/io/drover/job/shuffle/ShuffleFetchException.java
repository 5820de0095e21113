package io.drover.job.shuffle;

import java.io.IOException;

/**
 * A map output could not be fetched: missing (its host or files were lost) or unreadable. Not the
 * reduce task's fault: the scheduler should run the map task again and then retry the reducer.
 */
public final class ShuffleFetchException extends IOException {

    private final int stage;
    private final int map;

    public ShuffleFetchException(int stage, int map, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.map = map;
    }

    /** The map stage whose output was lost. */
    public int stage() {
        return stage;
    }

    /** The map task whose output was lost. */
    public int map() {
        return map;
    }
}
