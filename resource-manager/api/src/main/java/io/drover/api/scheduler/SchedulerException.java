package io.drover.api.scheduler;

/** The scheduler client could not do what was asked; the message says why in words for a user. */
public final class SchedulerException extends RuntimeException {
    public SchedulerException(String message, Throwable cause) {
        super(message, cause);
    }
}
