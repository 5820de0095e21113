/**
 * How records become bytes in shuffles and results: {@link io.drover.job.serde.Serde}, fast
 * built-ins ({@link io.drover.job.serde.Serdes}: String, byte[], Long, Integer, pairs, lists) and
 * Avro ({@link io.drover.job.serde.AvroGenericSerde}, {@link io.drover.job.serde.AvroReflectSerde}).
 */
package io.drover.job.serde;
