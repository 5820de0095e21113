package io.drover.job.shuffle;

import java.io.IOException;

/**
 * How a reduce task reads one block of a map output. A local implementation reads the files
 * directly ({@link LocalShuffleFetcher}); a remote one would ask the shuffle service of the host
 * that holds the map output.
 */
public interface ShuffleFetcher {

    /**
     * Opens the records of reduce partition {@code reducePartition} of the output of map task
     * {@code map} of stage {@code stage}, decompressed.
     *
     * @throws ShuffleFetchException if the output is missing or unreadable: the map task must run
     *     again
     * @throws IOException if reading fails otherwise
     */
    RecordStream fetch(int stage, int map, int reducePartition) throws IOException;
}
