package io.hourglass.store.mysql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Headers as a JSON object in the {@code headers} column; {@code NULL} when there are none. A private mapper, so
 * that the application's Jackson customizations never change the stored format.
 *
 * <p>The Cassandra store has a copy of this class (the stores share only delay-core, which stays free of Jackson);
 * the store contract's {@code headersAreKeptAsOneJsonObjectInTheClientsOrder} pins the format of both.
 */
final class HeadersJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> TYPE = new TypeReference<>() {
    };

    private HeadersJson() {
    }

    static String encode(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("headers cannot be written as JSON", e);
        }
    }

    static Map<String, String> decode(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(json, TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("headers column holds invalid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
