package io.drover.api;

import java.util.regex.Pattern;

/** Rules for the ids that appear in topic names, keys and sandbox paths. */
public final class Ids {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern FRAMEWORK = Pattern.compile("[A-Za-z0-9_-]{1,200}");

    /**
     * Checks an agent or task id: 1 to 200 characters of letters, digits, '.', '_' and '-', and
     * not "." or ".." (ids become path segments of sandboxes).
     *
     * @throws IllegalArgumentException naming the id and the rule, when it breaks the rule
     */
    public static String requireValid(String kind, String id) {
        if (id == null || !VALID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException(kind + " '" + id + "' is not valid: use 1 to 200 letters, digits, '.', '_' or '-'");
        }
        return id;
    }

    /**
     * Checks a framework id: 1 to 200 letters, digits, '_' and '-'. No '.': the id names the
     * topic drover.offers.&lt;id&gt;, and Kafka refuses two topics whose names differ only by
     * '.' against '_'.
     *
     * @throws IllegalArgumentException naming the id and the rule, when it breaks the rule
     */
    public static String requireValidFrameworkId(String id) {
        if (id == null || !FRAMEWORK.matcher(id).matches()) {
            throw new IllegalArgumentException("framework id '" + id + "' is not valid: use 1 to 200 letters, digits, '_' or '-'");
        }
        return id;
    }

    private Ids() {}
}
