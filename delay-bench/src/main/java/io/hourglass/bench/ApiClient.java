package io.hourglass.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two submit calls of the REST API over JDK {@link HttpClient}s (HTTP/1.1, keep-alive): a few client
 * instances shared round-robin by the submitting threads, each keeping a pool of persistent connections.
 */
final class ApiClient {

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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final URI single;
    private final URI batch;
    private final String appKey;
    private final String appSecret;
    private final Duration timeout;
    private final HttpClient[] clients;

    ApiClient(URI base, String appKey, String appSecret, int clientCount, Duration timeout) {
        this.base = base;
        this.single = base.resolve("/api/v1/messages");
        this.batch = base.resolve("/api/v1/messages/batch");
        this.appKey = appKey;
        this.appSecret = appSecret;
        this.timeout = timeout;
        this.clients = new HttpClient[clientCount];
        for (int i = 0; i < clientCount; i++) {
            clients[i] = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }
    }

    /**
     * Checks that the server answers and takes the app key, with a harmless read of a message that does not exist.
     */
    void probe() throws UnreachableException {
        HttpRequest request = request(base.resolve("/api/v1/messages/1")).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> response;
        try {
            response = clients[0].send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            String why = e instanceof HttpConnectTimeoutException ? "connect timed out" : "connection refused";
            throw new UnreachableException("nothing answers at " + base + " (" + why + "). Is the server "
                    + "running? Start it with scripts/run.sh, or pass --base.", e);
        } catch (HttpTimeoutException e) {
            throw new UnreachableException("the server at " + base + " accepted a connection but did not answer "
                    + "within 10 s", e);
        } catch (IOException e) {
            throw new UnreachableException("cannot talk to " + base + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while probing " + base, e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new UnreachableException("the server at " + base + " refused app key '" + appKey + "' (HTTP "
                    + response.statusCode() + "); check --app-key / --app-secret", null);
        }
    }

    /** {@code POST /api/v1/messages}: 201 {"id","deliverAt","state"}. */
    Outcome submit(int thread, Message message) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = send(thread, single, JSON.writeValueAsBytes(message));
        } catch (IOException e) {
            return Outcome.failed("transport " + describe(e));
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            return Outcome.failed(problem(status, response.body()));
        }
        try {
            return accepted(JSON.readTree(response.body()), status);
        } catch (IOException e) {
            return Outcome.failed("HTTP " + status + " unreadable body");
        }
    }

    /**
     * {@code POST /api/v1/messages/batch}: 200 {"results":[...]} in input order. Returns one outcome per message;
     * a failed call fails every message of it.
     */
    List<Outcome> submitBatch(int thread, List<Message> messages) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = send(thread, batch, JSON.writeValueAsBytes(Map.of("messages", messages)));
        } catch (IOException e) {
            return allFailed(messages.size(), "transport " + describe(e));
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            return allFailed(messages.size(), problem(status, response.body()));
        }
        JsonNode results;
        try {
            results = JSON.readTree(response.body()).path("results");
        } catch (IOException e) {
            return allFailed(messages.size(), "HTTP " + status + " unreadable body");
        }
        if (!results.isArray() || results.size() != messages.size()) {
            return allFailed(messages.size(), "HTTP " + status + " results do not match the request ("
                    + results.size() + " for " + messages.size() + ")");
        }
        List<Outcome> outcomes = new ArrayList<>(messages.size());
        for (JsonNode item : results) {
            JsonNode error = item.get("error");
            outcomes.add(error != null && !error.isNull()
                    ? Outcome.failed("item " + problemName(error, error.path("status").asInt(status)))
                    : accepted(item, status));
        }
        return outcomes;
    }

    private HttpResponse<byte[]> send(int thread, URI uri, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = request(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return clients[thread % clients.length].send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri)
                .header("X-App-Key", appKey)
                .header("X-App-Secret", appSecret)
                .header("Accept", "application/json");
    }

    private static Outcome accepted(JsonNode node, int status) {
        JsonNode id = node.get("id");
        JsonNode deliverAt = node.get("deliverAt");
        if (id == null || id.isNull() || deliverAt == null || !deliverAt.canConvertToLong()) {
            return Outcome.failed("HTTP " + status + " answer without id/deliverAt");
        }
        return new Outcome(id.asText(), deliverAt.asLong(), null);
    }

    private static List<Outcome> allFailed(int n, String error) {
        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(Outcome.failed(error));
        }
        return outcomes;
    }

    /** "HTTP 503 overloaded" from a problem+json body, or the status alone. */
    private static String problem(int status, byte[] body) {
        try {
            return problemName(JSON.readTree(body), status);
        } catch (IOException | RuntimeException e) {
            return "HTTP " + status;
        }
    }

    private static String problemName(JsonNode problem, int status) {
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
