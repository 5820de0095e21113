package io.drover.job.api;

import java.io.Serializable;

/**
 * A key and a value: the record type of keyed datasets.
 *
 * @param key the key; not null
 * @param value the value; may be null only where its serde allows
 */
public record Pair<K, V>(K key, V value) implements Serializable {

    public Pair {
        if (key == null) {
            throw new IllegalArgumentException("a pair's key must not be null");
        }
    }

    public static <K, V> Pair<K, V> of(K key, V value) {
        return new Pair<>(key, value);
    }
}
