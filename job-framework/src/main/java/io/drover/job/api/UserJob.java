package io.drover.job.api;

import java.util.List;

/**
 * A job from a user's jar, for {@code drover job submit --jar my.jar --class com.example.MyJob -- ARGS}:
 * the class implements this and has a public no-argument constructor. The job service loads it
 * from the jar, calls {@link #define} with the arguments after {@code --}, plans the result and runs
 * it; executors load the jar to run the job's functions. The job must end in a sink
 * ({@link Dataset#write}).
 */
public interface UserJob {

    /**
     * The job to run.
     *
     * @throws IllegalArgumentException for bad arguments, with a one-line message for the user
     */
    JobSpec define(List<String> args);
}
