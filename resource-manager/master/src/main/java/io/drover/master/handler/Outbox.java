package io.drover.master.handler;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.FrameworkEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds the master's outgoing messages, stamped with its epoch. */
public final class Outbox {
    static final String PRINCIPAL = "master";

    private final Clock clock;
    private final LongSupplier epoch;

    public Outbox(Clock clock, LongSupplier epoch) {
        this.clock = clock;
        this.epoch = epoch;
    }

    /** An event for a framework, on its offers topic. */
    public ProducerRecord<byte[], byte[]> toFramework(String frameworkId, Object body) {
        FrameworkEvent event = FrameworkEvent.newBuilder()
                .setHeader(Envelopes.header(PRINCIPAL, epoch.getAsLong(), clock))
                .setFrameworkId(frameworkId)
                .setBody(body)
                .build();
        return new ProducerRecord<>(Topics.offers(frameworkId), 0, bytes(frameworkId), Codecs.FRAMEWORK_EVENT.encode(event));
    }

    /** A command for an agent, on the command partition the master assigned it. */
    public ProducerRecord<byte[], byte[]> toAgent(String agentId, int partition, Object body) {
        AgentCommand command = AgentCommand.newBuilder()
                .setHeader(Envelopes.header(PRINCIPAL, epoch.getAsLong(), clock))
                .setAgentId(agentId)
                .setBody(body)
                .build();
        return new ProducerRecord<>(Topics.AGENT_COMMANDS, partition, bytes(agentId), Codecs.AGENT_COMMAND.encode(command));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
