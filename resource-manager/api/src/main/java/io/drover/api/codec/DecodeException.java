package io.drover.api.codec;

/** Bytes that are not a message of the expected schema. */
public final class DecodeException extends Exception {
    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
