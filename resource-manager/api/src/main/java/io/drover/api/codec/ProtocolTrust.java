package io.drover.api.codec;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes of packages it does not trust, and not only when
 * decoding: building a record whose unset field defaults to a record (a map of Resources, say)
 * instantiates one too. Every class that builds protocol records calls {@link #ensure()} first,
 * so that no JVM needs a system property for it.
 */
public final class ProtocolTrust {
    private static final String PROTOCOL_PACKAGE = "io.drover.api.protocol";

    static {
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(),
                type -> type.getPackageName().equals(PROTOCOL_PACKAGE)
                        || type.getPackageName().startsWith(PROTOCOL_PACKAGE + ".")));
    }

    /** Trusts io.drover.api.protocol and its subpackages (once per JVM; later calls do nothing). */
    public static void ensure() {
        // The static initializer does the work.
    }

    private ProtocolTrust() {}
}
