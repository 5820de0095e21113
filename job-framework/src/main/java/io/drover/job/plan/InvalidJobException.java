package io.drover.job.plan;

/**
 * A job that cannot be planned as given: a missing input path, an output that cannot take the
 * job, a function that cannot be serialized. The message is one line meant for the user.
 */
public final class InvalidJobException extends IllegalArgumentException {

    public InvalidJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
