package io.drover.executor;

/**
 * A task the agent hands to an executor.
 *
 * @param taskId unique within the framework
 * @param name the task's human-readable name
 * @param data the bytes the framework attached to the task (empty when none); the caller owns
 *     this copy
 * @param cpus the CPUs the task was given
 * @param memMb the memory the task was given, in MiB
 * @param diskMb the disk the task was given, in MiB
 */
public record TaskLaunch(String taskId, String name, byte[] data, double cpus, long memMb, long diskMb) {}
