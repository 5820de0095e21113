package io.drover.api.scheduler;

/** A task's state, as a framework sees it; see docs/protocol.md for each one's meaning. */
public enum TaskPhase {
    UNKNOWN, STAGING, STARTING, RUNNING, KILLING, FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, UNREACHABLE, GONE;

    /** True for states a task never leaves. */
    public boolean isTerminal() {
        return switch (this) {
            case FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, GONE -> true;
            default -> false;
        };
    }
}
