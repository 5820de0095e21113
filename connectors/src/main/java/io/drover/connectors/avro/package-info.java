/**
 * Avro container files: {@link io.drover.connectors.avro.AvroSource} (byte-range splits aligned to
 * sync markers, a reader schema resolved against each file's writer schema, any codec the file
 * names, a corrupted block failing with the file and its byte offset) and
 * {@link io.drover.connectors.avro.AvroSink} (part files committed atomically per job, codec
 * null, deflate, snappy or zstandard).
 */
package io.drover.connectors.avro;
