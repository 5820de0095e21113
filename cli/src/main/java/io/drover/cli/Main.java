package io.drover.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code drover} command. */
@Command(name = "drover", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Drover: a data-center resource manager on Kafka.",
        subcommands = {LocalCommand.class, ExecCommand.class, JobCommand.class, JobsCommand.class, ClusterCommand.class, TaskCommand.class, DemoCommand.class, BrokerCommand.class,
            MasterCommand.class, AgentCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    private static final Set<String> SERVICES = Set.of("local", "broker", "master", "agent", "jobs");

    public static void main(String[] args) {
        // Long-running services log what they do; one-shot commands keep stderr for their own output.
        boolean service = args.length > 0 && SERVICES.contains(args[0]);
        System.setProperty("drover.log.level", service ? "INFO" : "WARN");
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 2 for bad usage, 1 for a failure. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, badArgs) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("drover: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, c.getErr());
            c.usage(c.getErr());
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("drover: error: " + userMessage(e));
            return 1;
        });
        return cli.execute(args);
    }

    static String userMessage(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Version from the jar's manifest, or "development" when run from classes. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"drover " + (v == null ? "development" : v)};
        }
    }
}
