package io.drover.job.local;

/** A job failed: a task exhausted its attempts, or the output could not be committed. */
public final class JobFailedException extends Exception {

    public JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
