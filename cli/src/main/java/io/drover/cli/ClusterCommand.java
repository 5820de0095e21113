package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code drover cluster ...}: the cluster as the master's HTTP API sees it. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show the cluster: a summary, or agents, frameworks and tasks as tables (from the master's HTTP API).",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Agents.class, ClusterCommand.Frameworks.class,
            ClusterCommand.Tasks.class})
final class ClusterCommand {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--master", paramLabel = "URL", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "the master's HTTP address, as http://host:5050 (default: found in drover.master-log)")
    String master;

    @Option(names = "--json", scope = picocli.CommandLine.ScopeType.INHERIT, description = "print the API's JSON, for scripts")
    boolean json;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    String masterUrl() {
        return master != null ? master.replaceAll("/+$", "") : MasterLocator.locate(cluster.bootstrap());
    }

    JsonNode get(String path) {
        return new MasterApi(masterUrl()).get(path);
    }

    int print(JsonNode node, Runnable table) {
        if (json) {
            try {
                System.out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            table.run();
        }
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "One screen: agents, resources, frameworks with their shares, tasks by state.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Override
        public Integer call() {
            JsonNode state = parent.get("/api/v1/state");
            return parent.print(state, () -> {
                JsonNode m = state.get("master");
                JsonNode t = state.get("totals");
                System.out.printf("Drover cluster: master %s, epoch %d, %s%n", m.get("id").asText(), m.get("epoch").asLong(),
                        m.get("active").asBoolean() ? "active" : "NOT ACTIVE");
                List<String> byState = new ArrayList<>();
                state.get("tasksByState").fields().forEachRemaining(e -> byState.add(e.getKey() + " " + e.getValue().asInt()));
                System.out.printf("%d agents, %d frameworks, %d tasks%s%n%n", t.get("agents").asInt(), t.get("frameworks").asInt(),
                        t.get("tasks").asInt(), byState.isEmpty() ? "" : " (" + String.join(", ", byState) + ")");
                Table r = new Table("RESOURCE", "TOTAL", "USED", "OFFERED", "FREE");
                for (String[] res : new String[][] {{"cpus", "cpus", ""}, {"mem", "memMb", " MiB"}, {"disk", "diskMb", " MiB"}, {"gpus", "gpus", ""}}) {
                    double total = t.get("total").get(res[1]).asDouble();
                    double used = t.get("used").get(res[1]).asDouble();
                    double offered = t.get("offered").get(res[1]).asDouble();
                    r.row(res[0], num(total) + res[2], num(used) + res[2] + pct(used, total), num(offered) + res[2],
                            num(Math.max(0, total - used - offered)) + res[2]);
                }
                r.print();
                System.out.println();
                Table f = new Table("FRAMEWORK", "NAME", "ROLE", "TASKS", "OFFERS", "SHARE");
                for (JsonNode fw : state.get("frameworks")) {
                    f.row(fw.get("id").asText(), fw.get("name").asText(), fw.get("role").asText(), fw.get("activeTasks").asText(),
                            fw.get("offers").asText(), String.format(Locale.ROOT, "%.1f%%", 100 * fw.get("dominantShare").asDouble()));
                }
                f.printOr("no frameworks");
            });
        }
    }

    @Command(name = "agents", mixinStandardHelpOptions = true, description = "The agents, with their resources: used / total.")
    static final class Agents implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Override
        public Integer call() {
            JsonNode page = parent.get("/api/v1/agents?limit=1000");
            return parent.print(page, () -> {
                Table t = new Table("AGENT", "HOST", "STATE", "CPUS", "MEM (MiB)", "DISK (MiB)", "GPUS", "TASKS", "ATTRIBUTES");
                for (JsonNode a : page.get("agents")) {
                    t.row(a.get("id").asText(), a.get("hostname").asText(), a.get("state").asText(), usedOf(a, "cpus"), usedOf(a, "memMb"), usedOf(a, "diskMb"),
                            usedOf(a, "gpus"), a.get("tasks").asText(), attributes(a.get("attributes")));
                }
                t.printOr("no agents");
                more(page, "agents");
            });
        }
    }

