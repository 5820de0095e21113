/** The built-in jobs (wordcount, sort, grep, join), written with the public job API. */
package io.drover.job.builtin;
