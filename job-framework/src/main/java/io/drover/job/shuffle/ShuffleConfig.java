package io.drover.job.shuffle;

/**
 * How map tasks write shuffle output, validated once at construction.
 *
 * @param bufferBytes the in-memory sort buffer of one map task; when full it is sorted and spilled
 *     to disk as a run; default {@value #DEFAULT_BUFFER_BYTES}
 * @param compression of shuffle blocks and spills, where the data compresses (see
 *     {@link Compression#worthItOn}); default LZ4
 * @param fsync whether map outputs are forced to disk before they are published; off by default,
 *     since a lost map output is recomputed
 * @param mergeFanIn the most runs merged at once; more runs are merged in passes; default
 *     {@value #DEFAULT_MERGE_FAN_IN}
 * @param combineMaxKeys the most distinct keys a map-side combiner holds before it flushes into the
 *     sort buffer (it also flushes at half the sort buffer's worth of key bytes); about 40 bytes of
 *     table per key plus the key and its value; default {@value #DEFAULT_COMBINE_MAX_KEYS}
 */
public record ShuffleConfig(long bufferBytes, Compression compression, boolean fsync, int mergeFanIn,
        int combineMaxKeys) {

    public static final long DEFAULT_BUFFER_BYTES = 64L << 20;
    public static final int DEFAULT_MERGE_FAN_IN = 64;
    public static final int DEFAULT_COMBINE_MAX_KEYS = 1 << 19;
    /** The sort buffer must fit an int-indexed array. */
    public static final long MAX_BUFFER_BYTES = 1L << 30;

    public ShuffleConfig {
        if (bufferBytes < 1024 || bufferBytes > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("bufferBytes must be 1024 to " + MAX_BUFFER_BYTES + ": " + bufferBytes);
        }
        if (compression == null) {
            throw new IllegalArgumentException("compression must be set");
        }
        if (mergeFanIn < 2 || mergeFanIn > 4096) {
            throw new IllegalArgumentException("mergeFanIn must be 2 to 4096: " + mergeFanIn);
        }
        if (combineMaxKeys < 1) {
            throw new IllegalArgumentException("combineMaxKeys must be at least 1: " + combineMaxKeys);
        }
    }

    public static ShuffleConfig defaults() {
        return new ShuffleConfig(DEFAULT_BUFFER_BYTES, Compression.LZ4, false, DEFAULT_MERGE_FAN_IN,
                DEFAULT_COMBINE_MAX_KEYS);
    }

    public ShuffleConfig withBufferBytes(long value) {
        return new ShuffleConfig(value, compression, fsync, mergeFanIn, combineMaxKeys);
    }

    public ShuffleConfig withCompression(Compression value) {
        return new ShuffleConfig(bufferBytes, value, fsync, mergeFanIn, combineMaxKeys);
    }

    public ShuffleConfig withFsync(boolean value) {
        return new ShuffleConfig(bufferBytes, compression, value, mergeFanIn, combineMaxKeys);
    }

    public ShuffleConfig withMergeFanIn(int value) {
        return new ShuffleConfig(bufferBytes, compression, fsync, value, combineMaxKeys);
    }

    public ShuffleConfig withCombineMaxKeys(int value) {
        return new ShuffleConfig(bufferBytes, compression, fsync, mergeFanIn, value);
    }
}
