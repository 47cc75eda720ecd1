package io.hourglass.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A named value the admin API keeps for the servers (callback targets, allowed hosts, signing secrets): the name
 * is a dotted path such as {@code callback.target.orders}, the value a text its owner parses (JSON, a secret).
 *
 * @param name      at most {@value #MAX_NAME_BYTES} UTF-8 bytes
 * @param value     at most {@value #MAX_VALUE_BYTES} UTF-8 bytes
 * @param updatedAt epoch ms of the last write
 */
public record Setting(String name, String value, long updatedAt) {

    public static final int MAX_NAME_BYTES = 255;
    public static final int MAX_VALUE_BYTES = 65_536;

    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a setting name has 1 to " + MAX_NAME_BYTES + " bytes");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("a setting value has at most " + MAX_VALUE_BYTES + " bytes");
        }
    }
}
