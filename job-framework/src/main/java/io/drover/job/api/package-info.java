/**
 * The job API: {@link io.drover.job.api.Dataset} (read from a connector source; map, flatMap,
 * filter, mapPartitions, distinct; write, count, collect) and
 * {@link io.drover.job.api.KeyedDataset} (reduceByKey and aggregateByKey with map-side combining,
 * groupByKey, join, sortByKey). Building datasets runs nothing: a {@link io.drover.job.api.JobSpec}
 * is planned into stages and run by a runner. User functions are the serializable types of
 * {@link io.drover.job.api.Fn}, shipped with the plan by Java serialization.
 */
package io.drover.job.api;
