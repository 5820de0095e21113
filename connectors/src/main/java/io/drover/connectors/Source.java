package io.drover.connectors;

import java.io.IOException;
import java.util.List;

/**
 * Where a job reads its input from.
 *
 * <p>{@link #splits} runs once per job, where the job is planned; {@link #open} runs once per split
 * in the task that reads it, possibly on another host and in another process. A source is therefore
 * built from configuration only and must not rely on state created by {@code splits}: every split
 * describes itself.
 *
 * @param <T> the type of the records read
 */
public interface Source<T> {

    /**
     * Lists the splits of the input.
     *
     * @param desiredParallelism how many splits the caller would like, at least 1; a hint, not a
     *     promise: a source may return fewer (small input, unsplittable files) or more (many files)
     * @return the splits, in input order; empty when there is nothing to read
     * @throws IllegalArgumentException if the input does not exist or cannot be listed as configured,
     *     with a message naming what is missing
     * @throws IOException if listing fails for another reason
     */
    List<Split> splits(int desiredParallelism) throws IOException;

    /**
     * Opens a reader over one split that this source type listed. The union of the readers of all
     * splits of one {@link #splits} call yields every record of the input exactly once.
     *
     * @throws IllegalArgumentException if the split is not of this source's type
     * @throws IOException if the split's data cannot be opened (for instance, a file was deleted)
     */
    Reader<T> open(Split split) throws IOException;
}
