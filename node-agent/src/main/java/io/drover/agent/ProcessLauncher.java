package io.drover.agent;

import io.drover.api.protocol.CommandInfo;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts a task's command as an OS process in its own sandbox directory. The command runs
 * directly (no shell) with the agent's environment plus the task's variables plus
 * {@code DROVER_*} variables naming the agent, framework, task and sandbox; stdin is
 * {@code /dev/null}; stdout and stderr are piped, each through a {@link RotatingLog} pump thread,
 * into the files {@code stdout} and {@code stderr} in the sandbox (which is also the working
 * directory), rolled over to {@code stdout.1}... when they reach the configured size.
 *
 * <p>Limits on cpus and memory are applied after the start, by {@link Tasks} through an {@link Isolator}.
 */
final class ProcessLauncher {
    static final String STDOUT = "stdout";
    static final String STDERR = "stderr";
    /** Most sandboxes one task id may have under one framework (one per run). */
    static final int MAX_RUNS = 10_000;
    /**
     * Separates a task id from its run number in a sandbox name. Task ids never contain it, so a
     * re-run's sandbox cannot clash with another task's.
     */
    static final char RUN_SEPARATOR = '~';

    private static final File DEV_NULL = new File("/dev/null");

    /** A started task process and the end of its output: when both pumps have closed their files. */
    record Started(Process process, CompletableFuture<Void> outputClosed) {}

    private final Path sandboxesRoot;
    private final String agentId;
    private final long logMaxBytes;
    private final int logMaxFiles;

    /**
     * @param logMaxBytes most bytes in one output file before it rolls over
     * @param logMaxFiles rolled output files kept per stream
     */
    ProcessLauncher(Path sandboxesRoot, String agentId, long logMaxBytes, int logMaxFiles) {
        this.sandboxesRoot = sandboxesRoot;
        this.agentId = agentId;
        this.logMaxBytes = logMaxBytes;
        this.logMaxFiles = logMaxFiles;
    }

    /**
     * Creates {@code <root>/<frameworkId>/<taskId>/}, or {@code <taskId>~2}, {@code ~3}... when
     * earlier runs of the same task id left theirs. The ids must already be valid ids (no path
     * separators).
     */
    Path createSandbox(String frameworkId, String taskId) throws IOException {
        Path parent = Files.createDirectories(sandboxesRoot.resolve(frameworkId));
        for (int run = 1; run <= MAX_RUNS; run++) {
            Path dir = parent.resolve(run == 1 ? taskId : taskId + RUN_SEPARATOR + run);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // an earlier run's sandbox: try the next run number
            }
        }
        throw new IOException("task " + taskId + " of framework " + frameworkId + " already has " + MAX_RUNS + " sandboxes under " + parent);
    }

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private static void requireExecutable(String program, Map<String, String> taskEnv, Path sandbox) throws IOException {
        if (program.contains("/")) {
            // A relative path is relative to the working directory, the sandbox (where fetched files land).
            if (!Files.isExecutable(sandbox.resolve(program))) {
                throw new IOException("Cannot run program \"" + program + "\": No such file or executable");
            }
            return;
        }
        String path = taskEnv.getOrDefault("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        throw new IOException("Cannot run program \"" + program + "\": not found on PATH " + path);
    }

    /**
     * Starts the command in the sandbox, and a pump thread for each of its stdout and stderr;
     * throws what {@link ProcessBuilder#start()} throws, or what creating the output files throws.
     */
    Started start(String frameworkId, String taskId, CommandInfo command, Path sandbox) throws IOException {
        List<String> argv = new ArrayList<>(command.getArguments());
        if (Files.isExecutable(SETSID)) {
            // Its own session and process group: a Ctrl-C or hang-up aimed at the agent's terminal
            // must not reach tasks, which the agent stops itself. setsid execs in place (the
            // child is not a group leader), so the pid is the task's. Since setsid would report
            // a missing program only as exit code 127, look for it first, as ProcessBuilder does.
            requireExecutable(argv.get(0), command.getEnvironment(), sandbox);
            argv.add(0, SETSID.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(sandbox.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = pb.environment();
        env.putAll(command.getEnvironment());
        env.put("DROVER_AGENT_ID", agentId);
        env.put("DROVER_FRAMEWORK_ID", frameworkId);
        env.put("DROVER_TASK_ID", taskId);
        env.put("DROVER_SANDBOX", sandbox.toString());
        RotatingLog out = new RotatingLog(sandbox.resolve(STDOUT), logMaxBytes, logMaxFiles);
        RotatingLog err;
        try {
            err = new RotatingLog(sandbox.resolve(STDERR), logMaxBytes, logMaxFiles);
        } catch (IOException e) {
            out.close();
            throw e;
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            out.close();
            err.close();
            throw e;
        }
        String name = "drover-task-" + frameworkId + "/" + taskId + "-";
        CompletableFuture<Void> outDone = RotatingLog.pump(process.getInputStream(), out, name + STDOUT);
        CompletableFuture<Void> errDone = RotatingLog.pump(process.getErrorStream(), err, name + STDERR);
        return new Started(process, CompletableFuture.allOf(outDone, errDone));
    }
}
