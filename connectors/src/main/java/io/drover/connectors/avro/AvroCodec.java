package io.drover.connectors.avro;

import java.util.Locale;
import org.apache.avro.file.CodecFactory;

/**
 * The block compression of Avro files an {@link AvroSink} writes. Readers need no setting: a
 * container file names its codec in its header.
 */
public enum AvroCodec {
    /** No compression. */
    NULL("null"),
    /** Deflate at level 6: small files, the slowest to write. */
    DEFLATE("deflate"),
    /** Snappy (xerial snappy-java), with a CRC32 per block: fast, larger files. */
    SNAPPY("snappy"),
    /** Zstandard at level 3 (zstd-jni): about deflate's size at snappy-like speed. */
    ZSTD("zstandard");

    private final String avroName;

    AvroCodec(String avroName) {
        this.avroName = avroName;
    }

    /** The name Avro writes in a file's {@code avro.codec} header. */
    public String avroName() {
        return avroName;
    }

    CodecFactory factory() {
        return switch (this) {
            case NULL -> CodecFactory.nullCodec();
            case DEFLATE -> CodecFactory.deflateCodec(6);
            case SNAPPY -> CodecFactory.snappyCodec();
            case ZSTD -> CodecFactory.zstandardCodec(3);
        };
    }

    /**
     * The codec named {@code name}: {@code null}, {@code deflate}, {@code snappy}, {@code zstd} or
     * {@code zstandard}, in any case.
     *
     * @throws IllegalArgumentException for any other name, listing the known ones
     */
    public static AvroCodec parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (AvroCodec codec : values()) {
            if (codec.avroName.equals(n) || codec.name().toLowerCase(Locale.ROOT).equals(n)) {
                return codec;
            }
        }
        throw new IllegalArgumentException("unknown Avro codec '" + name + "': use null, deflate, snappy or zstd");
    }
}
