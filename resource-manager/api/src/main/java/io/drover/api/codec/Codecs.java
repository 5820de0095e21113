package io.drover.api.codec;

import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.DeadLetter;
import io.drover.api.protocol.FrameworkEvent;
import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.SnapshotPointer;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.executor.ExecutorMessage;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/** The codec of every top-level message, one per topic. */
public final class Codecs {
    /** Writer schemas the decoders know; later versions of Drover add their older schemas here. */
    private static final SchemaStore.Cache KNOWN = new SchemaStore.Cache();

    public static final Codec<AgentMessage> AGENT_MESSAGE = codec(AgentMessage.class, AgentMessage.getClassSchema());
    public static final Codec<StatusMessage> STATUS_MESSAGE = codec(StatusMessage.class, StatusMessage.getClassSchema());
    public static final Codec<CallMessage> CALL_MESSAGE = codec(CallMessage.class, CallMessage.getClassSchema());
    public static final Codec<AgentCommand> AGENT_COMMAND = codec(AgentCommand.class, AgentCommand.getClassSchema());
    public static final Codec<FrameworkEvent> FRAMEWORK_EVENT = codec(FrameworkEvent.class, FrameworkEvent.getClassSchema());
    public static final Codec<MasterLogRecord> MASTER_LOG_RECORD = codec(MasterLogRecord.class, MasterLogRecord.getClassSchema());
    public static final Codec<DeadLetter> DEAD_LETTER = codec(DeadLetter.class, DeadLetter.getClassSchema());
    public static final Codec<JobEvent> JOB_EVENT = codec(JobEvent.class, JobEvent.getClassSchema(),
            "history/JobEvent-1.avsc");
    public static final Codec<SnapshotPointer> SNAPSHOT_POINTER = codec(SnapshotPointer.class, SnapshotPointer.getClassSchema());
    /**
     * The agent-executor channel's messages, in Chronicle Queue excerpts on one host; on no topic,
     * so not in {@link #ALL} (which the schema topic publishes).
     */
    public static final Codec<ExecutorMessage> EXECUTOR_MESSAGE = codec(ExecutorMessage.class, ExecutorMessage.getClassSchema());

    /** Every top-level codec of a topic, in a fixed order. */
    public static final List<Codec<?>> ALL = List.of(AGENT_MESSAGE, STATUS_MESSAGE, CALL_MESSAGE, AGENT_COMMAND,
            FRAMEWORK_EVENT, MASTER_LOG_RECORD, DEAD_LETTER, JOB_EVENT, SNAPSHOT_POINTER);

    /**
     * The codec of a type, decoding its current schema and {@code older} ones (resources beside the
     * generated classes, kept when a schema changes so that events already on a topic still decode).
     */
    private static <T extends org.apache.avro.specific.SpecificRecord> Codec<T> codec(Class<T> type, Schema schema,
            String... older) {
        KNOWN.addSchema(schema);
        for (String resource : older) {
            KNOWN.addSchema(olderSchema(resource));
        }
        return new Codec<>(type, schema, KNOWN);
    }

    /** An older schema of a message, parsed with the shared types (the envelope's Header) it names. */
    private static Schema olderSchema(String resource) {
        try (java.io.InputStream in = JobEvent.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the build");
            }
            return new Schema.Parser().addTypes(java.util.List.of(io.drover.api.protocol.Header.getClassSchema())).parse(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read schema resource " + resource, e);
        }
    }

    /** The fingerprint as it keys drover.schemas: 16 lower-case hex digits. */
    public static String fingerprintKey(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    private Codecs() {}
}
