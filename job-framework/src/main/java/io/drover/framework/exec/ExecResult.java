package io.drover.framework.exec;

import io.drover.api.scheduler.TaskPhase;

/**
 * How a run ended.
 *
 * @param phase the task's last state (null when it never launched)
 * @param exitCode what {@code drover exec} exits with: the task's exit code when it ran, 128+9 when
 *     it was killed, {@link ExecFramework#DROVER_ERROR} when Drover could not run it
 * @param message why, in words
 */
public record ExecResult(String taskId, TaskPhase phase, int exitCode, String message) {}
