package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replay: a DELIVERED message emitted again on request, to its own topic, with the same id ({@code x-delay-id}) and
 * the header {@value #HEADER}{@code : true}, so that a consumer which drops duplicates by id can tell a replay it
 * asked for from a redelivery. The message itself is not changed (it stays DELIVERED), so a replay can be repeated.
 */
public final class Replay {

    /** The header every replayed record carries, with the value {@code true}. */
    public static final String HEADER = "x-delay-replay";

    private Replay() {
    }

    /** The record a replay of {@code m} emits: its headers, a client's own {@value #HEADER} replaced by ours. */
    static DelayMessage copyOf(DelayMessage m) {
        Map<String, String> headers = new LinkedHashMap<>(m.headers());
        headers.keySet().removeIf(HEADER::equalsIgnoreCase);
        headers.put(HEADER, "true");
        return m.withHeaders(headers);
    }
}
