package io.hourglass.client.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.client.api.BatchSubmitRequest;
import io.hourglass.client.api.BatchSubmitResponse;
import io.hourglass.client.api.CancelResponse;
import io.hourglass.client.api.DelayClient;
import io.hourglass.client.api.DelayClientBuilder;
import io.hourglass.client.api.RetryPolicy;
import io.hourglass.client.api.DelayClientException;
import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.RedriveRequest;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.RescheduleResponse;
import io.hourglass.client.api.ServiceUnavailableException;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link DelayClient} over the REST API ({@code /api/v1}), on {@link java.net.http.HttpClient} (HTTP/1.1, pooled
 * keep-alive connections) and Jackson.
 *
 * <p>Retries: a call that got no answer (connection refused or reset, connect or request timeout) or a {@code 503}
 * is retried up to {@code maxRetries} times with exponential backoff and jitter (see {@link Builder}); any other
 * error is thrown at once. Every call is safe to repeat: GET, PATCH and DELETE are idempotent, and a submit
 * without a caller-given key gets a generated {@code Idempotency-Key} (a random UUID) that all of its retries
 * reuse, so a retry whose first attempt was stored but whose answer was lost returns the first message rather
 * than storing a second one. The one call that is not idempotent, a re-time by {@code extendMs}, is retried only
 * when it surely was not applied (a {@code 503}, or no connection at all), never after a timeout.
 *
 * <p>Thread-safe; build one and share it. Calls block the calling thread for at most about
 * {@code (1 + maxRetries) * (connectTimeout + requestTimeout) + } the backoffs.
 *
 * <pre>{@code
 * try (DelayClient client = HttpDelayClient.builder()
 *         .baseUrl("http://localhost:8080").appKey("demo").appSecret("demo-secret").build()) {
 *     SubmitResponse r = client.submit(SubmitRequest.delayed("demo", "cancel unpaid order 42", 5_000));
 * }
 * }</pre>
 */
public final class HttpDelayClient implements DelayClient {

    /** The header that makes a submit safe to repeat. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    static final String MESSAGES = "/api/v1/messages";
    private static final String JSON = "application/json";

    private final String baseUrl;
    private final String appKey;
    private final String appSecret;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;
    private final HttpClient http;
    private final ObjectMapper json;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpDelayClient(Builder b) {
        this.baseUrl = stripTrailingSlash(Objects.requireNonNull(b.baseUrl, "baseUrl"));
        this.appKey = b.appKey();
        this.appSecret = b.appSecret();
        this.requestTimeout = b.requestTimeout();
        this.retryPolicy = b.retryPolicy();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        URI.create(baseUrl + MESSAGES); // fail at build time on a malformed URL
    }

    /** A builder; {@code baseUrl}, {@code appKey} and {@code appSecret} are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SubmitResponse submit(SubmitRequest request, String idempotencyKey) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        return call("POST", MESSAGES, request, idempotencyKey, true, SubmitResponse.class);
    }

    @Override
    public BatchSubmitResponse submitBatch(List<SubmitRequest> requests, String idempotencyKey) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        return call("POST", MESSAGES + "/batch", new BatchSubmitRequest(requests), idempotencyKey, true,
                BatchSubmitResponse.class);
    }

    @Override
    public MessageView get(String id) {
        return call("GET", messagePath(id), null, null, true, MessageView.class);
    }

    @Override
    public CancelResponse cancel(String id) {
        return call("DELETE", messagePath(id), null, null, true, CancelResponse.class);
    }

    @Override
    public RescheduleResponse reschedule(String id, RescheduleRequest request) {
        Objects.requireNonNull(request, "request");
        // an extension is relative to the current due time: applying it twice moves the message twice
        return call("PATCH", messagePath(id), request, null, request.extendMs() == null, RescheduleResponse.class);
    }

    @Override
    public MessageView redrive(String id, RedriveRequest request) {
        Objects.requireNonNull(request, "request");
        // a second redrive of a redriven message is a 409: retried only when the first surely was not applied
        return call("POST", messagePath(id) + "/redrive", request, null, false, MessageView.class);
    }

    @Override
    public MessageView replay(String id) {
        // each replay emits once more: retried only when the first surely emitted nothing
        return call("POST", messagePath(id) + "/replay", null, null, false, MessageView.class);
    }

    /** Marks the client closed; the JDK's HttpClient frees its connections and selector thread once unreachable. */
    @Override
    public void close() {
        closed.set(true);
    }

    private static String messagePath(String id) {
        Objects.requireNonNull(id, "id");
        return MESSAGES + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * One logical call: the first attempt plus the retries the policy allows, all with the same request. A call
     * that is not idempotent is retried only when the server surely did not act on it: a 503, or a connection
     * that was never made; not after a timeout or a reset, when the request may have been applied.
     */
    private <T> T call(String method, String path, Object body, String idempotencyKey, boolean idempotent,
                       Class<T> answer) {
        if (closed.get()) {
            throw new IllegalStateException("client is closed");
        }
        HttpRequest request = request(method, path, body, idempotencyKey);
        for (int retries = 0; ; retries++) {
            try {
                return attempt(request, answer);
            } catch (DelayClientException e) {
                if (!retryPolicy.shouldRetry(retries, e) || !idempotent && mayHaveBeenApplied(e)) {
                    throw e;
                }
                pause(retryPolicy.backoff(retries + 1), e);
            }
        }
    }

    private HttpRequest request(String method, String path, Object body, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Accept", JSON + ", application/problem+json")
                .header("X-App-Key", appKey)
                .header("X-App-Secret", appSecret);
        if (idempotencyKey != null) {
            b.header(IDEMPOTENCY_KEY, idempotencyKey);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(write(body)));
        }
        return b.build();
    }

    private <T> T attempt(HttpRequest request, Class<T> answer) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) { // refused, reset, HttpConnectTimeoutException, HttpTimeoutException
            throw new ServiceUnavailableException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DelayClientException(DelayClientException.NO_RESPONSE, null, "interrupted", null, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            try {
                return json.readValue(response.body(), answer);
            } catch (IOException e) {
                throw new DelayClientException(status, null, "unreadable answer: " + snippet(response.body()), null, e);
            }
        }
        throw ErrorMapping.toException(json, status, response.body());
    }

    private static boolean mayHaveBeenApplied(DelayClientException e) {
        return e.status() == DelayClientException.NO_RESPONSE
                && !(e.getCause() instanceof ConnectException || e.getCause() instanceof HttpConnectTimeoutException);
    }

    private static void pause(Duration backoff, DelayClientException failure) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + body.getClass().getSimpleName(), e);
        }
    }

    static String snippet(String body) {
        return body == null ? "" : body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Settings of an {@link HttpDelayClient}: the shared ones of {@link DelayClientBuilder} plus the server's URL. */
    public static final class Builder extends DelayClientBuilder<Builder> {
        private String baseUrl;

        private Builder() {
        }

        /** The server (or load balancer), such as {@code http://localhost:8080}; required. */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** @throws NullPointerException when {@code baseUrl}, {@code appKey} or {@code appSecret} is missing */
        public HttpDelayClient build() {
            return new HttpDelayClient(this);
        }
    }
}
