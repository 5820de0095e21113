package io.drover.executor;

import java.util.List;

/**
 * The JVM flags Chronicle Queue needs on Java 17 (it maps files through JDK internals), plus the
 * two that turn off its banner and usage reporting. Every JVM that opens a queue needs them: the
 * agent (the {@code drover} script passes them), executors (the agent passes them when it starts
 * a Java executor) and tests (the parent pom's {@code drover.chronicle.jvmArgs}, which must list
 * the same set).
 */
public final class ChronicleFlags {
    private ChronicleFlags() {}

    /** The flags, one per element, for a {@code java} command line. */
    public static final List<String> JVM_ARGS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "-Dchronicle.announcer.disable=true",
            "-Dchronicle.analytics.disable=true");

    /**
     * Whether this JVM was started with the flags (checked through the module system, so any
     * spelling of them counts): without them the first queue opened fails deep inside Chronicle,
     * so callers check first and say what is missing.
     */
    public static boolean present() {
        Module us = ChronicleFlags.class.getModule();
        Module base = Object.class.getModule();
        return base.isExported("jdk.internal.misc", us)
                && base.isExported("sun.nio.ch", us)
                && base.isOpen("java.lang", us)
                && base.isOpen("java.lang.reflect", us);
    }

    /** Throws with a message naming the flags when {@link #present()} is false. */
    public static void require() {
        if (!present()) {
            throw new IllegalStateException("this JVM lacks the flags Chronicle Queue needs on Java 17; start it with: "
                    + String.join(" ", JVM_ARGS));
        }
    }
}
