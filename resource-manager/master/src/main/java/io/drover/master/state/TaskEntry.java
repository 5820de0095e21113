package io.drover.master.state;

import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import java.util.EnumSet;
import java.util.Set;

/** The master's record of one task: what was launched and the last status taken in. */
public final class TaskEntry {
    private static final Set<TaskState> TERMINAL = EnumSet.of(TaskState.FINISHED, TaskState.FAILED,
            TaskState.KILLED, TaskState.ERROR, TaskState.LOST, TaskState.DROPPED, TaskState.GONE);

    private final String frameworkId;
    private final TaskInfo task;
    private TaskStatus latest;

    TaskEntry(String frameworkId, TaskInfo task, TaskStatus latest) {
        this.frameworkId = frameworkId;
        this.task = task;
        this.latest = latest;
    }

    public String frameworkId() {
        return frameworkId;
    }

    public TaskInfo task() {
        return task;
    }

    /** The last status taken in; never null (STAGING when the task was added). */
    public TaskStatus latest() {
        return latest;
    }

    void setLatest(TaskStatus status) {
        this.latest = status;
    }

    public TaskState state() {
        return latest.getState();
    }

    public boolean isTerminal() {
        return isTerminal(latest.getState());
    }

    /** True for states a task never leaves. */
    public static boolean isTerminal(TaskState state) {
        return TERMINAL.contains(state);
    }
}
