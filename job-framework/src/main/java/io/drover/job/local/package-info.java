/**
 * {@link io.drover.job.local.LocalRunner}: runs a plan's stages in one JVM on a bounded thread
 * pool, with bounded retries of failed attempts and one commit of the output per job.
 */
package io.drover.job.local;
