package io.hourglass.exporter.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Guarantee 6: bad input gets a clear problem (status, type, field) and changes nothing. */
class BadInputChangesNothingTest extends ApiTestSupport {

    private static final long DAY = 86_400_000L;
    private static final String NO_FIELD = null;

    static Stream<Arguments> badSubmits() {
        String tooLarge = "x".repeat(256 * 1024 + 1);
        String oneMiB = "y".repeat(1024 * 1024);
        return Stream.of(
                arguments("malformed JSON", "{\"topic\":\"demo\",", AUTH, 400, "malformed-json", NO_FIELD),
                arguments("empty body", "", AUTH, 400, "malformed-json", NO_FIELD),
                arguments("missing payload", json("topic", "demo", "delayMs", 1), AUTH, 400, "validation-failed", "payload"),
                arguments("missing topic", json("payload", "p", "delayMs", 1), AUTH, 400, "validation-failed", "topic"),
                arguments("both delayMs and deliverAt", json("topic", "demo", "payload", "p", "delayMs", 1,
                        "deliverAt", System.currentTimeMillis() + 1000), AUTH, 400, "validation-failed", "deliverAt"),
                arguments("neither delayMs nor deliverAt", json("topic", "demo", "payload", "p"), AUTH, 400,
                        "validation-failed", "delayMs"),
                arguments("delayMs -1", json("topic", "demo", "payload", "p", "delayMs", -1), AUTH, 400,
                        "validation-failed", "delayMs"),
                arguments("delayMs over 365 days", json("topic", "demo", "payload", "p", "delayMs", 366 * DAY), AUTH, 400,
                        "validation-failed", "delayMs"),
                arguments("deliverAt far in the past", json("topic", "demo", "payload", "p",
                        "deliverAt", System.currentTimeMillis() - DAY), AUTH, 400, "validation-failed", "deliverAt"),
                arguments("payload over 256 KiB", json("topic", "demo", "payload", tooLarge, "delayMs", 1), AUTH, 413,
                        "payload-too-large", "payload"),
                arguments("body over 1 MiB (delay.exporter.http.max-body-bytes)", json("topic", "demo", "payload",
                        oneMiB, "delayMs", 1), AUTH, 413, "request-too-large", NO_FIELD),
                arguments("delayMs of wrong type", "{\"topic\":\"demo\",\"payload\":\"p\",\"delayMs\":\"abc\"}", AUTH,
                        400, "validation-failed", "delayMs"),
                arguments("payload of wrong type", "{\"topic\":\"demo\",\"payload\":{\"a\":1},\"delayMs\":1}", AUTH,
                        400, "validation-failed", "payload"),
                arguments("headers of wrong type", "{\"topic\":\"demo\",\"payload\":\"p\",\"headers\":\"h\",\"delayMs\":1}",
                        AUTH, 400, "validation-failed", "headers"),
                arguments("body that is an array", "[1,2]", AUTH, 400, "validation-failed", "body"),
                arguments("header with x-delay- prefix", json("topic", "demo", "payload", "p", "delayMs", 1,
                        "headers", Map.of("x-delay-id", "1")), AUTH, 400, "validation-failed", "headers.x-delay-id"),
                arguments("topic with invalid characters", json("topic", "no spaces!", "payload", "p", "delayMs", 1),
                        AUTH, 400, "validation-failed", "topic"),
                arguments("repeatIntervalMs below the minimum", json("topic", "demo", "payload", "p", "delayMs", 1,
                        "repeatIntervalMs", 1), AUTH, 400, "validation-failed", "repeatIntervalMs"),
                arguments("Idempotency-Key too long", json("topic", "demo", "payload", "p", "delayMs", 1),
                        concat(AUTH, "Idempotency-Key", "k".repeat(200)), 400, "validation-failed", "Idempotency-Key"),
                arguments("control characters in a header value", json("topic", "demo", "payload", "p", "delayMs", 1,
                        "headers", Map.of("trace", "a\r\nSet-Cookie: x")), AUTH, 400, "validation-failed", "headers.trace"),
                arguments("NUL in the key", json("topic", "demo", "key", "a\u0000b", "payload", "p", "delayMs", 1), AUTH,
                        400, "validation-failed", "key"),
                arguments("unknown topic", json("topic", "unregistered", "payload", "p", "delayMs", 1), AUTH, 403,
                        "topic-forbidden", NO_FIELD),
                arguments("another app's topic", json("topic", "other", "payload", "p", "delayMs", 1), AUTH, 403,
                        "topic-forbidden", NO_FIELD),
                arguments("no credentials", json("topic", "demo", "payload", "p", "delayMs", 1), new String[0], 401,
                        "unauthenticated", NO_FIELD),
                arguments("secret missing", json("topic", "demo", "payload", "p", "delayMs", 1),
                        new String[]{"X-App-Key", "demo"}, 401, "unauthenticated", NO_FIELD),
                arguments("wrong secret", json("topic", "demo", "payload", "p", "delayMs", 1),
                        new String[]{"X-App-Key", "demo", "X-App-Secret", "nope"}, 401, "unauthenticated", NO_FIELD),
                arguments("unknown app", json("topic", "demo", "payload", "p", "delayMs", 1),
                        new String[]{"X-App-Key", "ghost", "X-App-Secret", "demo-secret"}, 401, "unauthenticated", NO_FIELD),
                arguments("no credentials and a 1 MiB body", json("topic", "demo", "payload", oneMiB, "delayMs", 1),
                        new String[0], 401, "unauthenticated", NO_FIELD));
    }

    @ParameterizedTest(name = "{0} -> {3} {4}")
    @MethodSource("badSubmits")
    void badSubmitGetsAProblemAndChangesNothing(String name, String body, String[] headers, int status, String code,
                                                String field) {
        int before = storedCount();

        Reply reply = post("/api/v1/messages", body, headers);

        assertProblem(reply, status, code);
        if (field == null) {
            assertThat(reply.json().has("errors")).isFalse();
        } else {
            assertThat(fieldsOf(reply)).contains(field);
            assertThat(reply.json().at("/errors/0/reason").asText()).isNotBlank();
        }
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void unauthenticatedAnswerCarriesWwwAuthenticate() {
        Reply reply = post("/api/v1/messages", json("topic", "demo", "payload", "p", "delayMs", 1));

        assertProblem(reply, 401, "unauthenticated");
        assertThat(reply.header("WWW-Authenticate")).startsWith("HourglassApp");
    }

    @Test
    void wrongContentTypeIs415AndChangesNothing() {
        int before = storedCount();

        Reply reply = post("/api/v1/messages", "topic=demo&payload=p&delayMs=1",
                concat(AUTH, "Content-Type", "application/x-www-form-urlencoded"));

        assertProblem(reply, 415, "unsupported-media-type");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void problemNamesTheRequestPathAsInstance() {
        Reply reply = post("/api/v1/messages", json("payload", "p", "delayMs", 1), AUTH);

        assertThat(reply.json().get("instance").asText()).isEqualTo("/api/v1/messages");
        assertThat(reply.json().get("title").asText()).isEqualTo("Invalid request");
        assertThat(reply.json().get("detail").asText()).contains("topic");
    }
}
