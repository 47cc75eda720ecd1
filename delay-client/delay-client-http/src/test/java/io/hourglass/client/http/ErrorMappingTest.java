package io.hourglass.client.http;

import io.hourglass.client.api.AuthenticationFailedException;
import io.hourglass.client.api.DelayClientException;
import io.hourglass.client.api.ForbiddenException;
import io.hourglass.client.api.InvalidStateException;
import io.hourglass.client.api.MessageNotFoundException;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.ServiceUnavailableException;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.ValidationFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;

import static io.hourglass.client.http.StubServer.Canned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Each error answer of the API becomes its typed exception, with the problem's content. */
@Timeout(10)
class ErrorMappingTest {

    private final StubServer stub;
    private final HttpDelayClient client;

    ErrorMappingTest() throws IOException {
        stub = new StubServer();
        client = HttpDelayClient.builder().baseUrl(stub.baseUrl()).appKey("demo").appSecret("s")
                .maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    static Stream<Arguments> statuses() {
        return Stream.of(
                Arguments.of(400, "validation-failed", ValidationFailedException.class),
                Arguments.of(400, "malformed-json", ValidationFailedException.class),
                Arguments.of(413, "payload-too-large", ValidationFailedException.class),
                Arguments.of(401, "unauthenticated", AuthenticationFailedException.class),
                Arguments.of(403, "topic-forbidden", ForbiddenException.class),
                Arguments.of(404, "message-not-found", MessageNotFoundException.class),
                Arguments.of(409, "invalid-state", InvalidStateException.class),
                Arguments.of(503, "overloaded", ServiceUnavailableException.class),
                Arguments.of(500, "internal-error", DelayClientException.class),
                Arguments.of(415, "unsupported-media-type", DelayClientException.class));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("statuses")
    void eachProblemBecomesItsTypedException(int status, String code, Class<? extends DelayClientException> type) {
        stub.answer(Canned.problem(status, code, "because " + code));

        DelayClientException e = catchThrowableOfType(() -> client.cancel("42"), DelayClientException.class);

        assertThat(e).isExactlyInstanceOf(type);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.type()).isEqualTo(Problem.TYPE_PREFIX + code);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.detail()).isEqualTo("because " + code);
        assertThat(e.getMessage()).contains(String.valueOf(status), code, "because " + code);
        assertThat(e.isRetryable()).isEqualTo(status == 503);
    }

    @Test
    void validationFailureCarriesTheInvalidFields() {
        stub.answer(new Canned(400, "application/problem+json",
                "{\"type\":\"https://hourglass.dev/problems/validation-failed\",\"title\":\"Invalid request\",\"status\":400,"
                        + "\"detail\":\"Invalid request: delayMs must be between 0 and 31536000000\",\"instance\":\"/api/v1/messages\","
                        + "\"errors\":[{\"field\":\"delayMs\",\"reason\":\"must be between 0 and 31536000000\"}],\"extra\":1}", 0));

        ValidationFailedException e = catchThrowableOfType(
                () -> client.submit(SubmitRequest.delayed("demo", "p", -1)), ValidationFailedException.class);

        assertThat(e.fieldErrors()).containsExactly(new Problem.FieldError("delayMs", "must be between 0 and 31536000000"));
    }

    @Test
    void anAnswerThatIsNoProblemStillMapsByStatus() {
        stub.answer(new Canned(404, "text/html", "<html>nothing here</html>", 0));

        MessageNotFoundException e = catchThrowableOfType(() -> client.get("42"), MessageNotFoundException.class);

        assertThat(e.type()).isNull();
        assertThat(e.detail()).contains("nothing here");
    }

    @Test
    void anEmptyErrorAnswerMapsByStatus() {
        stub.answer(new Canned(502, "text/plain", "", 0));

        DelayClientException e = catchThrowableOfType(
                () -> client.reschedule("42", RescheduleRequest.extendBy(1)), DelayClientException.class);

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.detail()).isEqualTo("HTTP 502");
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void theStatusOfTheAnswerWinsOverTheStatusInTheBody() {
        stub.answer(new Canned(409, "application/problem+json",
                "{\"type\":\"https://hourglass.dev/problems/invalid-state\",\"status\":400,\"detail\":\"d\"}", 0));

        InvalidStateException e = catchThrowableOfType(() -> client.cancel("42"), InvalidStateException.class);

        assertThat(e.status()).isEqualTo(409);
    }

    @Test
    void requestTimeoutIsAServiceUnavailableWithNoResponse() {
        try (HttpDelayClient impatient = HttpDelayClient.builder().baseUrl(stub.baseUrl()).appKey("demo").appSecret("s")
                .requestTimeout(Duration.ofMillis(200)).maxRetries(0).build()) {
            stub.answer(new Canned(200, "application/json", "{}", 2_000));

            ServiceUnavailableException e = catchThrowableOfType(() -> impatient.get("42"), ServiceUnavailableException.class);

            assertThat(e.status()).isEqualTo(DelayClientException.NO_RESPONSE);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getCause()).isInstanceOf(java.net.http.HttpTimeoutException.class);
        }
    }
}
