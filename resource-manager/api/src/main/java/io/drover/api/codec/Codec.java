package io.drover.api.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one message type with Avro's single-object encoding: a two-byte marker,
 * the writer schema's 64-bit fingerprint, then the binary body. A decoder reads bodies written
 * with any schema the {@link SchemaStore} knows, resolving them to this type's schema. Instances
 * are thread-safe.
 */
public final class Codec<T extends SpecificRecord> {
    static {
        ProtocolTrust.ensure();
    }

    private final Class<T> type;
    private final Schema schema;
    private final long fingerprint;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    /** A codec for {@code type} that also decodes the older writer schemas in {@code store}. */
    public Codec(Class<T> type, Schema schema, SchemaStore store) {
        this.type = type;
        this.schema = schema;
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema, store);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return schema;
    }

    /** The CRC-64-AVRO fingerprint of the schema's parsing canonical form, as written on the wire. */
    public long fingerprint() {
        return fingerprint;
    }

    /** The message in single-object encoding. */
    public byte[] encode(T message) {
        try {
            ByteBuffer buffer = encoder.encode(message);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * Decodes a message.
     *
     * @throws DecodeException when the bytes are null, truncated, carry an unknown fingerprint or
     *     do not match the schema
     */
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException("no bytes (null value) where a " + type.getSimpleName() + " was expected", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("not a valid " + type.getSimpleName() + ": " + e, e);
        }
    }
}
