package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class BatchApiTest extends ApiTestSupport {

    private static Map<String, Object> entry(String topic, String payload, long delayMs) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("topic", topic);
        if (payload != null) {
            m.put("payload", payload);
        }
        m.put("delayMs", delayMs);
        return m;
    }

    @Test
    void batchReturnsOneResultPerInputInOrderWithErrorsInline() {
        int before = storedCount();
        String body = json("messages", List.of(
                entry("demo", "first", 60_000),
                entry("demo", null, 60_000),
                entry("other", "not mine", 60_000),
                entry("demo", "last", 120_000)));

        Reply reply = authed("POST", "/api/v1/messages/batch", body);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(4);

        assertThat(fieldNames(results.get(0))).containsExactly("id", "deliverAt", "state");
        assertThat(stored(results.get(0).get("id").asText()).payload()).isEqualTo("first");
        assertThat(results.get(0).get("state").asText()).isEqualTo("SCHEDULED");

        assertThat(fieldNames(results.get(1))).containsExactly("error");
        JsonNode missing = results.get(1).get("error");
        assertThat(missing.get("type").asText()).isEqualTo(TYPE_PREFIX + "validation-failed");
        assertThat(missing.get("status").asInt()).isEqualTo(400);
        assertThat(missing.get("detail").asText()).contains("payload");
        assertThat(missing.at("/errors/0/field").asText()).isEqualTo("payload");

        assertThat(fieldNames(results.get(2))).containsExactly("error");
        assertThat(results.get(2).at("/error/type").asText()).isEqualTo(TYPE_PREFIX + "topic-forbidden");
        assertThat(results.get(2).at("/error/status").asInt()).isEqualTo(403);

        assertThat(stored(results.get(3).get("id").asText()).payload()).isEqualTo("last");
        assertThat(storedCount()).isEqualTo(before + 2);
    }

    @Test
    void batchRepeatWithIdempotencyKeyReturnsSameIdsAndCreatesNothing() {
        String key = "batch-" + UUID.randomUUID();
        String body = json("messages", List.of(entry("demo", "a", 60_000), entry("demo", "b", 60_000)));

        Reply first = authed("POST", "/api/v1/messages/batch", body, "Idempotency-Key", key);
        int count = storedCount();
        Reply repeat = authed("POST", "/api/v1/messages/batch", body, "Idempotency-Key", key);

        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.json().get("results")).isEqualTo(first.json().get("results"));
        assertThat(storedCount()).isEqualTo(count);
    }

    @Test
    void batchOfExactly1000IsAccepted() {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            entries.add(entry("demo", "m" + i, 600_000));
        }
        int before = storedCount();

        Reply reply = authed("POST", "/api/v1/messages/batch", json("messages", entries));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("results")).hasSize(1000);
        assertThat(storedCount()).isEqualTo(before + 1000);
        assertThat(stored(reply.json().get("results").get(999).get("id").asText()).payload()).isEqualTo("m999");
    }

    @Test
    void emptyBatchIs400AndChangesNothing() {
        int before = storedCount();

        Reply reply = authed("POST", "/api/v1/messages/batch", json("messages", List.of()));

        assertProblem(reply, 400, "validation-failed");
        assertThat(fieldsOf(reply)).containsExactly("messages");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void batchOfMoreThan1000Is400AndChangesNothing() {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            entries.add(entry("demo", "m" + i, 600_000));
        }
        int before = storedCount();

        Reply reply = authed("POST", "/api/v1/messages/batch", json("messages", entries));

        assertProblem(reply, 400, "validation-failed");
        assertThat(fieldsOf(reply)).containsExactly("messages");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void batchWithoutMessagesIs400() {
        Reply reply = authed("POST", "/api/v1/messages/batch", "{}");

        assertProblem(reply, 400, "validation-failed");
        assertThat(fieldsOf(reply)).containsExactly("messages");
    }

    @Test
    void batchEntryOfWrongJsonTypeIs400NamingItsPathAndChangesNothing() {
        int before = storedCount();
        String body = "{\"messages\":[{\"topic\":\"demo\",\"payload\":\"a\",\"delayMs\":1},"
                + "{\"topic\":\"demo\",\"payload\":\"b\",\"delayMs\":\"soon\"}]}";

        Reply reply = authed("POST", "/api/v1/messages/batch", body);

        assertProblem(reply, 400, "validation-failed");
        assertThat(fieldsOf(reply)).containsExactly("messages[1].delayMs");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void batchWithoutCredentialsIs401() {
        Reply reply = post("/api/v1/messages/batch", json("messages", List.of(entry("demo", "a", 1))));

        assertProblem(reply, 401, "unauthenticated");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
