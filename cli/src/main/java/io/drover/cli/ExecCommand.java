package io.drover.cli;

import io.drover.api.scheduler.ResourceSpec;
import io.drover.framework.exec.ExecFramework;
import io.drover.framework.exec.ExecRequest;
import io.drover.framework.exec.ExecResult;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run one command as a task on the cluster, like mesos-execute. Prints each state",
            "change and the task's stderr on stderr, the task's stdout on stdout, and exits with",
            "the task's exit code (125 when Drover could not run it, 137 when it was killed)."})
final class ExecCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--cpus", defaultValue = "0.5", description = "CPUs for the task (default: ${DEFAULT-VALUE})")
    double cpus;

    @Option(names = "--mem", defaultValue = "128m", converter = Units.MbConverter.class,
            description = "memory for the task, as 64m or 2g (default: ${DEFAULT-VALUE})")
    long memMb;

    @Option(names = "--disk", defaultValue = "0", converter = Units.MbConverter.class,
            description = "disk for the task (default: ${DEFAULT-VALUE})")
    long diskMb;

    @Option(names = "--name", defaultValue = "exec", description = "the task's name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--role", defaultValue = "*", description = "the role whose share the task draws on (default: ${DEFAULT-VALUE})")
    String role;

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "an environment variable for the task (repeatable)")
    Map<String, String> env = Map.of();

    @Option(names = "--uri", paramLabel = "URL[#SHA256]",
            description = "a file:// or http(s):// URL fetched into the sandbox before the command starts, checked against"
                    + " the sha256 after '#' when given, and made executable (repeatable)")
    List<String> uris = List.of();

    @Option(names = "--offer-timeout", defaultValue = "20s", converter = Units.DurationConverter.class,
            description = "give up when no offer fits within this time (default: ${DEFAULT-VALUE})")
    Duration offerTimeout;

    @Option(names = "--connect-timeout", defaultValue = "30s", converter = Units.DurationConverter.class,
            description = "give up when no master answers within this time (default: ${DEFAULT-VALUE})")
    Duration connectTimeout;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "the command and its arguments, after --")
    List<String> command;

    @Override
    public Integer call() {
        ExecRequest request;
        try {
            request = new ExecRequest(name, new ResourceSpec(cpus, memMb, diskMb, 0), command, env, offerTimeout, connectTimeout,
                    uris.stream().map(ExecRequest::parseUri).toList());
        } catch (IllegalArgumentException e) {
            System.err.println("drover exec: " + e.getMessage());
            return 2;
        }
        ExecResult result = new ExecFramework(cluster.bootstrap(), Clock.systemUTC(), System.out, System.err).withRole(role).run(request);
        if (result.exitCode() == ExecFramework.DROVER_ERROR) {
            System.err.println("drover exec: " + result.message());
        }
        return result.exitCode();
    }
}
