package io.drover.api;

import io.drover.api.protocol.Header;
import java.time.Clock;
import java.util.UUID;

/** Builds the header every message carries. */
public final class Envelopes {
    static {
        io.drover.api.codec.ProtocolTrust.ensure();
    }

    /** Epoch value for messages that no master wrote. */
    public static final long NO_EPOCH = -1;

    /** A header with a fresh message id, the sender, the master epoch and the clock's time. */
    public static Header header(String principal, long masterEpoch, Clock clock) {
        return Header.newBuilder()
                .setMessageId(UUID.randomUUID().toString())
                .setPrincipal(principal)
                .setMasterEpoch(masterEpoch)
                .setTimestampMs(clock.millis())
                .setSignature(null)
                .build();
    }

    /** A header for a message from an agent or a framework. */
    public static Header header(String principal, Clock clock) {
        return header(principal, NO_EPOCH, clock);
    }

    private Envelopes() {}
}
