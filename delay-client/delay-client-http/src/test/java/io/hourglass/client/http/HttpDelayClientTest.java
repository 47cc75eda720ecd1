package io.hourglass.client.http;

import io.hourglass.client.api.BatchSubmitResponse;
import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.ServiceUnavailableException;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;
import io.hourglass.client.api.ValidationFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static io.hourglass.client.http.StubServer.Canned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire requests, the retries and the idempotency keys of {@link HttpDelayClient}, against a stub server. */
@Timeout(15)
class HttpDelayClientTest {

    private static final String CREATED = "{\"id\":\"7\",\"deliverAt\":1000,\"state\":\"SCHEDULED\"}";

    private final StubServer stub;
    private final HttpDelayClient client;

    HttpDelayClientTest() throws IOException {
        stub = new StubServer();
        client = fastRetrying(stub.baseUrl()).build();
    }

    private static HttpDelayClient.Builder fastRetrying(String baseUrl) {
        return HttpDelayClient.builder().baseUrl(baseUrl + "/").appKey("demo").appSecret("demo-secret")
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(40));
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    @Test
    void submitSendsCredentialsJsonAndAGeneratedIdempotencyKey() {
        stub.answer(Canned.json(201, CREATED));

        SubmitResponse r = client.submit(SubmitRequest.delayed("demo", "hello", 5_000));

        assertThat(r).isEqualTo(new SubmitResponse("7", 1000, "SCHEDULED"));
        StubServer.Received req = stub.received.get(0);
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/api/v1/messages");
        assertThat(req.header("X-App-Key")).isEqualTo("demo");
        assertThat(req.header("X-App-Secret")).isEqualTo("demo-secret");
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        assertThat(req.header("Idempotency-Key")).hasSize(36);
        assertThat(req.body()).isEqualTo("{\"topic\":\"demo\",\"payload\":\"hello\",\"delayMs\":5000}");
    }

    @Test
    void eachSubmitGetsItsOwnGeneratedKey() {
        stub.answer(Canned.json(201, CREATED));

        client.submit(SubmitRequest.delayed("demo", "a", 1));
        client.submit(SubmitRequest.delayed("demo", "b", 1));

        assertThat(stub.received.get(0).header("Idempotency-Key")).isNotEqualTo(stub.received.get(1).header("Idempotency-Key"));
    }

    @Test
    void retriedSubmitReusesItsGeneratedKeySoNothingIsStoredTwice() {
        stub.answer(Canned.problem(503, "store-unavailable", "down"), Canned.problem(503, "overloaded", "busy"),
                Canned.json(200, CREATED));

        SubmitResponse r = client.submit(SubmitRequest.delayed("demo", "hello", 5_000));

        assertThat(r.id()).isEqualTo("7");
        assertThat(stub.received).hasSize(3);
        assertThat(stub.received).extracting(q -> q.header("Idempotency-Key")).doesNotContainNull().containsOnly(
                stub.received.get(0).header("Idempotency-Key"));
        assertThat(stub.received).extracting(StubServer.Received::body).containsOnly(stub.received.get(0).body());
    }

    @Test
    void callerGivenKeyIsSentOnEveryAttempt() {
        stub.answer(Canned.problem(503, "overloaded", "busy"), Canned.json(201, CREATED));

        client.submit(SubmitRequest.delayed("demo", "hello", 5_000), "order-42");

        assertThat(stub.received).extracting(q -> q.header("Idempotency-Key")).containsExactly("order-42", "order-42");
    }

    @Test
    void retriedBatchReusesItsKey() {
        stub.answer(Canned.problem(503, "overloaded", "busy"),
                Canned.json(200, "{\"results\":[{\"id\":\"1\",\"deliverAt\":5,\"state\":\"SCHEDULED\"},"
                        + "{\"error\":{\"type\":\"https://hourglass.dev/problems/validation-failed\",\"status\":400,"
                        + "\"errors\":[{\"field\":\"topic\",\"reason\":\"is required\"}]}}]}"));

        BatchSubmitResponse r = client.submitBatch(List.of(SubmitRequest.delayed("demo", "a", 1), SubmitRequest.delayed(null, "b", 1)));

        assertThat(r.results()).hasSize(2);
        assertThat(r.results().get(0).id()).isEqualTo("1");
        assertThat(r.results().get(1).error().errors()).extracting(e -> e.field()).containsExactly("topic");
        assertThat(stub.received).hasSize(2);
        assertThat(stub.received.get(0).path()).isEqualTo("/api/v1/messages/batch");
        assertThat(stub.received.get(1).header("Idempotency-Key")).isEqualTo(stub.received.get(0).header("Idempotency-Key"));
    }

