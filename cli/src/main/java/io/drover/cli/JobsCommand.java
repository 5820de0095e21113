package io.drover.cli;

import io.drover.job.service.JobService;
import io.drover.job.service.JobServiceConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover jobs serve}: the job service against an existing cluster. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "The job service.",
        subcommands = {JobsCommand.Serve.class})
final class JobsCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Run the job service (framework drover-jobs) against a cluster until Ctrl-C. It runs the jobs",
                "submitted with `drover job submit`, and on start resumes jobs an earlier service left unfinished.",
                "Executors start as `java -cp <this JVM's class path>`: Drover must be installed at the same path on",
                "every agent, and inputs and outputs must be at the same paths there too. Agents fetch each job's",
                "plan and user jar from this service over HTTP (--http-listen) into the executor's sandbox."})
    static final class Serve implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--state-dir", defaultValue = ".drover/jobs", description = "where job plans are kept (default: ${DEFAULT-VALUE})")
        Path stateDir;

        @Option(names = "--task-cpus", defaultValue = "1", description = "CPUs per task (default: ${DEFAULT-VALUE})")
        double taskCpus;

        @Option(names = "--executor-mem", defaultValue = "768m", converter = Units.MbConverter.class,
                description = {"memory per executor besides its tasks'; its heap is this plus one task's memory, less a quarter",
                    "and at least 128 MiB (default: ${DEFAULT-VALUE})"})
        long executorMemMb;

        @Option(names = "--max-attempts", defaultValue = "4", description = "attempts per task (default: ${DEFAULT-VALUE})")
        int maxAttempts;

        @Option(names = "--http-listen", paramLabel = "HOST:PORT", defaultValue = JobServiceConfig.DEFAULT_HTTP_LISTEN,
                description = {"where agents fetch job plans and user jars from this service; 0.0.0.0 is advertised as this",
                    "host's name, port 0 picks a free port (default: ${DEFAULT-VALUE})"})
        String httpListen;

        @Option(names = "--no-executor-class-archive", negatable = false,
                description = "start executors without the class-data-sharing archive of their start-up classes")
        boolean noClassArchive;

        @Option(names = "--executor-full-compiler", negatable = false,
                description = {"let executors use the JVM's optimizing compiler (C2) too: faster on long tight loops, such as",
                    "wordcount's map stage, slower on short stages and sort (default: the quick compiler only)"})
        boolean fullCompiler;

        @Option(names = "--speculation", description = "run a copy of a task that runs much longer than its stage's others")
        boolean speculation;

        @Override
        public Integer call() throws Exception {
            JobServiceConfig config;
            try {
                config = JobServiceConfig.defaults(cluster.bootstrap(), stateDir.toAbsolutePath()).withTaskCpus(taskCpus)
                        .withExecutorMemMb(executorMemMb).withMaxAttempts(maxAttempts).withSpeculation(speculation)
                        .withHttpListen(httpListen).withExecutorClassArchive(!noClassArchive)
                        .withExecutorQuickCompiler(!fullCompiler);
            } catch (IllegalArgumentException e) {
                System.err.println("drover jobs serve: " + e.getMessage());
                return 2;
            }
            JobService service;
            try {
                service = new JobService(config, Clock.systemUTC());
            } catch (java.io.UncheckedIOException e) {
                System.err.println("drover jobs serve: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(service::close, "job-service-stop"));
            service.start();
            if (!service.awaitReady(Duration.ofSeconds(60))) {
                System.err.println("drover jobs serve: no master answered within 60 s at " + config.bootstrap());
                service.close();
                return 1;
            }
            System.out.println("job service running as framework " + config.frameworkId() + " on " + config.bootstrap()
                    + "; Ctrl-C stops it");
            while (service.isAlive()) {
                Thread.sleep(500); // NOPMD: serving until the service thread ends or Ctrl-C
            }
            return 0;
        }
    }
}
