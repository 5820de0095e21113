package io.drover.job.service;

import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobEventKind;
import io.drover.api.protocol.JobState;
import io.drover.api.protocol.JobSubmission;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What a submitter does with the job service, all through {@code drover.jobs}: submit a job, follow
 * its events to the end, kill it, read the history. The service need not be reachable in any other
 * way; a submitter can stop following and come back.
 */
public final class JobClient implements AutoCloseable {

    /** A follow that hears nothing from the service for this long says so. */
    public static final Duration DEFAULT_ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /**
     * A follow gives up when a running job has had no event for this long (the service writes one
     * at least every 30 s while the job runs).
     */
    public static final Duration SILENCE_TIMEOUT = Duration.ofMinutes(3);

    private final JobsTopic topic;
    private final Clock clock;

    public JobClient(String bootstrap, Clock clock) {
        this.clock = clock;
        this.topic = new JobsTopic(bootstrap, "drover-job-client-" + UUID.randomUUID().toString().substring(0, 8),
                System.getProperty("user.name", "drover"), clock);
    }

    /** A new job id: the name, a dash and 8 random hex digits. */
    public static String newJobId(String name) {
        String base = name.replaceAll("[^A-Za-z0-9_-]", "_");
        base = base.substring(0, Math.min(base.length(), 60));
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Submits a job; its events from now on are what {@link #follow} reads.
     *
     * @return the job id
     */
    public String submit(String name, JobSubmission submission) {
        String jobId = newJobId(name);
        topic.seekToEnd();
        topic.send(topic.event(jobId, name, JobEventKind.SUBMIT, JobState.SUBMITTED, "", submission, List.of(), 0, ""));
        return jobId;
    }

    /** Asks the service to kill a job. */
    public void kill(String jobId, String name) {
        topic.send(topic.event(jobId, name, JobEventKind.KILL, JobState.UNKNOWN, "kill requested", null, List.of(), 0, ""));
    }

    /**
     * Hands every event of the job to {@code onEvent} until its final state, and returns that.
     *
     * @throws IllegalStateException when the service says nothing of the job for {@code answerTimeout}
     *     after it was submitted (no service runs)
     */
    public JobEvent follow(String jobId, Consumer<JobEvent> onEvent, Duration answerTimeout) {
        long deadline = clock.millis() + answerTimeout.toMillis();
        boolean answered = false;
        long lastEventMs = clock.millis();
        while (true) {
            for (JobEvent e : topic.poll(Duration.ofMillis(200))) {
                if (!e.getJobId().equals(jobId) || e.getKind() == JobEventKind.SUBMIT || e.getKind() == JobEventKind.KILL) {
                    continue;
                }
                answered = true;
                lastEventMs = clock.millis();
                onEvent.accept(e);
                if (JobService.terminal(e.getState()) && e.getKind() != JobEventKind.PROGRESS) {
                    return e;
                }
            }
            if (!answered && clock.millis() > deadline) {
                throw new IllegalStateException("no job service answered within " + answerTimeout.toSeconds()
                        + " s (is `drover local` or `drover jobs serve` running?); job " + jobId + " stays submitted");
            }
            if (answered && clock.millis() - lastEventMs > SILENCE_TIMEOUT.toMillis()) {
                throw new IllegalStateException("no news of job " + jobId + " for " + SILENCE_TIMEOUT.toMinutes()
                        + " minutes: is the job service still running? (`drover job status " + jobId + "` later)");
            }
        }
    }

    /** Every event of every job, oldest first. */
    public List<JobEvent> history() {
        return topic.readToEnd();
    }

    /** The latest event of each job (its submission, state or progress), by job id, oldest submission first. */
    public static Map<String, JobEvent> latest(List<JobEvent> history) {
        Map<String, JobEvent> latest = new java.util.HashMap<>();
        Map<String, Long> firstMs = new java.util.HashMap<>();
        for (JobEvent e : history) {
            if (e.getKind() == JobEventKind.KILL || e.getKind() == JobEventKind.MAP_OUTPUTS) {
                continue; // neither changes what the job's state is
            }
            latest.put(e.getJobId(), e);
            firstMs.putIfAbsent(e.getJobId(), e.getHeader().getTimestampMs());
        }
        Map<String, JobEvent> ordered = new LinkedHashMap<>();
        firstMs.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(f -> ordered.put(f.getKey(), latest.get(f.getKey())));
        return ordered;
    }

    @Override
    public void close() {
        topic.close();
    }
}
