package io.drover.api;

import java.util.regex.Pattern;

/** Rules for the ids that appear in topic names and keys. */
public final class Ids {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /**
     * Checks that an id may be used as a framework or agent id: 1 to 200 characters of letters,
     * digits, '.', '_' and '-' (a framework id becomes part of a Kafka topic name).
     *
     * @throws IllegalArgumentException naming the id and the rule, when it breaks the rule
     */
    public static String requireValid(String kind, String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException(kind + " '" + id + "' is not valid: use 1 to 200 letters, digits, '.', '_' or '-'");
        }
        return id;
    }

    private Ids() {}
}
