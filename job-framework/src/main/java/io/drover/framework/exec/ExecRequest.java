package io.drover.framework.exec;

import io.drover.api.scheduler.ResourceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One command to run on the cluster.
 *
 * @param name the task's name
 * @param resources what the task asks for
 * @param command program and arguments
 * @param environment added variables
 * @param offerTimeout how long to wait for an offer that fits before giving up
 * @param subscribeTimeout how long to wait for the master to answer
 */
public record ExecRequest(String name, ResourceSpec resources, List<String> command, Map<String, String> environment,
        Duration offerTimeout, Duration subscribeTimeout) {
    public ExecRequest {
        if (command.isEmpty() || command.get(0).isEmpty()) {
            throw new IllegalArgumentException("no command given: put it after --, as in: drover exec -- echo hello");
        }
        if (resources.cpus() <= 0 && resources.memMb() <= 0) {
            throw new IllegalArgumentException("a task must ask for some CPU or memory");
        }
    }
}
