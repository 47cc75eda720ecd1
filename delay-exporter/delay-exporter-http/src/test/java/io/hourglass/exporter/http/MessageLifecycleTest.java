package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MessageLifecycleTest extends ApiTestSupport {

    @Test
    void getReturnsEveryDocumentedField() {
        Reply created = authed("POST", "/api/v1/messages", json("topic", "demo", "key", "k1", "payload", "body",
                "headers", Map.of("h", "v"), "delayMs", 60_000, "repeatIntervalMs", 10_000));
        String id = created.text("/id");

        Reply reply = authed("GET", "/api/v1/messages/" + id, null);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode m = reply.json();
        List<String> names = new ArrayList<>();
        m.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("id", "topic", "key", "payload", "headers", "deliverAt", "state",
                "attempts", "repeatIntervalMs", "createdAt", "updatedAt", "expiresAt");
        DelayMessage stored = stored(id);
        assertThat(m.get("id").asText()).isEqualTo(id);
        assertThat(m.get("topic").asText()).isEqualTo("demo");
        assertThat(m.get("key").asText()).isEqualTo("k1");
        assertThat(m.get("payload").asText()).isEqualTo("body");
        assertThat(m.get("headers").get("h").asText()).isEqualTo("v");
        assertThat(m.get("deliverAt").asLong()).isEqualTo(created.json().get("deliverAt").asLong());
        assertThat(m.get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(m.get("attempts").asInt()).isZero();
        assertThat(m.get("repeatIntervalMs").asLong()).isEqualTo(10_000);
        assertThat(m.get("createdAt").asLong()).isEqualTo(stored.createdAt());
        assertThat(m.get("updatedAt").asLong()).isEqualTo(stored.updatedAt());
    }

    @Test
    void getShowsUnsetFieldsAsNull() {
        String id = submit(60_000);

        JsonNode m = authed("GET", "/api/v1/messages/" + id, null).json();

        assertThat(m.get("key").isNull()).isTrue();
        assertThat(m.get("repeatIntervalMs").isNull()).isTrue();
        assertThat(m.get("headers").isEmpty()).isTrue();
    }

    @Test
    void getOfUnknownIdIs404() {
        assertProblem(authed("GET", "/api/v1/messages/123456789", null), 404, "message-not-found");
        assertProblem(authed("GET", "/api/v1/messages/not-an-id", null), 404, "message-not-found");
    }

    @Test
    void getOfAnotherAppsMessageIs404() {
        String id = submit(60_000);

        assertProblem(call("GET", "/api/v1/messages/" + id, null, OTHER_AUTH), 404, "message-not-found");
    }

    @Test
    void getWithoutCredentialsIs401() {
        String id = submit(60_000);

        assertProblem(call("GET", "/api/v1/messages/" + id, null), 401, "unauthenticated");
    }

    @Test
    void cancelReturns200WithCancelledStateAndTheMessageIsNeverEmitted() {
        String id = submit(500);

        Reply reply = authed("DELETE", "/api/v1/messages/" + id, null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("id").asText()).isEqualTo(id);
        assertThat(reply.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(stored(id).state()).isEqualTo(MessageState.CANCELLED);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> emitter.emitted().stream().noneMatch(e -> e.message().idString().equals(id)));
    }

    @Test
    void cancelOfCancelledMessageIs200Again() {
        String id = submit(60_000);
        authed("DELETE", "/api/v1/messages/" + id, null);

        Reply again = authed("DELETE", "/api/v1/messages/" + id, null);

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void cancelOfDeliveredMessageIs409() {
        String id = submit(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(id).state() == MessageState.DELIVERED);

        Reply reply = authed("DELETE", "/api/v1/messages/" + id, null);

        assertProblem(reply, 409, "invalid-state");
        assertThat(stored(id).state()).isEqualTo(MessageState.DELIVERED);
    }

    @Test
    void cancelOfUnknownMessageIs404() {
        assertProblem(authed("DELETE", "/api/v1/messages/987654321", null), 404, "message-not-found");
    }

    @Test
    void rescheduleWithDeliverAtMovesTheDueTime() {
        String id = submit(60_000);
        long target = System.currentTimeMillis() + 7_200_000;

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, json("deliverAt", target));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("id").asText()).isEqualTo(id);
        assertThat(reply.json().get("deliverAt").asLong()).isEqualTo(target);
        assertThat(reply.json().get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(stored(id).deliverAt()).isEqualTo(target);
    }

    @Test
    void rescheduleWithDelayMsCountsFromNow() {
        String id = submit(60_000);
        long before = System.currentTimeMillis();

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, json("delayMs", 600_000));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("deliverAt").asLong()).isBetween(before + 600_000, System.currentTimeMillis() + 600_000);
    }

    @Test
    void rescheduleWithExtendMsAddsToTheCurrentDueTime() {
        String id = submit(60_000);
        long current = stored(id).deliverAt();

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, json("extendMs", 30_000));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("deliverAt").asLong()).isEqualTo(current + 30_000);
        assertThat(stored(id).deliverAt()).isEqualTo(current + 30_000);
    }

    @Test
    void rescheduleAcceptsMergePatchJson() {
        String id = submit(60_000);

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, json("extendMs", 1_000),
                "Content-Type", "application/merge-patch+json");

        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void rescheduleWithTwoFieldsIs400() {
        String id = submit(60_000);
        long due = stored(id).deliverAt();

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, json("delayMs", 1_000, "extendMs", 1_000));

        assertProblem(reply, 400, "validation-failed");
        assertThat(stored(id).deliverAt()).isEqualTo(due);
    }

    @Test
    void rescheduleWithNoFieldIs400() {
        String id = submit(60_000);
        long due = stored(id).deliverAt();

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, "{}");

        assertProblem(reply, 400, "validation-failed");
        assertThat(stored(id).deliverAt()).isEqualTo(due);
    }

    @Test
    void rescheduleIntoThePastIs400() {
        String id = submit(60_000);

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, json("extendMs", -3_600_000));

        assertProblem(reply, 400, "validation-failed");
        assertThat(fieldsOf(reply)).containsExactly("extendMs");
    }

    /** A message that went DEAD: claimed and given up on, as the engine does after its last attempt. */
    private String deadMessage() {
        String id = submit(600_000);
        long parsed = Long.parseLong(id);
        long at = stored(id).deliverAt();
        assertThat(store.claim(List.of(parsed), at, 42L)).hasSize(1);
        assertThat(store.markDead(List.of(parsed), 42L, "gave up after 3 attempts: boom", at + 1)).isEqualTo(1);
        return id;
    }

    @Test
    void redriveWithoutABodySchedulesADeadMessageNowWithItsAttemptsReset() {
        String id = deadMessage();
        long before = System.currentTimeMillis();

        Reply reply = authed("POST", "/api/v1/messages/" + id + "/redrive", null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("id").asText()).isEqualTo(id);
        assertThat(reply.json().get("state").asText()).isIn("SCHEDULED", "FIRING", "DELIVERED");
        assertThat(reply.json().get("attempts").asInt()).isZero();
        assertThat(reply.json().get("deliverAt").asLong()).isBetween(before, System.currentTimeMillis());
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(id).state() == MessageState.DELIVERED);
        assertThat(emitter.emittedIds()).containsOnlyOnce(Long.parseLong(id));
    }

    @Test
    void redriveWithDelayMsSchedulesItThatFarAhead() {
        String id = deadMessage();
        long before = System.currentTimeMillis();

        Reply reply = authed("POST", "/api/v1/messages/" + id + "/redrive", json("delayMs", 600_000));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(reply.json().get("deliverAt").asLong()).isBetween(before + 600_000, System.currentTimeMillis() + 600_000);
        assertThat(stored(id).state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(stored(id).lastError()).isNull();
    }

    @Test
    void redriveOfAMessageThatIsNotDeadIs409AndChangesNothing() {
        String id = submit(60_000);
        DelayMessage before = stored(id);

        assertProblem(authed("POST", "/api/v1/messages/" + id + "/redrive", null), 409, "invalid-state");

        assertThat(stored(id)).isEqualTo(before);
    }

    @Test
    void badInputChangesNothing_redriveWithBothTimesIs400() {
        String id = deadMessage();
        DelayMessage before = stored(id);

        assertProblem(authed("POST", "/api/v1/messages/" + id + "/redrive",
                json("delayMs", 1_000, "deliverAt", System.currentTimeMillis() + 5_000)), 400, "validation-failed");
        assertProblem(authed("POST", "/api/v1/messages/987654321/redrive", null), 404, "message-not-found");

        assertThat(stored(id)).isEqualTo(before);
    }

    @Test
    void rescheduleOfCancelledMessageIs409() {
        String id = submit(60_000);
        authed("DELETE", "/api/v1/messages/" + id, null);

        assertProblem(authed("PATCH", "/api/v1/messages/" + id, json("delayMs", 1_000)), 409, "invalid-state");
    }

    @Test
    void rescheduleOfUnknownMessageIs404() {
        assertProblem(authed("PATCH", "/api/v1/messages/55555", json("delayMs", 1_000)), 404, "message-not-found");
    }

    @Test
    void rescheduleWithWrongTypeIs400NamingTheField() {
        String id = submit(60_000);

        Reply reply = authed("PATCH", "/api/v1/messages/" + id, "{\"deliverAt\":\"tomorrow\"}");

        assertProblem(reply, 400, "validation-failed");
        assertThat(fieldsOf(reply)).containsExactly("deliverAt");
    }
}
