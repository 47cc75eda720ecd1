package io.hourglass.exporter.http;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.test.context.TestPropertySource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12, the HTTP edge: authentication before the body, body caps, slow bodies, the in-flight byte budget, the
 * per-address throttle of failed authentications and bounded JSON parsing. Small limits (and only 8 request
 * threads) make each limit reachable in a test; the defaults are documented in docs/security.md.
 */
@TestPropertySource(properties = {
        "delay.exporter.http.max-body-bytes=64KB",
        "delay.exporter.http.max-batch-body-bytes=256KB",
        "delay.exporter.http.body-read-timeout=1500ms",
        "delay.exporter.http.max-in-flight-bytes=300KB",
        "delay.exporter.http.auth-failure-limit=5",
        "delay.exporter.http.auth-failure-window=2s",
        "server.tomcat.threads.max=8",
        "server.tomcat.threads.min-spare=2"})
class EdgeLimitsTest extends ApiTestSupport {

    @Autowired
    FilterRegistrationBean<RequestGate> gate;

    /** A raw HTTP/1.1 exchange: headers (and maybe part of a body) written, the connection kept for later. */
    final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;

        Raw(String method, String path, String... headers) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void send(String bytes) throws IOException {
            out.write(bytes.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** The status line and everything the server sent until it closed or paused. */
        String answer(Duration within) throws IOException {
            socket.setSoTimeout((int) within.toMillis());
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.UTF_8).contains("\r\n\r\n") && complete(got)) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                // what came so far
            } catch (IOException e) {
                // reset after the answer: fine
            }
            return got.toString(StandardCharsets.UTF_8);
        }

        private boolean complete(ByteArrayOutputStream got) {
            String text = got.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = text.substring(0, headEnd).toLowerCase();
            int at = head.indexOf("content-length:");
            if (at < 0) {
                return text.endsWith("0\r\n\r\n") && head.contains("chunked");
            }
            int eol = head.indexOf("\r\n", at);
            long length = Long.parseLong(head.substring(at + 15, eol < 0 ? head.length() : eol).trim());
            return text.length() - headEnd - 4 >= length;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void authenticateBeforeBody_aRequestWithoutCredentialsIsRefusedWithoutSendingItsBody() throws Exception {
        try (Raw raw = new Raw("POST", "/api/v1/messages", "Content-Type", "application/json",
                "Content-Length", "50000000")) {
            String answer = raw.answer(Duration.ofSeconds(5));
            assertThat(answer).startsWith("HTTP/1.1 401").contains("unauthenticated");
        }
        try (Raw raw = new Raw("POST", "/delay/sendDelayMsg", "Content-Type", "application/x-www-form-urlencoded",
                "X-App-Secret", SECRET_OF_DEMO, "Content-Length", "50000000")) {
            assertThat(raw.answer(Duration.ofSeconds(5))).startsWith("HTTP/1.1 401").contains("401001");
        }
    }

    private static final String SECRET_OF_DEMO = "demo-secret";

    @Test
    void bodyCaps_aDeclaredLengthOverTheCapIs413AtOnceAndAStreamedOneIsCutOff() throws Exception {
        try (Raw raw = new Raw("POST", "/api/v1/messages", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                "Content-Type", "application/json", "Content-Length", "50000000")) {
            String answer = raw.answer(Duration.ofSeconds(5));
            assertThat(answer).startsWith("HTTP/1.1 413").contains("request-too-large").contains("max-body-bytes");
        }
        try (Raw raw = new Raw("POST", "/api/v1/messages", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                "Content-Type", "application/json", "Transfer-Encoding", "chunked")) {
            String chunk = "x".repeat(16 * 1024);
            for (int i = 0; i < 8; i++) { // 128 KiB, twice the cap
                raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            assertThat(raw.answer(Duration.ofSeconds(5))).startsWith("HTTP/1.1 413").contains("request-too-large");
        }
        int before = storedCount();
        String big = "p".repeat(100 * 1024);
        Reply single = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", big, "delayMs", 1000));
        assertProblem(single, 413, "request-too-large");
        Reply batch = authed("POST", "/api/v1/messages/batch", "{\"messages\":[" + json("topic", "demo", "payload", big,
                "delayMs", 60_000) + "]}");
        assertThat(batch.status()).as("the batch has its own, larger cap").isEqualTo(200);
        assertThat(storedCount()).isEqualTo(before + 1);
    }

    @Test
    void slowBodies_holdNoRequestThreadAndAreAnswered408() throws Exception {
        String id = submit(60_000);
        List<Raw> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) { // five times the 8 request threads
                Raw raw = new Raw("POST", "/api/v1/messages", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                        "Content-Type", "application/json", "Content-Length", "1000");
                raw.send("{\"topic\":");
                slow.add(raw);
            }
            for (int i = 0; i < 5; i++) {
                Reply read = call("GET", "/api/v1/messages/" + id, null, AUTH);
                assertThat(read.status()).as("the API still answers while bodies trickle in").isEqualTo(200);
            }
            for (Raw raw : slow) {
                assertThat(raw.answer(Duration.ofSeconds(10))).startsWith("HTTP/1.1 408").contains("request-timeout");
            }
        } finally {
            for (Raw raw : slow) {
                raw.close();
            }
        }
        await().until(() -> gate.getFilter().inFlightBytes() == 0);
    }

    @Test
    void inFlightBytes_overTheBudgetIs503WithRetryAfterAndTheBytesAreGivenBack() throws Exception {
        try (Raw a = new Raw("POST", "/api/v1/messages/batch", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                "Content-Type", "application/json", "Content-Length", "140000");
             Raw b = new Raw("POST", "/api/v1/messages/batch", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                     "Content-Type", "application/json", "Content-Length", "140000")) {
            a.send("{");
            b.send("{");
            await().until(() -> gate.getFilter().inFlightBytes() == 280_000);
            Reply third = authed("POST", "/api/v1/messages/batch", "{\"messages\":[" + json("topic", "demo",
                    "payload", "x".repeat(30_000), "delayMs", 60_000) + "]}");
            assertProblem(third, 503, "overloaded");
            assertThat(third.header("Retry-After")).isNotBlank();
        }
        await().until(() -> gate.getFilter().inFlightBytes() == 0);
        Reply after = authed("POST", "/api/v1/messages/batch", "{\"messages\":[" + json("topic", "demo",
                "payload", "x".repeat(30_000), "delayMs", 60_000) + "]}");
        assertThat(after.status()).isEqualTo(200);
    }

    @Test
    void failedAuthentications_throttleTheAddressWith429UntilTheWindowPasses() throws Exception {
        Thread.sleep(2_100); // a window of its own: other tests of this class fail a few authentications too
        for (int i = 0; i < 6; i++) {
            String key = "k".repeat(i == 0 ? 5_000 : 10 + i); // a long key too: 401, nothing kept of it
            assertProblem(call("GET", "/api/v1/messages/1", null, "X-App-Key", key, "X-App-Secret", "guess-" + i),
                    401, "unauthenticated");
        }
        Reply throttled = call("GET", "/api/v1/messages/" + "1", null, AUTH);
        assertProblem(throttled, 429, "auth-throttled");
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 2L);
        Thread.sleep(2_100);
        assertThat(call("GET", "/api/v1/messages/1", null, AUTH).status()).isEqualTo(404);
        assertThat(gate.getFilter().throttledAddresses()).isLessThanOrEqualTo(1);
    }

    @Test
    void brokenFramingAndPathsTheContainerRefusesAreProblemsNotHtmlPages() throws Exception {
        try (Raw raw = new Raw("POST", "/api/v1/messages", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                "Content-Type", "application/json", "Content-Length", "12abc")) {
            assertThat(raw.answer(Duration.ofSeconds(5))).startsWith("HTTP/1.1 400")
                    .contains("application/problem+json").contains("bad-request").doesNotContain("<html");
        }
        try (Raw raw = new Raw("POST", "/api/v1/messages/batch", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO,
                "Content-Type", "application/json", "Content-Length", "20", "Transfer-Encoding", "chunked")) {
            raw.send("{\"messages\":[]} not chunked at all\r\n\r\n");
            String answer = raw.answer(Duration.ofSeconds(5));
            assertThat(answer).startsWith("HTTP/1.1 400").contains("problem+json").doesNotContain("internal-error");
        }
        try (Raw raw = new Raw("GET", "/api/v1/messages/%00id%00", "X-App-Key", "demo", "X-App-Secret", SECRET_OF_DEMO)) {
            assertThat(raw.answer(Duration.ofSeconds(5))).startsWith("HTTP/1.1 400")
                    .contains("application/problem+json").doesNotContain("<html").doesNotContain("Tomcat");
        }
    }

    @Test
    void jsonBombs_anArrayOfMillionsOfEntriesAndDeepNestingAreRefusedCheaply() {
        int before = storedCount();
        StringBuilder bomb = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 80_000; i++) {
            bomb.append(i == 0 ? "{}" : ",{}");
        }
        Reply array = authed("POST", "/api/v1/messages/batch", bomb.append("]}").toString());
        assertProblem(array, 400, "validation-failed");
        assertThat(fieldsOf(array)).contains("messages");

        Reply twice = authed("POST", "/api/v1/messages",
                "{\"topic\":\"demo\",\"payload\":\"p\",\"delayMs\":1000,\"topic\":\"other\"}");
        assertProblem(twice, 400, "malformed-json");
        Reply seedTwice = authed("POST", "/delay/sendDelayMsg",
                "{\"topic\":\"demo\",\"message\":\"m\",\"execTime\":1,\"topic\":\"demo\"}");
        assertThat(seedTwice.status()).isEqualTo(400);
        assertThat(seedTwice.text("/errorCode")).isEqualTo("400001");

        String deep = "{\"topic\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}";
        assertThat(authed("POST", "/api/v1/messages", deep).status()).isEqualTo(400);
        assertThat(storedCount()).isEqualTo(before);
    }
}
