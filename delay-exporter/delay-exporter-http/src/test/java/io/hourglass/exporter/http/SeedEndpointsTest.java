package io.hourglass.exporter.http;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The original delay-server endpoints: /delay/sendDelayMsg and /delay/cancelDelayMsg with their envelope. */
class SeedEndpointsTest extends ApiTestSupport {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String[] SECRET_ONLY = {"X-App-Secret", "demo-secret"};

    private static void assertSuccess(Reply reply) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.text("/errorCode")).isEqualTo("000000");
        assertThat(reply.text("/errorMsg")).isEqualTo("success");
        assertThat(reply.json().at("/content/messageId").isTextual()).isTrue();
    }

    private static void assertFailure(Reply reply, int status, String errorCode) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.text("/errorCode")).isEqualTo(errorCode);
        assertThat(reply.text("/errorMsg")).isNotBlank();
        assertThat(reply.json().get("content").isNull()).isTrue();
    }

    private static String form(Object... pairs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(pairs[i]).append('=').append(URLEncoder.encode(String.valueOf(pairs[i + 1]), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    @Test
    void sendDelayMsgWithJsonBodyReturnsTheSuccessEnvelope() {
        long execTime = System.currentTimeMillis() + 60_000;

        Reply reply = authed("POST", "/delay/sendDelayMsg", json("appKey", "demo", "topic", "demo", "message", "legacy",
                "execTime", execTime));

        assertSuccess(reply);
        DelayMessage stored = stored(reply.text("/content/messageId"));
        assertThat(stored.payload()).isEqualTo("legacy");
        assertThat(stored.topic()).isEqualTo("demo");
        assertThat(stored.deliverAt()).isEqualTo(execTime);
        assertThat(stored.repeatIntervalMs()).isNull();
    }

    @Test
    void sendDelayMsgWithFormParametersWorks() {
        long execTime = System.currentTimeMillis() + 60_000;

        Reply reply = post("/delay/sendDelayMsg", form("appKey", "demo", "topic", "demo", "message", "from a form",
                "execTime", execTime, "repeatInterval", 0), concat(AUTH, "Content-Type", FORM));

        assertSuccess(reply);
        DelayMessage stored = stored(reply.text("/content/messageId"));
        assertThat(stored.payload()).isEqualTo("from a form");
        assertThat(stored.repeatIntervalMs()).isNull();
    }

    @Test
    void sendDelayMsgWithQueryParametersWorks() {
        long execTime = System.currentTimeMillis() + 60_000;

        Reply reply = call("POST", "/delay/sendDelayMsg?" + form("topic", "demo", "message", "q", "execTime", execTime,
                "repeatInterval", 30_000), null, AUTH);

        assertSuccess(reply);
        assertThat(stored(reply.text("/content/messageId")).repeatIntervalMs()).isEqualTo(30_000L);
    }

    @Test
    void sendDelayMsgTakesTheAppKeyQueryParameterWhenTheHeaderIsMissing() {
        Reply json = post("/delay/sendDelayMsg?appKey=demo", json("appKey", "demo", "topic", "demo", "message", "m",
                "execTime", System.currentTimeMillis()), SECRET_ONLY);
        Reply form = post("/delay/sendDelayMsg?appKey=demo", form("topic", "demo", "message", "m",
                "execTime", System.currentTimeMillis()), concat(SECRET_ONLY, "Content-Type", FORM));

        assertSuccess(json);
        assertSuccess(form);
        assertThat(stored(json.text("/content/messageId")).appKey()).isEqualTo("demo");
    }

    @Test
    void anAppKeyOnlyInTheBodyIsNotEnoughTheCredentialsAreCheckedBeforeTheBodyIsRead() {
        int before = storedCount();

        Reply json = post("/delay/sendDelayMsg", json("appKey", "demo", "topic", "demo", "message", "m",
                "execTime", System.currentTimeMillis()), SECRET_ONLY);
        Reply form = post("/delay/sendDelayMsg", form("appKey", "demo", "topic", "demo", "message", "m",
                "execTime", System.currentTimeMillis()), concat(SECRET_ONLY, "Content-Type", FORM));

        assertFailure(json, 401, "401001");
        assertFailure(form, 401, "401001");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void sendDelayMsgWithoutTheSecretIs401001AndChangesNothing() {
        int before = storedCount();

        Reply reply = post("/delay/sendDelayMsg", json("appKey", "demo", "topic", "demo", "message", "m",
                "execTime", System.currentTimeMillis()));

        assertFailure(reply, 401, "401001");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void sendDelayMsgWithAnAppKeyFieldOtherThanTheHeaderIs400001() {
        Reply reply = authed("POST", "/delay/sendDelayMsg", json("appKey", "other", "topic", "demo", "message", "m",
                "execTime", System.currentTimeMillis()));

        assertFailure(reply, 400, "400001");
    }

    @Test
    void sendDelayMsgToAForbiddenTopicIs403001() {
        Reply reply = authed("POST", "/delay/sendDelayMsg", json("topic", "other", "message", "m",
                "execTime", System.currentTimeMillis()));

        assertFailure(reply, 403, "403001");
    }

    @Test
    void sendDelayMsgWithoutExecTimeIs400001AndChangesNothing() {
        int before = storedCount();

        Reply reply = authed("POST", "/delay/sendDelayMsg", json("topic", "demo", "message", "m"));

        assertFailure(reply, 400, "400001");
        assertThat(reply.text("/errorMsg")).contains("execTime");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void sendDelayMsgWithExecTimeOfWrongTypeIs400001() {
        Reply json = authed("POST", "/delay/sendDelayMsg", "{\"topic\":\"demo\",\"message\":\"m\",\"execTime\":\"later\"}");
        Reply form = post("/delay/sendDelayMsg", form("topic", "demo", "message", "m", "execTime", "later"),
                concat(AUTH, "Content-Type", FORM));

        assertFailure(json, 400, "400001");
        assertFailure(form, 400, "400001");
        assertThat(form.text("/errorMsg")).contains("execTime");
    }

    @Test
    void sendDelayMsgNamesTheOriginalFieldsInErrors() {
        Reply reply = authed("POST", "/delay/sendDelayMsg", json("topic", "demo", "execTime", 1));

        assertFailure(reply, 400, "400001");
        assertThat(reply.text("/errorMsg")).contains("message is required", "execTime puts the due time");
    }

    @Test
    void sendDelayMsgWithMalformedJsonIs400001Envelope() {
        assertFailure(authed("POST", "/delay/sendDelayMsg", "{\"topic\":"), 400, "400001");
    }

    @Test
    void sendDelayMsgWithAOneMebibytePayloadIs413001() {
        int before = storedCount();

        Reply reply = post("/delay/sendDelayMsg", form("topic", "demo", "message", "z".repeat(1024 * 1024),
                "execTime", System.currentTimeMillis()), concat(AUTH, "Content-Type", FORM));

        assertFailure(reply, 413, "413001");
        assertThat(storedCount()).isEqualTo(before);
    }

    @Test
    void sentMessageIsEmittedAtExecTime() {
        Reply reply = authed("POST", "/delay/sendDelayMsg", json("topic", "demo", "message", "due",
                "execTime", System.currentTimeMillis()));
        String id = reply.text("/content/messageId");

        await().atMost(Duration.ofSeconds(10)).until(() -> emitter.emittedIds().contains(Long.parseLong(id)));
    }

    @Test
    void cancelDelayMsgWithJsonBodyCancels() {
        String id = submit(60_000);

        Reply reply = authed("POST", "/delay/cancelDelayMsg", json("appKey", "demo", "topic", "demo", "messageId", id));

        assertSuccess(reply);
        assertThat(reply.text("/content/messageId")).isEqualTo(id);
        assertThat(stored(id).state()).isEqualTo(MessageState.CANCELLED);
    }

    @Test
    void cancelDelayMsgWithFormParametersCancels() {
        String id = submit(60_000);

        Reply reply = post("/delay/cancelDelayMsg?appKey=demo", form("topic", "demo", "messageId", id),
                concat(SECRET_ONLY, "Content-Type", FORM));

        assertSuccess(reply);
        assertThat(stored(id).state()).isEqualTo(MessageState.CANCELLED);
    }

    @Test
    void cancelDelayMsgOfUnknownMessageIs404001() {
        assertFailure(authed("POST", "/delay/cancelDelayMsg", json("topic", "demo", "messageId", "424242")), 404, "404001");
    }

    @Test
    void cancelDelayMsgWithAnotherTopicIs404001AndCancelsNothing() {
        String id = submit(60_000);

        Reply reply = authed("POST", "/delay/cancelDelayMsg", json("topic", "elsewhere", "messageId", id));

        assertFailure(reply, 404, "404001");
        assertThat(stored(id).state()).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void cancelDelayMsgOfDeliveredMessageIs409001() {
        String id = submit(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(id).state() == MessageState.DELIVERED);

        assertFailure(authed("POST", "/delay/cancelDelayMsg", json("topic", "demo", "messageId", id)), 409, "409001");
    }

    @Test
    void cancelDelayMsgWithoutMessageIdIs400001() {
        assertFailure(authed("POST", "/delay/cancelDelayMsg", json("topic", "demo")), 400, "400001");
    }

    @Test
    void wrongMethodOnAnOriginalEndpointIs405001() {
        assertFailure(authed("GET", "/delay/sendDelayMsg", null), 405, "405001");
    }
}
