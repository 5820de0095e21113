/**
 * RFC 4180 CSV as Avro records: {@link io.drover.connectors.csv.CsvSource} (splits cut at row
 * starts by a quote-parity scan, an explicit or inferred schema, malformed rows failing the job or
 * skipped, counted and written to a rejected-rows file) and {@link io.drover.connectors.csv.CsvSink}
 * (part files committed atomically per job, quoting only where needed).
 */
package io.drover.connectors.csv;