    @Test
    void readsCancelsAndRetimesAreRetriedAsTheyAreIdempotent() {
        stub.answer(Canned.problem(503, "overloaded", "busy"),
                Canned.json(200, "{\"id\":\"7\",\"topic\":\"demo\",\"key\":null,\"payload\":\"p\",\"headers\":{},"
                        + "\"deliverAt\":5,\"state\":\"SCHEDULED\",\"attempts\":0,\"repeatIntervalMs\":null,"
                        + "\"createdAt\":1,\"updatedAt\":2}"));
        MessageView view = client.get("7");
        assertThat(view.payload()).isEqualTo("p");

        stub.answer(Canned.problem(503, "overloaded", "busy"), Canned.json(200, "{\"id\":\"7\",\"state\":\"CANCELLED\"}"));
        assertThat(client.cancel("7").state()).isEqualTo("CANCELLED");

        stub.answer(Canned.problem(503, "overloaded", "busy"), Canned.json(200, "{\"id\":\"7\",\"deliverAt\":9,\"state\":\"SCHEDULED\"}"));
        assertThat(client.reschedule("7", RescheduleRequest.extendBy(4)).deliverAt()).isEqualTo(9);

        assertThat(stub.received).extracting(StubServer.Received::method)
                .containsExactly("GET", "GET", "DELETE", "DELETE", "PATCH", "PATCH");
        assertThat(stub.received).extracting(StubServer.Received::path).containsOnly("/api/v1/messages/7");
        assertThat(stub.received.get(5).body()).isEqualTo("{\"extendMs\":4}");
        assertThat(stub.received.get(5).header("Idempotency-Key")).isNull();
    }

    @Test
    void aTimedOutAttemptIsRetried() throws IOException {
        try (HttpDelayClient impatient = fastRetrying(stub.baseUrl()).requestTimeout(Duration.ofMillis(300)).build()) {
            stub.answer(new Canned(201, "application/json", CREATED, 3_000), Canned.json(200, CREATED));

            assertThat(impatient.submit(SubmitRequest.delayed("demo", "p", 1)).id()).isEqualTo("7");
            assertThat(stub.received).hasSize(2);
        }
    }

    @Test
    void aTimedOutExtensionIsNotRetriedAsItMayHaveBeenApplied() {
        try (HttpDelayClient impatient = fastRetrying(stub.baseUrl()).requestTimeout(Duration.ofMillis(300)).build()) {
            stub.answer(new Canned(200, "application/json", "{\"id\":\"7\",\"deliverAt\":9,\"state\":\"SCHEDULED\"}", 3_000));

            assertThatThrownBy(() -> impatient.reschedule("7", RescheduleRequest.extendBy(1_000)))
                    .isInstanceOf(ServiceUnavailableException.class);

            assertThat(stub.received).hasSize(1);
        }
    }

    @Test
    void anExtensionRefusedWith503IsRetried() {
        stub.answer(Canned.problem(503, "overloaded", "busy"), Canned.json(200, "{\"id\":\"7\",\"deliverAt\":9,\"state\":\"SCHEDULED\"}"));

        assertThat(client.reschedule("7", RescheduleRequest.extendBy(1_000)).deliverAt()).isEqualTo(9);
        assertThat(stub.received).hasSize(2);
    }

    @Test
    void givesUpAfterMaxRetriesOf503() {
        stub.answer(Canned.problem(503, "overloaded", "busy"));

        assertThatThrownBy(() -> client.get("7")).isInstanceOf(ServiceUnavailableException.class);

        assertThat(stub.received).hasSize(1 + 3);
    }

    @Test
    void aRefusalIsNeverRetried() {
        stub.answer(Canned.problem(400, "validation-failed", "bad"));

        assertThatThrownBy(() -> client.submit(SubmitRequest.delayed("demo", "p", -1))).isInstanceOf(ValidationFailedException.class);

        assertThat(stub.received).hasSize(1);
    }

    @Test
    void aClosedPortIsServiceUnavailableAfterTheRetriesQuickly() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (HttpDelayClient down = fastRetrying("http://127.0.0.1:" + closedPort).build()) {
            long start = System.nanoTime();

            assertThatThrownBy(() -> down.submit(SubmitRequest.delayed("demo", "p", 1)))
                    .isInstanceOf(ServiceUnavailableException.class)
                    .hasCauseInstanceOf(IOException.class);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void idsAreEncodedIntoThePath() {
        stub.answer(Canned.json(200, "{\"id\":\"a b/c\",\"state\":\"CANCELLED\"}"));

        client.cancel("a b/c");

        assertThat(stub.received.get(0).path()).isEqualTo("/api/v1/messages/a%20b%2Fc");
    }

    @Test
    void aClosedClientRefusesCalls() {
        client.close();

        assertThatThrownBy(() -> client.get("7")).isInstanceOf(IllegalStateException.class);
        assertThat(stub.received).isEmpty();
    }

    @Test
    void builderRequiresServerAndCredentials() {
        assertThatThrownBy(() -> HttpDelayClient.builder().appKey("a").appSecret("s").build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> HttpDelayClient.builder().baseUrl("http://x").appSecret("s").build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("appKey");
        assertThatThrownBy(() -> HttpDelayClient.builder().maxRetries(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
