package io.hourglass.client.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP server that answers with canned responses, in order (the last one repeats), and records every
 * request it got. Enough to test a client's retries and error mapping without a real Hourglass.
 */
final class StubServer implements AutoCloseable {

    /** One canned answer; {@code delayMs} > 0 holds it back, to provoke a client timeout. */
    record Canned(int status, String contentType, String body, long delayMs) {
        static Canned json(int status, String body) {
            return new Canned(status, "application/json", body, 0);
        }

        static Canned problem(int status, String code, String detail) {
            return new Canned(status, "application/problem+json",
                    "{\"type\":\"https://hourglass.dev/problems/" + code + "\",\"title\":\"t\",\"status\":" + status
                            + ",\"detail\":\"" + detail + "\",\"instance\":\"/api/v1/messages\"}", 0);
        }
    }

    /** What the client sent. */
    record Received(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final ConcurrentLinkedQueue<Canned> answers = new ConcurrentLinkedQueue<>();
    private volatile Canned last = Canned.json(500, "{}");
    final List<Received> received = new CopyOnWriteArrayList<>();

    StubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Answers the next requests with these, in order; the last one answers every request after them. */
    StubServer answer(Canned... canned) {
        answers.addAll(List.of(canned));
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Canned next = answers.poll();
            if (next == null) {
                next = last;
            } else if (answers.isEmpty()) {
                last = next;
            }
            if (next.delayMs() > 0) {
                try {
                    Thread.sleep(next.delayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] bytes = next.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", next.contentType());
            exchange.sendResponseHeaders(next.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
