package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SubmitApiTest extends ApiTestSupport {

    @Test
    void submitReturns201WithIdAndDeliverAt() {
        long before = System.currentTimeMillis();
        Reply reply = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "hello", "delayMs", 60_000));
        long after = System.currentTimeMillis();

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode body = reply.json();
        assertThat(body.get("id").isTextual()).isTrue();
        assertThat(body.get("deliverAt").isNumber()).isTrue();
        assertThat(body.get("deliverAt").asLong()).isBetween(before + 60_000, after + 60_000);
        assertThat(body.get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(reply.header("Location")).isEqualTo("/api/v1/messages/" + body.get("id").asText());
        DelayMessage stored = stored(body.get("id").asText());
        assertThat(stored.payload()).isEqualTo("hello");
        assertThat(stored.appKey()).isEqualTo("demo");
        assertThat(stored.state()).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void submitWithDeliverAtKeepsThatDueTime() {
        long deliverAt = System.currentTimeMillis() + 3_600_000;

        Reply reply = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "x", "deliverAt", deliverAt));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().get("deliverAt").asLong()).isEqualTo(deliverAt);
        assertThat(stored(reply.text("/id")).deliverAt()).isEqualTo(deliverAt);
    }

    @Test
    void submitStoresKeyHeadersAndRepeatInterval() {
        Reply reply = authed("POST", "/api/v1/messages", json("topic", "demo", "key", "order-7", "payload", "x",
                "headers", Map.of("trace", "t1"), "delayMs", 60_000, "repeatIntervalMs", 5_000));

        assertThat(reply.status()).isEqualTo(201);
        DelayMessage stored = stored(reply.text("/id"));
        assertThat(stored.key()).isEqualTo("order-7");
        assertThat(stored.headers()).containsExactly(Map.entry("trace", "t1"));
        assertThat(stored.repeatIntervalMs()).isEqualTo(5_000L);
    }

    @Test
    void idempotentRepeatReturns200SameIdAndCreatesNothing() {
        String key = "idem-" + UUID.randomUUID();
        String body = json("topic", "demo", "payload", "once", "delayMs", 60_000);

        Reply first = authed("POST", "/api/v1/messages", body, "Idempotency-Key", key);
        int countAfterFirst = storedCount();
        Reply repeat = authed("POST", "/api/v1/messages", body, "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.text("/id")).isEqualTo(first.text("/id"));
        assertThat(repeat.json().get("deliverAt").asLong()).isEqualTo(first.json().get("deliverAt").asLong());
        assertThat(repeat.header("Location")).isEqualTo(first.header("Location"));
        assertThat(storedCount()).isEqualTo(countAfterFirst);
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyIs422AndCreatesNothing() {
        String key = "idem-" + UUID.randomUUID();
        Reply first = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "once", "delayMs", 60_000),
                "Idempotency-Key", key);
        int countAfterFirst = storedCount();

        Reply other = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "twice", "delayMs", 60_000),
                "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(201);
        assertProblem(other, 422, "idempotency-key-reused");
        assertThat(storedCount()).isEqualTo(countAfterFirst);
    }

    @Test
    void idempotencyKeysOfDifferentAppsDoNotCollide() {
        String key = "shared-" + UUID.randomUUID();

        Reply demo = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "a", "delayMs", 60_000),
                "Idempotency-Key", key);
        Reply other = call("POST", "/api/v1/messages", json("topic", "other", "payload", "b", "delayMs", 60_000),
                concat(OTHER_AUTH, "Idempotency-Key", key));

        assertThat(demo.status()).isEqualTo(201);
        assertThat(other.status()).isEqualTo(201);
        assertThat(other.text("/id")).isNotEqualTo(demo.text("/id"));
    }

    @Test
    void unknownJsonPropertiesAreIgnored() {
        Reply reply = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "x", "delayMs", 1_000,
                "priority", "high", "nested", Map.of("a", 1)));

        assertThat(reply.status()).isEqualTo(201);
    }

    @Test
    void messageSubmittedWithDelayZeroIsEmitted() {
        Reply reply = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "now", "delayMs", 0));
        assertThat(reply.status()).isEqualTo(201);
        String id = reply.text("/id");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(emitter.emitted()).anySatisfy(e -> {
                    assertThat(e.message().idString()).isEqualTo(id);
                    assertThat(e.message().payload()).isEqualTo("now");
                }));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(id).state() == MessageState.DELIVERED);
    }
}
