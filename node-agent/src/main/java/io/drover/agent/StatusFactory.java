package io.drover.agent;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.time.Clock;
import java.util.UUID;

/** Makes this agent's task status updates: each with a fresh update id, the agent id and the clock's time. */
final class StatusFactory {
    private final String agentId;
    private final Clock clock;

    StatusFactory(String agentId, Clock clock) {
        this.agentId = agentId;
        this.clock = clock;
    }

    /** A builder with every common field set; callers add exit code, tails and sandbox where they apply. */
    TaskStatus.Builder builder(String frameworkId, String taskId, TaskState state, TaskStatusReason reason, String message) {
        return TaskStatus.newBuilder()
                .setTaskId(taskId)
                .setFrameworkId(frameworkId)
                .setAgentId(agentId)
                .setState(state)
                .setReason(reason)
                .setMessage(message)
                .setUpdateId(UUID.randomUUID().toString())
                .setTimestampMs(clock.millis());
    }

    TaskStatus status(String frameworkId, String taskId, TaskState state, TaskStatusReason reason, String message) {
        return builder(frameworkId, taskId, state, reason, message).build();
    }
}
