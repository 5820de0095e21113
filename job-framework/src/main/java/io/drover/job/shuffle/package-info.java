/**
 * The shuffle, independent of where it runs. A map task writes through a
 * {@link io.drover.job.shuffle.MapOutputWriter}: a bounded sort buffer, sorted runs spilled to
 * disk, merged at the end into one data file (a block per reduce partition, LZ4 or uncompressed)
 * and an index of block ranges ({@link io.drover.job.shuffle.ShuffleIndex}), named per attempt
 * ({@link io.drover.job.shuffle.ShuffleFiles}). Reducers read blocks through a
 * {@link io.drover.job.shuffle.ShuffleFetcher} and merge them ({@link io.drover.job.shuffle.MergedStream}).
 *
 * <p>Block format: records of {@code varint keyLength, varint valueLength, key, value}, sorted by
 * key bytes (or the sort's comparator), each block compressed on its own.
 */
package io.drover.job.shuffle;
