/**
 * UTF-8 text, one record per line: {@link io.drover.connectors.text.TextLineSource} (byte-range
 * splits, gzip read whole, a String and a zero-copy byte-slice path) and
 * {@link io.drover.connectors.text.TextLineSink} (part files committed atomically per job).
 */
package io.drover.connectors.text;
