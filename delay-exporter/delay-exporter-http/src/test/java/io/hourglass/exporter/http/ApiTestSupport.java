package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.RecordingEmitter;
import io.hourglass.exporter.http.app.TestApplication;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Black-box HTTP tests against the exporter on a random port, over a real engine with in-memory fakes
 * ({@link TestApplication}). One context serves every subclass.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                // what the bootstrap is asked to set too: form posts and swallowed bodies of a few MiB
                "server.tomcat.max-http-form-post-size=4MB",
                "server.tomcat.max-swallow-size=8MB",
                "spring.main.banner-mode=off"})
@Timeout(30)
abstract class ApiTestSupport {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String TYPE_PREFIX = "https://hourglass.dev/problems/";
    static final String[] AUTH = {"X-App-Key", TestApplication.APP, "X-App-Secret", TestApplication.SECRET};
    static final String[] OTHER_AUTH = {"X-App-Key", TestApplication.OTHER_APP, "X-App-Secret", TestApplication.OTHER_SECRET};

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    InMemoryMessageStore store;

    @Autowired
    RecordingEmitter emitter;

    /** A response with its body parsed when it is JSON. */
    record Reply(HttpResponse<String> raw) {
        int status() {
            return raw.statusCode();
        }

        String contentType() {
            return raw.headers().firstValue("Content-Type").orElse("");
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + raw.body(), e);
            }
        }

        String text(String pointer) {
            return json().at(pointer).asText();
        }
    }

    Reply call(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        boolean contentType = false;
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            contentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !contentType) {
            request.header("Content-Type", "application/json");
        }
        try {
            return new Reply(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply post(String path, String body, String... headers) {
        return call("POST", path, body, headers);
    }

    Reply authed(String method, String path, String body, String... more) {
        return call(method, path, body, concat(AUTH, more));
    }

    static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A JSON object built from name/value pairs (values may be any JSON-able object). */
    static String json(Object... pairs) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
        }
        return node.toString();
    }

    /** Schedules a message of the demo app and returns its id. */
    String submit(long delayMs) {
        Reply reply = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "p-" + UUID.randomUUID(),
                "delayMs", delayMs));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(201);
        return reply.text("/id");
    }

    DelayMessage stored(String id) {
        long parsed = MessageIds.parse(id);
        return store.all().stream().filter(m -> m.id() == parsed).findFirst()
                .orElseThrow(() -> new AssertionError("not stored: " + id));
    }

    int storedCount() {
        return store.all().size();
    }

    /** Asserts an RFC 9457 answer of our making. */
    static void assertProblem(Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith(PROBLEM_JSON);
        JsonNode problem = reply.json();
        assertThat(problem.path("type").asText()).isEqualTo(TYPE_PREFIX + code);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("detail").asText()).isNotBlank();
        assertThat(problem.path("instance").asText()).startsWith("/");
    }

    static List<String> fieldsOf(Reply reply) {
        List<String> fields = new ArrayList<>();
        reply.json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }
}
