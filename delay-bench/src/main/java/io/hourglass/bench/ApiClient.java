package io.hourglass.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The two submit calls of the REST API, {@code POST /api/v1/messages} and {@code POST /api/v1/messages/batch},
 * plus a probe. Two transports: {@link NettyApiClient} (the default: Netty's HTTP codec, one keep-alive channel per
 * submitting thread) and {@link JdkApiClient} ({@code java.net.http.HttpClient}).
 * Both send the same requests and read the answers the same way.
 */
abstract class ApiClient implements AutoCloseable {

    /** {@code --client} values. */
    static final String NETTY = "netty";
    static final String JDK = "jdk";

    /** One message as the API takes it; exactly one of {@code delayMs} and {@code deliverAt} is set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Message(String topic, String payload, Long delayMs, Long deliverAt) {
    }

    /**
     * What became of one message: accepted ({@code id != null}), or refused with {@code error} saying why
     * ("HTTP 503 overloaded", "transport ConnectException", ...).
     */
    record Outcome(String id, long deliverAt, String error) {
        boolean ok() {
            return id != null;
        }

        static Outcome failed(String error) {
            return new Outcome(null, 0, error);
        }
    }

    /** The server cannot be used at all: nothing listens, it does not answer, or it refuses the app key. */
    static final class UnreachableException extends Exception {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final String SINGLE_PATH = "/api/v1/messages";
    static final String BATCH_PATH = "/api/v1/messages/batch";
    static final String PROBE_PATH = "/api/v1/messages/1";
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    static final ObjectMapper JSON = new ObjectMapper();

    final URI base;
    final String appKey;
    final String appSecret;

    ApiClient(URI base, String appKey, String appSecret) {
        this.base = base;
        this.appKey = appKey;
        this.appSecret = appSecret;
    }

    /**
     * A client of {@code base} for {@code threads} submitting threads (thread indexes {@code 0..threads-1}).
     *
     * @param client      {@link #NETTY} or {@link #JDK}
     * @param httpClients JDK client only: how many {@code HttpClient}s the threads share round-robin
     */
    static ApiClient create(String client, URI base, String appKey, String appSecret, int threads, int httpClients,
                            Duration timeout) throws UnreachableException {
        if (JDK.equals(client)) {
            return new JdkApiClient(base, appKey, appSecret, httpClients, timeout);
        }
        try {
            return new NettyApiClient(base, appKey, appSecret, threads, timeout);
        } catch (UnknownHostException e) {
            throw new UnreachableException("cannot resolve " + base.getHost() + ": " + describe(e), e);
        }
    }

    /**
     * Checks that the server answers and takes the app key, with a harmless read of a message that does not exist.
     */
    abstract void probe() throws UnreachableException;

    /** {@code POST /api/v1/messages}: 201 {"id","deliverAt","state"}. Called by thread {@code thread} only. */
    abstract Outcome submit(int thread, Message message) throws InterruptedException;

    /**
     * {@code POST /api/v1/messages/batch}: 200 {"results":[...]} in input order. Returns one outcome per message;
     * a failed call fails every message of it. Called by thread {@code thread} only.
     */
    abstract List<Outcome> submitBatch(int thread, List<Message> messages) throws InterruptedException;

    /**
     * True when the client runs the closed loop itself ({@link #submitAsync}, {@link #submitBatchAsync},
     * {@link #later}): the answer's callback, on the client's I/O thread, sends the thread's next request, so no
     * request is handed from a submitting thread to an I/O thread and back.
     */
    boolean asynchronous() {
        return false;
    }

    /**
     * {@link #submit} without waiting: {@code done} gets the outcome on the I/O thread of client {@code thread}
     * (one request in flight per client: call again only from {@code done} or after it ran).
     */
    void submitAsync(int thread, Message message, Consumer<Outcome> done) {
        throw new UnsupportedOperationException(describeTransport() + " is not asynchronous");
    }

    /** {@link #submitBatch} without waiting, as {@link #submitAsync}. */
    void submitBatchAsync(int thread, List<Message> messages, Consumer<List<Outcome>> done) {
        throw new UnsupportedOperationException(describeTransport() + " is not asynchronous");
    }

    /** Runs {@code task} on the I/O thread of client {@code thread} after {@code delayMs} (pacing). */
    void later(int thread, Runnable task, long delayMs) {
        throw new UnsupportedOperationException(describeTransport() + " is not asynchronous");
    }

    /** The transport, for the report ("netty, one keep-alive channel per client, driven by its event loop"). */
    abstract String describeTransport();

    @Override
    public void close() {
    }

    // ---------------------------------------------------------------- reading answers, shared by the transports

    static String probeRefusal(URI base, String appKey, int status) {
        return status == 401 || status == 403
                ? "the server at " + base + " refused app key '" + appKey + "' (HTTP " + status
                  + "); check --app-key / --app-secret"
                : null;
    }

    static Outcome accepted(JsonNode node, int status) {
        JsonNode id = node.get("id");
        JsonNode deliverAt = node.get("deliverAt");
        if (id == null || id.isNull() || deliverAt == null || !deliverAt.canConvertToLong()) {
            return Outcome.failed("HTTP " + status + " answer without id/deliverAt");
        }
        return new Outcome(id.asText(), deliverAt.asLong(), null);
    }

    /** The outcomes of a batch from a 2xx answer's body. */
    static List<Outcome> batchOutcomes(int status, byte[] body, int offset, int length, int n) {
        JsonNode results;
        try {
            results = JSON.readTree(body, offset, length).path("results");
        } catch (IOException e) {
            return allFailed(n, "HTTP " + status + " unreadable body");
        }
        if (!results.isArray() || results.size() != n) {
            return allFailed(n, "HTTP " + status + " results do not match the request ("
                    + results.size() + " for " + n + ")");
        }
        List<Outcome> outcomes = new ArrayList<>(n);
        for (JsonNode item : results) {
            JsonNode error = item.get("error");
            outcomes.add(error != null && !error.isNull()
                    ? Outcome.failed("item " + problemName(error, error.path("status").asInt(status)))
                    : accepted(item, status));
        }
        return outcomes;
    }

    static byte[] batchBody(List<Message> messages) throws IOException {
        return JSON.writeValueAsBytes(Map.of("messages", messages));
    }

    static List<Outcome> allFailed(int n, String error) {
        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(Outcome.failed(error));
        }
        return outcomes;
    }

    /** "HTTP 503 overloaded" from a problem+json body, or the status alone. */
    static String problem(int status, byte[] body, int offset, int length) {
        try {
            return problemName(JSON.readTree(body, offset, length), status);
        } catch (IOException | RuntimeException e) {
            return "HTTP " + status;
        }
    }

    static String problemName(JsonNode problem, int status) {
        String type = problem.path("type").asText("");
        String code = type.isEmpty() ? problem.path("title").asText("") : type.substring(type.lastIndexOf('/') + 1);
        return ("HTTP " + status + " " + code).trim();
    }

    /** "ConnectException (ClosedChannelException)", "HttpTimeoutException: request timed out", ... */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return e.getClass().getSimpleName() + ": " + message;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " (" + describe(root) + ")";
    }
}
