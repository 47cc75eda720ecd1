package io.hourglass.exporter.http;

import io.hourglass.exporter.http.app.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Errors that are not about a message: unknown paths, methods, media types, faults outside MVC, a store down. */
class HttpErrorsTest extends ApiTestSupport {

    @Test
    void unknownPathUnderTheApiIs404Problem() {
        Reply reply = authed("GET", "/api/v1/nothing-here", null);

        assertProblem(reply, 404, "not-found");
        assertThat(reply.json().get("instance").asText()).isEqualTo("/api/v1/nothing-here");
    }

    @Test
    void unknownPathAnywhereIs404Problem() {
        assertProblem(call("GET", "/no/such/page", null), 404, "not-found");
    }

    @Test
    void wrongMethodIs405ProblemWithAllow() {
        Reply reply = authed("PUT", "/api/v1/messages/1", "{}");

        assertProblem(reply, 405, "method-not-allowed");
        assertThat(reply.header("Allow")).contains("GET", "DELETE", "PATCH");
    }

    @Test
    void unsupportedMediaTypeIs415Problem() {
        Reply reply = authed("POST", "/api/v1/messages", "hello", "Content-Type", "text/plain");

        assertProblem(reply, 415, "unsupported-media-type");
    }

    @Test
    void unacceptableAcceptIs406Problem() {
        String id = submit(60_000);

        Reply reply = authed("GET", "/api/v1/messages/" + id, null, "Accept", "text/plain");

        assertProblem(reply, 406, "not-acceptable");
    }

    @Test
    void failureOutsideMvcIsAProblemToo() {
        Reply reply = call("GET", TestApplication.FAILING_PATH, null);

        assertProblem(reply, 500, "internal-error");
        assertThat(reply.json().get("instance").asText()).isEqualTo(TestApplication.FAILING_PATH);
        assertThat(reply.json().get("detail").asText()).doesNotContain("failure outside MVC");
    }

    @Test
    void failureOutsideMvcOnAnOriginalEndpointIsAnEnvelope() {
        Reply reply = call("POST", TestApplication.FAILING_SEED_PATH, null, AUTH);

        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.text("/errorCode")).isEqualTo("500001");
    }

    @Test
    void storeDownIs503StoreUnavailableAndChangesNothing() {
        String id = submit(60_000);
        int before = storedCount();
        store.setDown(true);
        try {
            Reply submit = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "p", "delayMs", 1));
            Reply get = authed("GET", "/api/v1/messages/" + id, null);

            assertProblem(submit, 503, "store-unavailable");
            assertProblem(get, 503, "store-unavailable");
        } finally {
            store.setDown(false);
        }
        assertThat(storedCount()).isEqualTo(before);
    }
}
