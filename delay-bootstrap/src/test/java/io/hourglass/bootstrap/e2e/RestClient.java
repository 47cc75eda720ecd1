package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A black-box client of the documented REST contract. */
final class RestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    RestClient(String base) {
        this.base = base;
    }

    String base() {
        return base;
    }

    record Response(int status, JsonNode body) {
    }

    Response call(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("X-App-Key", "demo").header("X-App-Secret", "demo-secret")
                .header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    /** Submits one message to topic demo; returns the 201 body. */
    JsonNode submit(String payload, long delayMs) throws IOException, InterruptedException {
        Response r = call("POST", "/api/v1/messages",
                "{\"topic\":\"demo\",\"payload\":" + JSON.writeValueAsString(payload) + ",\"delayMs\":" + delayMs + "}");
        if (r.status() != 201) {
            throw new IllegalStateException("submit answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }
}
