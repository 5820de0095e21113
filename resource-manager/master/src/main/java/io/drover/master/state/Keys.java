package io.drover.master.state;

/** Keys of the master's entities, in RocksDB and in the dirty set. */
public final class Keys {
    static final String META = "m";
    static final String AGENT = "a/";
    static final String FRAMEWORK = "f/";
    static final String OFFER = "o/";
    static final String TASK = "t/";
    static final String EXECUTOR = "x/";

    public static String agent(String id) {
        return AGENT + id;
    }

    public static String framework(String id) {
        return FRAMEWORK + id;
    }

    public static String offer(String id) {
        return OFFER + id;
    }

    /** A task's key: framework and task id, since task ids are unique only within a framework. */
    public static String task(String frameworkId, String taskId) {
        return TASK + frameworkId + "/" + taskId;
    }

    /** An executor's key: agent, framework and executor id, since an executor id is unique only there. */
    public static String executor(String agentId, String frameworkId, String executorId) {
        return EXECUTOR + agentId + "/" + frameworkId + "/" + executorId;
    }

    /** The prefix of every executor key of one agent. */
    static String executorsOf(String agentId) {
        return EXECUTOR + agentId + "/";
    }

    private Keys() {}
}
