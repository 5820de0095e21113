package io.drover.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.codec.Codec;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.Accept;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatusReason;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class CodecTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

    static AgentMessage register() {
        return AgentMessage.newBuilder()
                .setHeader(Envelopes.header("agent-1", CLOCK))
                .setAgentId("agent-1")
                .setBody(RegisterAgent.newBuilder()
                        .setHostname("host-ü")
                        .setTotal(ResourceMath.of(2, 4096, 1000, 0))
                        .setAttributes(Map.of("rack", "r1"))
                        .setStartedAtMs(5)
                        .build())
                .build();
    }

    @Test
    void roundTripsEveryKindOfBody() throws DecodeException {
        AgentMessage m = register();
        byte[] bytes = Codecs.AGENT_MESSAGE.encode(m);
        // Single-object encoding: marker C3 01, then the 8-byte little-endian fingerprint.
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (bytes[2 + i] & 0xFFL) << (8 * i);
        }
        assertEquals(SchemaNormalization.parsingFingerprint64(AgentMessage.getClassSchema()), fp);
        assertEquals(m, Codecs.AGENT_MESSAGE.decode(bytes));

        CallMessage call = CallMessage.newBuilder()
                .setHeader(Envelopes.header("fw", CLOCK))
                .setFrameworkId("fw")
                .setBody(Accept.newBuilder()
                        .setOfferIds(List.of("o-1"))
                        .setTasks(List.of(TaskInfo.newBuilder()
                                .setTaskId("t").setName("n").setAgentId("a")
                                .setResources(ResourceMath.of(0.5, 64, 0, 0))
                                .setCommand(CommandInfo.newBuilder().setArguments(List.of("true")).build())
                                .build()))
                        .build())
                .build();
        assertEquals(call, Codecs.CALL_MESSAGE.decode(Codecs.CALL_MESSAGE.encode(call)));
    }

    @Test
    void rejectsGarbageTruncationAndOtherSchemasWithDecodeException() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            for (Codec<?> codec : Codecs.ALL) {
                assertThrows(DecodeException.class, () -> codec.decode(garbage));
            }
        }
        byte[] good = Codecs.AGENT_MESSAGE.encode(register());
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(good, cut);
            assertThrows(DecodeException.class, () -> Codecs.AGENT_MESSAGE.decode(truncated));
        }
        // A message of another topic's schema is refused, not misread.
        assertThrows(DecodeException.class, () -> Codecs.CALL_MESSAGE.decode(good));
        assertThrows(DecodeException.class, () -> Codecs.CALL_MESSAGE.decode(null));
    }

    @Test
    void everyEnumStartsWithUnknownAndEveryFieldIsDocumented() {
        for (Codec<?> codec : Codecs.ALL) {
            check(codec.schema(), new java.util.HashSet<>());
        }
        assertEquals(TaskState.UNKNOWN, TaskState.values()[0]);
        assertEquals(TaskStatusReason.UNKNOWN, TaskStatusReason.values()[0]);
    }

    private static void check(Schema schema, java.util.Set<String> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                assertTrue(schema.getDoc() != null && !schema.getDoc().isBlank(), schema.getFullName() + " has no doc");
                for (Schema.Field f : schema.getFields()) {
                    assertTrue(f.doc() != null && !f.doc().isBlank(), schema.getFullName() + "." + f.name() + " has no doc");
                    check(f.schema(), seen);
                }
            }
            case ENUM -> assertEquals("UNKNOWN", schema.getEnumSymbols().get(0), schema.getFullName());
            case ARRAY -> check(schema.getElementType(), seen);
            case MAP -> check(schema.getValueType(), seen);
            case UNION -> schema.getTypes().forEach(t -> check(t, seen));
            default -> { }
        }
    }

    @Test
    void fingerprintsDifferPerTopicMessage() {
        assertEquals(Codecs.ALL.size(), Codecs.ALL.stream().map(Codec::fingerprint).distinct().count());
        assertNotEquals(Codecs.AGENT_MESSAGE.fingerprint(), Codecs.CALL_MESSAGE.fingerprint());
        assertEquals(16, Codecs.fingerprintKey(Codecs.AGENT_MESSAGE.fingerprint()).length());
    }

    @Test
    void agentPartitionIsStableAndInRange() {
        for (int i = 0; i < 1000; i++) {
            int p = AgentPartitions.commandPartition("agent-" + i, 8);
            assertTrue(p >= 0 && p < 8);
            assertEquals(p, AgentPartitions.commandPartition("agent-" + i, 8));
        }
    }

    /** An event converted to the previous JobEvent schema, as a writer of that version encoded it. */
    private static org.apache.avro.generic.GenericRecord asPreviousSchema(io.drover.api.protocol.JobEvent e, Schema previous)
            throws java.io.IOException {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder out = org.apache.avro.io.EncoderFactory.get().binaryEncoder(raw, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(io.drover.api.protocol.JobEvent.class).write(e, out);
        out.flush();
        return new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(
                io.drover.api.protocol.JobEvent.getClassSchema(), previous, org.apache.avro.generic.GenericData.get())
                .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(raw.toByteArray(), null));
    }

    @Test
    void jobEventsOfThePreviousSchemaStillDecodeAndANewKindReadsAsUnknownThere() throws Exception {
        Schema previous;
        try (var in = io.drover.api.protocol.JobEvent.class.getResourceAsStream("history/JobEvent-1.avsc")) {
            previous = new Schema.Parser().addTypes(List.of(io.drover.api.protocol.Header.getClassSchema())).parse(in);
        }
        io.drover.api.protocol.JobEvent progress = io.drover.api.protocol.JobEvent.newBuilder()
                .setHeader(Envelopes.header("drover-jobs", CLOCK)).setJobId("wc-1").setName("wc")
                .setKind(io.drover.api.protocol.JobEventKind.PROGRESS).setState(io.drover.api.protocol.JobState.RUNNING)
                .setStages(List.of(io.drover.api.protocol.StageProgress.newBuilder().setStage(0).setTasksDone(3).build()))
                .build();
        byte[] old = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), previous).encode(asPreviousSchema(progress, previous)).array();
        io.drover.api.protocol.JobEvent decoded = Codecs.JOB_EVENT.decode(old);
        assertEquals(progress, decoded, "same content, with the new fields at their defaults");
        assertEquals("", decoded.getRunId());

        io.drover.api.protocol.JobEvent outputs = io.drover.api.protocol.JobEvent.newBuilder(progress)
                .setKind(io.drover.api.protocol.JobEventKind.MAP_OUTPUTS).setStages(List.of()).setRunId("wc-1")
                .setMapOutputs(List.of(io.drover.api.protocol.MapOutput.newBuilder().setStage(0).setPartition(1).setAttempt(0)
                        .setAgentId("a").build()))
                .build();
        assertEquals("UNKNOWN", asPreviousSchema(outputs, previous).get("kind").toString(),
                "a reader of the previous schema sees the new kind as UNKNOWN");
    }
}