    @Command(name = "frameworks", mixinStandardHelpOptions = true, description = "The subscribed frameworks and their shares.")
    static final class Frameworks implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Override
        public Integer call() {
            JsonNode page = parent.get("/api/v1/frameworks?limit=1000");
            return parent.print(page, () -> {
                Table t = new Table("FRAMEWORK", "NAME", "ROLE", "PRINCIPAL", "TASKS", "OFFERS", "CPUS", "MEM (MiB)", "SHARE");
                for (JsonNode f : page.get("frameworks")) {
                    t.row(f.get("id").asText(), f.get("name").asText(), f.get("role").asText(), f.get("principal").asText(),
                            f.get("activeTasks").asText(), f.get("offers").asText(), num(f.get("allocated").get("cpus").asDouble()),
                            num(f.get("allocated").get("memMb").asDouble()),
                            String.format(Locale.ROOT, "%.1f%%", 100 * f.get("dominantShare").asDouble()));
                }
                t.printOr("no frameworks");
                more(page, "frameworks");
            });
        }
    }

    @Command(name = "tasks", mixinStandardHelpOptions = true, description = "The tasks the master tracks.")
    static final class Tasks implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Option(names = "--framework", description = "only this framework's tasks")
        String framework;

        @Option(names = "--agent", description = "only tasks on this agent")
        String agent;

        @Option(names = "--state", description = "only tasks in this state, as RUNNING")
        String state;

        @Option(names = "--limit", defaultValue = "100", description = "at most this many (1 to 1000; default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() {
            StringBuilder q = new StringBuilder("/api/v1/tasks?limit=" + limit);
            append(q, "framework", framework);
            append(q, "agent", agent);
            append(q, "state", state);
            JsonNode page = parent.get(q.toString());
            return parent.print(page, () -> {
                Table t = new Table("FRAMEWORK", "TASK", "STATE", "AGENT", "CPUS", "MEM (MiB)", "REASON");
                for (JsonNode task : page.get("tasks")) {
                    t.row(task.get("frameworkId").asText(), task.get("taskId").asText(), task.get("state").asText(),
                            task.get("agentId").asText(), num(task.get("resources").get("cpus").asDouble()),
                            num(task.get("resources").get("memMb").asDouble()), task.get("reason").asText());
                }
                t.printOr("no tasks");
                more(page, "tasks");
            });
        }

        private static void append(StringBuilder q, String name, String value) {
            if (value != null) {
                q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
    }

    static void more(JsonNode page, String what) {
        int total = page.get("total").asInt();
        int shown = page.get(what).size();
        if (total > shown) {
            System.out.printf("(%d of %d %s shown; --json and the API's offset/limit page through the rest)%n", shown, total, what);
        }
    }

    static String usedOf(JsonNode agent, String field) {
        return num(agent.get("used").get(field).asDouble()) + " / " + num(agent.get("total").get(field).asDouble());
    }

    static String attributes(JsonNode attrs) {
        List<String> parts = new ArrayList<>();
        attrs.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

    static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }

    static String pct(double part, double whole) {
        return whole > 0 ? String.format(Locale.ROOT, " (%.0f%%)", 100 * part / whole) : "";
    }

    /** A plain text table with columns as wide as their widest cell. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void printOr(String empty) {
            if (rows.size() == 1) {
                System.out.println(empty);
            } else {
                print();
            }
        }

        void print() {
            int[] widths = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    widths[i] = Math.max(widths[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    sb.append(i == r.length - 1 ? r[i] : String.format("%-" + (widths[i] + 2) + "s", r[i]));
                }
                System.out.println(sb.toString().stripTrailing());
            }
        }
    }
}
