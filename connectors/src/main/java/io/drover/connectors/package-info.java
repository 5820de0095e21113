/**
 * The connector SPI: how the job framework reads and writes data.
 *
 * <p>A {@link io.drover.connectors.Source} lists {@link io.drover.connectors.Split}s and opens a
 * {@link io.drover.connectors.Reader} per split, usually on another host than the one that listed
 * them; a split therefore carries everything needed to open it. A {@link io.drover.connectors.Sink}
 * writes through a job-level {@link io.drover.connectors.JobCommitter}: writers per task attempt,
 * commit or abort per task, then commit or abort per job, so that a retried or duplicated task
 * never shows twice in the output.
 *
 * <p>Connectors depend on nothing of the job framework; the framework depends on them.
 */
package io.drover.connectors;
