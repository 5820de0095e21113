package io.drover.job.executor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the job service attaches to each task it launches on a job executor: which job, where its
 * plan is, which task attempt, and where every map output the task reads lives. Encoded compactly
 * (agents listed once, each map output as an attempt and an agent index), since a task's data is
 * at most 64 KiB.
 *
 * @param frameworkId the job service's framework id (names the agents' shuffle directories)
 * @param jobId the job, also the sink's job id
 * @param planUri where the plan's bytes ({@link io.drover.job.plan.JobPlan#toBytes}) are: an
 *     {@code http(s)://} URL the agent fetched into the executor's sandbox (under the URL's last
 *     path segment) before starting it, or a {@code file://} path readable on the agent's host
 * @param stage the task's stage
 * @param partition the task's partition
 * @param attempt the attempt number, unique per task
 * @param agents where every agent named in {@code outputs}, and the task's own agent, is: its
 *     shuffle service's HTTP address, host and shuffle directory
 * @param outputs the map outputs of the stages this task reads, by stage, then by map task
 * @param jarUri a user job's jar (a URL like {@code planUri}'s), loaded with the plan; empty for a built-in job
 * @param jarSha256 the jar's SHA-256 in hex, checked before it is loaded
 */
public record TaskData(String frameworkId, String jobId, String planUri, int stage, int partition, int attempt,
        Map<String, Agent> agents, Map<Integer, List<Output>> outputs, String jarUri, String jarSha256) {

    /** A task of a built-in job (no user jar). */
    public TaskData(String frameworkId, String jobId, String planUri, int stage, int partition, int attempt,
            Map<String, Agent> agents, Map<Integer, List<Output>> outputs) {
        this(frameworkId, jobId, planUri, stage, partition, attempt, agents, outputs, "", "");
    }

    private static final int VERSION = 2;

    /**
     * Where an agent is, as the service last learned it.
     *
     * @param http its shuffle service's {@code host:port}; empty when unknown
     * @param host its host name, as its offers give it; empty when unknown. Agents with the same
     *     host name share a filesystem, so a reducer may read the other's map outputs from disk
     * @param shuffleDir its shuffle directory for this framework ({@code <dir>/<jobId>/...} holds a
     *     job's map outputs) on that host; empty when unknown
     */
    public record Agent(String http, String host, String shuffleDir) {
        /** Only an HTTP address known. */
        public static Agent http(String http) {
            return new Agent(http, "", "");
        }
    }

    /** Where one map task's output is: its winning attempt and the agent holding it. */
    public record Output(int attempt, String agentId) {}

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(VERSION);
            out.writeUTF(frameworkId);
            out.writeUTF(jobId);
            out.writeUTF(planUri);
            out.writeUTF(jarUri);
            out.writeUTF(jarSha256);
            out.writeInt(stage);
            out.writeInt(partition);
            out.writeInt(attempt);
            List<String> agentIds = new ArrayList<>(agents.keySet());
            Map<String, Integer> index = new HashMap<>();
            out.writeInt(agentIds.size());
            for (String a : agentIds) {
                index.put(a, index.size());
                Agent where = agents.get(a);
                out.writeUTF(a);
                out.writeUTF(where.http());
                out.writeUTF(where.host());
                out.writeUTF(where.shuffleDir());
            }
            out.writeInt(outputs.size());
            for (Map.Entry<Integer, List<Output>> e : outputs.entrySet()) {
                out.writeInt(e.getKey());
                out.writeInt(e.getValue().size());
                for (Output o : e.getValue()) {
                    Integer i = index.get(o.agentId());
                    if (i == null) {
                        throw new IllegalArgumentException("map output on agent " + o.agentId() + ", which is not listed");
                    }
                    out.writeInt(o.attempt());
                    out.writeShort(i);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads {@link #toBytes}.
     *
     * @throws IllegalArgumentException if the bytes are not task data of this version
     */
    public static TaskData fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("task data of unknown version " + version);
            }
            String fw = in.readUTF();
            String job = in.readUTF();
            String plan = in.readUTF();
            String jar = in.readUTF();
            String sha = in.readUTF();
            int stage = in.readInt();
            int partition = in.readInt();
            int attempt = in.readInt();
            int n = in.readInt();
            List<String> ids = new ArrayList<>(n);
            Map<String, Agent> agents = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                ids.add(id);
                agents.put(id, new Agent(in.readUTF(), in.readUTF(), in.readUTF()));
            }
            int stages = in.readInt();
            Map<Integer, List<Output>> outputs = new LinkedHashMap<>();
            for (int s = 0; s < stages; s++) {
                int id = in.readInt();
                int maps = in.readInt();
                List<Output> list = new ArrayList<>(maps);
                for (int m = 0; m < maps; m++) {
                    int a = in.readInt();
                    list.add(new Output(a, ids.get(in.readShort())));
                }
                outputs.put(id, list);
            }
            return new TaskData(fw, job, plan, stage, partition, attempt, agents, outputs, jar, sha);
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not job task data: " + e, e);
        }
    }
}
