/**
 * Files as sources and sinks, whatever their format: expanding input paths and globs
 * ({@link io.drover.connectors.file.InputPaths}), and the atomic job commit of output files
 * ({@link io.drover.connectors.file.FileSink}, with a {@link io.drover.connectors.file.FileFormat}
 * per format).
 */
package io.drover.connectors.file;
