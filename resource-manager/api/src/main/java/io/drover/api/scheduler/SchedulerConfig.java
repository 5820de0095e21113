package io.drover.api.scheduler;

import io.drover.api.Ids;
import java.time.Clock;
import java.time.Duration;

/**
 * How a framework connects to Drover.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param frameworkId the framework's id, kept across its restarts
 * @param frameworkName a human-readable name
 * @param principal who the framework is (checked by the master on every call)
 * @param role the role whose share the framework draws on
 * @param failoverTimeoutMs how long the master keeps the framework's tasks if it disappears
 * @param clock the time source for message headers
 */
public record SchedulerConfig(String bootstrap, String frameworkId, String frameworkName, String principal,
        String role, long failoverTimeoutMs, Clock clock) {

    /** Most update ids remembered for dropping repeats. */
    public static final int DEDUPE_WINDOW = 100_000;
    /** How long {@link SchedulerClient#subscribe} waits for the master before it gives up. */
    public static final Duration DEFAULT_SUBSCRIBE_TIMEOUT = Duration.ofSeconds(30);

    public SchedulerConfig {
        Ids.requireValidFrameworkId(frameworkId);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap must name at least one host:port");
        }
        if (principal == null || principal.isBlank()) {
            throw new IllegalArgumentException("principal must not be empty");
        }
        if (failoverTimeoutMs < 0) {
            throw new IllegalArgumentException("failoverTimeoutMs must not be negative");
        }
    }

    public static SchedulerConfig of(String bootstrap, String frameworkId, String frameworkName) {
        return new SchedulerConfig(bootstrap, frameworkId, frameworkName, System.getProperty("user.name", "drover"),
                "*", 0, Clock.systemUTC());
    }
}
