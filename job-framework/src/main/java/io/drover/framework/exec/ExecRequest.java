package io.drover.framework.exec;

import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.TaskSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One command to run on the cluster.
 *
 * @param name the task's name
 * @param resources what the task asks for
 * @param command program and arguments
 * @param environment added variables
 * @param offerTimeout how long to wait for an offer that fits before giving up
 * @param subscribeTimeout how long to wait for the master to answer
 * @param uris files the agent fetches into the sandbox before the command starts
 */
public record ExecRequest(String name, ResourceSpec resources, List<String> command, Map<String, String> environment,
        Duration offerTimeout, Duration subscribeTimeout, List<TaskSpec.Uri> uris) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** A request without URIs to fetch. */
    public ExecRequest(String name, ResourceSpec resources, List<String> command, Map<String, String> environment,
                       Duration offerTimeout, Duration subscribeTimeout) {
        this(name, resources, command, environment, offerTimeout, subscribeTimeout, List.of());
    }

    /**
     * Parses {@code URL} or {@code URL#sha256} (64 hex digits after the last '#'), as
     * {@code drover exec --uri} takes it. The fetched file is made executable, so that a
     * fetched program or script can be the command.
     *
     * @throws IllegalArgumentException when the URL is not file://, http:// or https://, or the
     *     part after '#' is not a sha256
     */
    public static TaskSpec.Uri parseUri(String spec) {
        String url = spec;
        String sha256 = null;
        int hash = spec.lastIndexOf('#');
        if (hash >= 0) {
            url = spec.substring(0, hash);
            sha256 = spec.substring(hash + 1).toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("--uri " + spec + ": after '#' must come a sha256 of 64 hex digits");
            }
        }
        if (!url.startsWith("file://") && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("--uri " + spec + ": only file://, http:// and https:// URLs can be fetched");
        }
        return new TaskSpec.Uri(url, sha256, true, null);
    }

    public ExecRequest {
        uris = uris == null ? List.of() : List.copyOf(uris);
        if (command.isEmpty() || command.get(0).isEmpty()) {
            throw new IllegalArgumentException("no command given: put it after --, as in: drover exec -- echo hello");
        }
        if (resources.cpus() <= 0 && resources.memMb() <= 0) {
            throw new IllegalArgumentException("a task must ask for some CPU or memory");
        }
    }
}
