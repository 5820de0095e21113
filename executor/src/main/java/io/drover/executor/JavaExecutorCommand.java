package io.drover.executor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a Java executor: the {@code java} of a Java home, the caller's
 * JVM options, {@link ChronicleFlags#JVM_ARGS} (without them the executor cannot open its queues
 * on Java 17), the class path and the main class. For the command of an executor a framework
 * launches tasks in.
 */
public final class JavaExecutorCommand {
    private JavaExecutorCommand() {}

    /**
     * @param javaHome a JDK or JRE on the agents' hosts, such as {@code System.getProperty("java.home")}
     * @param jvmOptions options before the Chronicle flags, such as {@code -Xmx256m}
     * @param classPath the executor's class path, as {@code java -cp} takes it
     * @param mainClass a class whose {@code main} calls {@link ExecutorRuntime#runFromEnvironment}
     */
    public static List<String> argv(Path javaHome, List<String> jvmOptions, String classPath, String mainClass) {
        if (classPath == null || classPath.isBlank() || mainClass == null || mainClass.isBlank()) {
            throw new IllegalArgumentException("a Java executor needs a class path and a main class");
        }
        List<String> argv = new ArrayList<>();
        argv.add(javaHome.resolve("bin").resolve("java").toString());
        argv.addAll(jvmOptions);
        argv.addAll(ChronicleFlags.JVM_ARGS);
        argv.add("-cp");
        argv.add(classPath);
        argv.add(mainClass);
        return List.copyOf(argv);
    }

    /** The same as {@link #argv(Path, List, String, String)} with this JVM's Java home and class path. */
    public static List<String> ofThisJvm(List<String> jvmOptions, String mainClass) {
        return argv(Path.of(System.getProperty("java.home")), jvmOptions, System.getProperty("java.class.path"), mainClass);
    }
}
