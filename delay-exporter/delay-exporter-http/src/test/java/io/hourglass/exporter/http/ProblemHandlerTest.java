package io.hourglass.exporter.http;

import io.hourglass.client.api.Problem;
import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.error.OverloadedException;
import io.hourglass.core.error.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The mapping of errors that the HTTP tests cannot provoke at will. */
@Timeout(10)
class ProblemHandlerTest {

    private final ProblemHandler handler = new ProblemHandler();

    private static ServletWebRequest request(String path) {
        return new ServletWebRequest(new MockHttpServletRequest("POST", path), new MockHttpServletResponse());
    }

    @Test
    void overloadedIs503WithRetryAfter() {
        ResponseEntity<Object> answer = handler.handleDelayException(new OverloadedException("queue full"),
                request("/api/v1/messages"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        Problem problem = (Problem) answer.getBody();
        assertThat(problem.type()).isEqualTo("https://hourglass.dev/problems/overloaded");
        assertThat(problem.instance()).isEqualTo("/api/v1/messages");
    }

    @Test
    void storeUnavailableIs503() {
        ResponseEntity<Object> answer = handler.handleDelayException(
                new StoreUnavailableException("db gone", new RuntimeException()), request("/api/v1/messages"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(((Problem) answer.getBody()).code()).isEqualTo("store-unavailable");
    }

    @Test
    void duplicateIs409() {
        ResponseEntity<Object> answer = handler.handleDelayException(new DuplicateMessageException("dup", null),
                request("/api/v1/messages"));

        assertThat(answer.getStatusCode().value()).isEqualTo(409);
        assertThat(((Problem) answer.getBody()).code()).isEqualTo("duplicate");
    }

    @Test
    void asyncTimeoutIsOverloaded() {
        ResponseEntity<Object> answer = handler.handleUnexpected(new AsyncRequestTimeoutException(),
                request("/api/v1/messages"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(((Problem) answer.getBody()).code()).isEqualTo("overloaded");
    }

    @Test
    void unexpectedErrorIs500WithoutItsMessage() {
        ResponseEntity<Object> answer = handler.handleUnexpected(new IllegalStateException("secret internals"),
                request("/api/v1/messages"));

        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        Problem problem = (Problem) answer.getBody();
        assertThat(problem.code()).isEqualTo("internal-error");
        assertThat(problem.detail()).doesNotContain("secret internals");
    }

    @Test
    void batchEntryProblemUnwrapsTheFutureAndHasNoInstance() {
        Problem problem = handler.problemOf(new CompletionException(new OverloadedException("full")));

        assertThat(problem.code()).isEqualTo("overloaded");
        assertThat(problem.status()).isEqualTo(503);
        assertThat(problem.instance()).isNull();
    }

    @Test
    void originalEndpointsGetTheEnvelope() {
        ResponseEntity<Object> answer = handler.handleDelayException(new OverloadedException("busy"),
                request("/delay/sendDelayMsg"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        assertThat(answer.getBody()).isEqualTo(new SeedEnvelope("503001", "busy", null));
    }

    @Test
    void everyTypeHasADistinctCodeAndItsUri() {
        for (ProblemType type : ProblemType.values()) {
            assertThat(type.type().toString()).isEqualTo(Problem.TYPE_PREFIX + type.code());
            assertThat(type.seedErrorCode()).isEqualTo(type.status().value() + "001");
        }
        assertThat(java.util.Arrays.stream(ProblemType.values()).map(ProblemType::code).distinct())
                .hasSize(ProblemType.values().length);
    }
}
