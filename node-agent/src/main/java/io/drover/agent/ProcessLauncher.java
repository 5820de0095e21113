package io.drover.agent;

import io.drover.api.protocol.CommandInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a task's command as an OS process in its own sandbox directory, so that it does not
 * depend on the agent: an agent that dies (even by SIGKILL) leaves the task running, its output
 * still captured, and its exit code on disk for the next agent run.
 *
 * <ul>
 *   <li>The command runs under a tiny {@code sh} wrapper (in its own session, through
 *       {@code setsid}, where the machine has it): the wrapper waits for the agent's go (a line on
 *       its stdin, sent once the task's limits are applied, so that no process of the task runs
 *       outside them), runs the command with stdin {@code /dev/null}, then writes the exit status
 *       (128+N for signal N) to {@value #EXIT_FILE} in the sandbox atomically (a temporary file,
 *       then a rename) and exits with it. It ignores SIGTERM itself, so a kill's SIGTERM ends the
 *       command and the wrapper still records how; only SIGKILL stops it unrecorded.</li>
 *   <li>stdout and stderr go straight to the files {@code stdout} and {@code stderr} in the
 *       sandbox (which is also the working directory), opened for append: no agent thread and no
 *       pipe in between. {@link RotatingLog} rolls them over by copy-truncate.</li>
 *   <li>The environment is the agent's, plus the task's variables, plus {@code DROVER_*}
 *       variables naming the agent, framework, task and sandbox.</li>
 * </ul>
 *
 * <p>Limits on cpus and memory are applied after the start, by {@link Tasks} through an
 * {@link Isolator}, before {@link Started#go()}.
 */
final class ProcessLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessLauncher.class);
    static final String STDOUT = "stdout";
    static final String STDERR = "stderr";
    /** Most sandboxes one task id may have under one framework (one per run). */
    static final int MAX_RUNS = 10_000;
    /**
     * Separates a task id from its run number in a sandbox name. Task ids never contain it, so a
     * re-run's sandbox cannot clash with another task's.
     */
    static final char RUN_SEPARATOR = '~';

    /** The file in the sandbox where the wrapper records the command's exit status. */
    static final String EXIT_FILE = ".drover-exit";
    /**
     * The wrapper: {@code $@} is the command. It waits for the go line (end of input without one:
     * the agent gave the task up before it started, so nothing runs), ignores SIGTERM and SIGINT
     * (a trap, not SIG_IGN, so the command does not inherit the ignoring), runs the command, and
     * records its status atomically.
     */
    static final String WRAPPER = "trap : TERM INT; IFS= read -r go || exit 126; \"$@\" </dev/null; code=$?; "
            + "printf '%s\\n' \"$code\" > " + EXIT_FILE + ".tmp && mv -f " + EXIT_FILE + ".tmp " + EXIT_FILE + "; exit \"$code\"";

    /** A started task process, waiting for {@link #go()} to run its command. */
    record Started(Process process) {
        /**
         * Lets the command run. Once is enough; a wrapper whose agent never says go (it died, or
         * gave the task up) exits with 126 without running the command.
         */
        void go() throws IOException {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write('\n');
            }
        }
    }

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
     * Starts the wrapper in the sandbox, its stdout and stderr appended to the sandbox's files;
     * the command runs once {@link Started#go()} is called. Throws when the program is not found
     * (the wrapper would only report it as exit code 127), or what {@link ProcessBuilder#start()}
     * throws.
     */
    Started start(String frameworkId, String taskId, CommandInfo command, Path sandbox) throws IOException {
        requireExecutable(command.getArguments().get(0), command.getEnvironment(), sandbox);
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "drover-task"));
        argv.addAll(command.getArguments());
        if (Files.isExecutable(SETSID)) {
            // Its own session and process group: a Ctrl-C or hang-up aimed at the agent's terminal
            // must not reach tasks, which the agent stops itself. setsid execs in place (the
            // child is not a group leader), so the pid is the wrapper's.
            argv.add(0, SETSID.toString());
        }
        Path stdout = sandbox.resolve(STDOUT);
        Path stderr = sandbox.resolve(STDERR);
        Files.deleteIfExists(sandbox.resolve(EXIT_FILE));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(sandbox.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        Map<String, String> env = pb.environment();
        env.putAll(command.getEnvironment());
        env.put("DROVER_AGENT_ID", agentId);
        env.put("DROVER_FRAMEWORK_ID", frameworkId);
        env.put("DROVER_TASK_ID", taskId);
        env.put("DROVER_SANDBOX", sandbox.toString());
        return new Started(pb.start());
    }

    /**
     * Rolls the task's output files in {@code sandbox} over when they have passed the size limit
     * (see {@link RotatingLog#rotateIfOver}); failures are logged, the task goes on.
     */
    void rotateLogs(Path sandbox) {
        for (String name : List.of(STDOUT, STDERR)) {
            try {
                RotatingLog.rotateIfOver(sandbox.resolve(name), logMaxBytes, logMaxFiles);
            } catch (IOException e) {
                LOG.warn("cannot roll {} over: {}", sandbox.resolve(name), e.toString());
            }
        }
    }

    /** The exit status the wrapper recorded in {@code sandbox}, if it recorded one. */
    static java.util.OptionalInt readExitCode(Path sandbox) {
        Path file = sandbox.resolve(EXIT_FILE);
        try {
            return java.util.OptionalInt.of(Integer.parseInt(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }
}
