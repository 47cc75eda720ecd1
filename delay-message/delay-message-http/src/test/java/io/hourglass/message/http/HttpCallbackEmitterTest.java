package io.hourglass.message.http;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageEmitter.NotAttemptedException;
import io.hourglass.core.spi.MessageEmitter.PermanentFailureException;
import io.hourglass.core.spi.MessageEmitter.RetryAfterException;
import io.hourglass.core.spi.MessageEmitter.TargetUnavailableException;
import io.hourglass.message.http.TestServer.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static io.hourglass.message.http.Messages.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The emitter against a real HTTP server on 127.0.0.1 (targets allow the private network explicitly). */
class HttpCallbackEmitterTest {

    static final byte[] SECRET = "test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_800_000_123_456L;
    private static final DelayClock CLOCK = () -> NOW;

    private final TestServer server = new TestServer();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<HttpCallbackEmitter> emitters = new ArrayList<>();

    @AfterEach
    void stop() {
        release.countDown();
        emitters.forEach(HttpCallbackEmitter::close);
        server.close();
    }

    private CallbackTarget target(String path, Duration timeout) {
        return new CallbackTarget(server.uri(path), CallbackTarget.Method.POST, Map.of(), timeout, true);
    }

    private HttpCallbackEmitter emitter(CallbackTarget target, int perHost) {
        return emitter(target, perHost, new CallbackTargetGuard(app -> Set.of("127.0.0.1")));
    }

    private HttpCallbackEmitter emitter(CallbackTarget target, int perHost, CallbackTargetGuard guard) {
        HttpCallbackEmitter emitter = new HttpCallbackEmitter(topic -> Optional.of(target),
                app -> Optional.of(SECRET.clone()), guard, CLOCK, Duration.ofSeconds(2), perHost);
        emitters.add(emitter);
        return emitter;
    }

    private Throwable failureOf(HttpCallbackEmitter emitter, DelayMessage message) {
        CompletableFuture<Void> future = emitter.emit(List.of(message), NOW).get(0);
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        return future.handle((ok, error) -> error).join();
    }

    @Test
    @Timeout(20)
    void twoHundredsDeliverTheMessage() throws Exception {
        server.on("/ok", TestServer.status(200, "thanks", Map.of())).on("/no-content", TestServer.status(204));

        emitter(target("/ok", Duration.ofSeconds(5)), 4).emit(List.of(firing("a")), NOW).get(0).get(10, TimeUnit.SECONDS);
        emitter(target("/no-content", Duration.ofSeconds(5)), 4).emit(List.of(firing("b")), NOW).get(0)
                .get(10, TimeUnit.SECONDS);

        assertThat(server.count("/ok")).isEqualTo(1);
        assertThat(server.count("/no-content")).isEqualTo(1);
    }

    @Test
    @Timeout(20)
    void everyCallbackIsTimedByTopicHostAndOutcome() throws Exception {
        server.on("/ok", TestServer.status(200)).on("/gone", TestServer.status(404)).on("/boom", TestServer.status(500));
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        for (String path : List.of("/ok", "/ok", "/gone", "/boom")) {
            CallbackTarget target = target(path, Duration.ofSeconds(5));
            HttpCallbackEmitter emitter = new HttpCallbackEmitter(topic -> Optional.of(target),
                    app -> Optional.of(SECRET.clone()), new CallbackTargetGuard(app -> Set.of("127.0.0.1")), CLOCK,
                    Duration.ofSeconds(2), 4, registry);
            emitters.add(emitter);
            emitter.emit(List.of(firing("m")), NOW).get(0).handle((ok, error) -> null).get(10, TimeUnit.SECONDS);
        }

        java.util.function.Function<String, Long> count = outcome -> registry.find(HttpCallbackEmitter.METRIC)
                .tag("host", "127.0.0.1").tag("outcome", outcome).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
        assertThat(count.apply("delivered")).isEqualTo(2);
        assertThat(count.apply("permanent")).isEqualTo(1);
        assertThat(count.apply("failed")).isEqualTo(1);
        assertThat(registry.find(HttpCallbackEmitter.METRIC).tag("topic", firing("m").topic()).timers()).isNotEmpty();
    }

    @Test
    @Timeout(20)
    void serverErrorIsAFailedAttemptThatCounts() {
        server.on("/hook", TestServer.status(500, "boom", Map.of()));

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4), firing("x"));

        assertThat(failure).isExactlyInstanceOf(CallbackFailedException.class).hasMessageContaining("500")
                .hasMessageContaining("boom");
        assertThat(((CallbackFailedException) failure).status()).isEqualTo(500);
    }

    @Test
    @Timeout(20)
    void unavailableWithRetryAfterSecondsAsksForThatDelay() {
        server.on("/hook", TestServer.status(503, "", Map.of("Retry-After", "7")));

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4), firing("x"));

        assertThat(failure).isInstanceOf(RetryAfterException.class);
        assertThat(((RetryAfterException) failure).retryAfterMillis()).isEqualTo(7000);
    }

    @Test
    @Timeout(20)
    void tooManyRequestsWithRetryAfterDateAsksForTheTimeUntilThatDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochMilli(NOW).plusSeconds(90).atZone(ZoneOffset.UTC));
        server.on("/hook", TestServer.status(429, "slow down", Map.of("Retry-After", date)));

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4), firing("x"));

        // the date has whole seconds: NOW's 456 ms are cut off
        assertThat(((RetryAfterException) failure).retryAfterMillis()).isEqualTo(90_000 - 456);
    }

    @Test
    @Timeout(20)
    void requestTimeoutWithoutRetryAfterIsAFailedAttempt() {
        server.on("/hook", TestServer.status(408));

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4), firing("x"));

        assertThat(failure).isExactlyInstanceOf(CallbackFailedException.class).hasMessageContaining("408");
    }

    @Test
    @Timeout(20)
    void answerSlowerThanTheTimeoutIsAFailedAttempt() {
        server.on("/slow", exchange -> {
            release.await(10, TimeUnit.SECONDS);
            TestServer.status(200).answer(exchange);
        });

        Throwable failure = failureOf(emitter(target("/slow", Duration.ofMillis(300)), 4), firing("x"));

        assertThat(failure).isExactlyInstanceOf(CallbackFailedException.class).hasMessageContaining("no answer within");
        assertThat(((CallbackFailedException) failure).status()).isZero();
    }

    @Test
    @Timeout(20)
    void notFoundIsPermanentWithTheStatusAndTheStartOfTheBody() {
        server.on("/hook", TestServer.status(404, "no such order\n  17" + "x".repeat(5000), Map.of()));

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4), firing("x"));

        assertThat(failure).isInstanceOf(PermanentFailureException.class).hasMessageContaining("404")
                .hasMessageContaining("no such order 17");
        assertThat(failure.getMessage()).hasSizeLessThan(400);
    }

    @Test
    @Timeout(20)
    void closedPortMeansTheTargetIsUnavailable() {
        CallbackTarget closed = new CallbackTarget(URI.create("http://127.0.0.1:" + TestServer.closedPort() + "/hook"),
                CallbackTarget.Method.POST, Map.of(), Duration.ofSeconds(5), true);

        Throwable failure = failureOf(emitter(closed, 4), firing("x"));

        assertThat(failure).isInstanceOf(TargetUnavailableException.class);
    }

    @Test
    @Timeout(20)
    void redirectIsPermanentAndNotFollowed() {
        server.on("/hook", TestServer.status(302, "", Map.of("Location", server.uri("/elsewhere").toString())))
                .on("/elsewhere", TestServer.status(200));

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4), firing("x"));

        assertThat(failure).isInstanceOf(PermanentFailureException.class).hasMessageContaining("302")
                .hasMessageContaining("redirects are not followed");
        assertThat(server.count("/elsewhere")).isZero();
    }

    @Test
    @Timeout(20)
    void requestHasTheDocumentedHeadersAndBody() throws Exception {
        server.on("/hook", TestServer.status(200));
        Map<String, String> fixed = new LinkedHashMap<>();
        fixed.put("X-Team", "orders");
        fixed.put("Authorization", "Bearer target-token");
        CallbackTarget target = new CallbackTarget(server.uri("/hook"), CallbackTarget.Method.PUT, fixed,
                Duration.ofSeconds(5), true);
        Map<String, String> own = new LinkedHashMap<>();
        own.put("trace-id", "abc-123");
        own.put("X-Hourglass-Id", "forged");       // never replaces ours
        own.put("x-team", "forged");               // the target's fixed header wins
        own.put("Host", "evil.example.com");       // managed by the client: left out
        DelayMessage message = firing("{\"amount\":\"12€\"}", own, 1_800_000_000_000L, 3);

        emitter(target, 4).emit(List.of(message), NOW).get(0).get(10, TimeUnit.SECONDS);

        Received request = server.received.get(0);
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.body()).isEqualTo("{\"amount\":\"12€\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(request.headers().get("X-Hourglass-Id")).containsExactly(message.idString());
        assertThat(request.headers().getFirst("X-Hourglass-Deliver-At")).isEqualTo("1800000000000");
        assertThat(request.headers().getFirst("X-Hourglass-App")).isEqualTo("app-1");
        assertThat(request.headers().getFirst("X-Hourglass-Attempt")).isEqualTo("3");
        assertThat(request.headers().getFirst("X-Hourglass-Timestamp")).isEqualTo("1800000123");
        assertThat(request.headers().getFirst("X-Hourglass-Signature"))
                .isEqualTo(CallbackSignature.header(SECRET, 1_800_000_123L, request.body()));
        assertThat(request.headers().get("Content-Type")).containsExactly("application/octet-stream");
        assertThat(request.headers().get("X-Team")).containsExactly("orders");
        assertThat(request.headers().getFirst("Authorization")).isEqualTo("Bearer target-token");
        assertThat(request.headers().getFirst("Trace-id")).isEqualTo("abc-123");
        assertThat(request.headers().getFirst("Host")).startsWith("127.0.0.1:");
    }

    @Test
    @Timeout(20)
    void messageContentTypeReplacesTheDefault() throws Exception {
        server.on("/hook", TestServer.status(200));

        emitter(target("/hook", Duration.ofSeconds(5)), 4)
                .emit(List.of(firing("{}", Map.of("content-type", "application/json"), NOW, 1)), NOW).get(0)
                .get(10, TimeUnit.SECONDS);

        assertThat(server.received.get(0).headers().get("Content-Type")).containsExactly("application/json");
    }

    @Test
    @Timeout(30)
    void atMostThePerHostLimitOfRequestsIsInFlight() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        server.on("/blocking", exchange -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                release.await(20, TimeUnit.SECONDS);
            } finally {
                inFlight.decrementAndGet();
            }
            TestServer.status(200).answer(exchange);
        });
        HttpCallbackEmitter emitter = emitter(target("/blocking", Duration.ofSeconds(20)), 2);

        List<CompletableFuture<Void>> futures = emitter.emit(
                IntStream.range(0, 6).mapToObj(i -> firing("m" + i)).toList(), NOW);

        // two requests are at the server and four wait for a permit in the emitter: none is on its way
        await().atMost(Duration.ofSeconds(10)).until(() -> server.count("/blocking") == 2
                && emitter.waiting("127.0.0.1") == 4);
        release.countDown();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(server.count("/blocking")).isEqualTo(6);
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    @Timeout(30)
    void emitReturnsAtOnceForABatchToASlowServer() {
        server.on("/blocking", exchange -> {
            release.await(20, TimeUnit.SECONDS);
            TestServer.status(200).answer(exchange);
        });
        HttpCallbackEmitter emitter = emitter(target("/blocking", Duration.ofSeconds(20)), 32);
        List<DelayMessage> batch = IntStream.range(0, 100).mapToObj(i -> firing("m" + i)).toList();
        emitter.emit(List.of(firing("warm-up")), NOW); // class loading and the first threads are not the point

        long start = System.nanoTime();
        List<CompletableFuture<Void>> futures = emitter.emit(batch, NOW);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(futures).hasSize(100).noneMatch(CompletableFuture::isDone);
        assertThat(tookMillis).as("emit of 100 messages, ms").isLessThan(500); // a few ms in practice; generous on CI
    }

    @Test
    @Timeout(20)
    void nameThatNowResolvesToLoopbackIsRefusedAtSendTime() {
        CallbackTarget target = CallbackTarget.post(URI.create("http://hooks.example.test/hook"), Duration.ofSeconds(5));
        CallbackTargetGuard guard = new CallbackTargetGuard(app -> Set.of("hooks.example.test"),
                host -> new InetAddress[]{InetAddress.getByAddress(host, new byte[]{127, 0, 0, 1})});

        Throwable failure = failureOf(emitter(target, 4, guard), firing("x"));

        assertThat(failure).isInstanceOf(PermanentFailureException.class)
                .hasMessageStartingWith("target address not allowed").hasMessageContaining("loopback");
    }

    @Test
    @Timeout(20)
    void hostNotAllowedForTheMessagesAppIsRefusedWithoutARequest() {
        server.on("/hook", TestServer.status(200));
        CallbackTargetGuard guard = new CallbackTargetGuard(app -> app.equals("app-1") ? Set.of("127.0.0.1") : Set.of());

        Throwable failure = failureOf(emitter(target("/hook", Duration.ofSeconds(5)), 4, guard),
                firing("app-2", "x", Map.of(), NOW, 1));

        assertThat(failure).isInstanceOf(PermanentFailureException.class)
                .hasMessageStartingWith("target address not allowed").hasMessageContaining("app-2");
        assertThat(server.received).isEmpty();
    }

    @Test
    @Timeout(20)
    void unresolvableHostMeansTheTargetIsUnavailable() {
        CallbackTarget target = CallbackTarget.post(URI.create("http://gone.example.test/hook"), Duration.ofSeconds(5));
        CallbackTargetGuard guard = new CallbackTargetGuard(app -> Set.of("gone.example.test"), host -> {
            throw new UnknownHostException(host);
        });

        assertThat(failureOf(emitter(target, 4, guard), firing("x"))).isInstanceOf(TargetUnavailableException.class);
    }

    @Test
    @Timeout(20)
    void missingTargetOrSecretIsNotAnAttempt() {
        HttpCallbackEmitter noTarget = new HttpCallbackEmitter(topic -> Optional.empty(), app -> Optional.of(SECRET),
                new CallbackTargetGuard(app -> Set.of("127.0.0.1")), CLOCK, Duration.ofSeconds(2), 4);
        HttpCallbackEmitter noSecret = new HttpCallbackEmitter(
                topic -> Optional.of(target("/hook", Duration.ofSeconds(5))), app -> Optional.empty(),
                new CallbackTargetGuard(app -> Set.of("127.0.0.1")), CLOCK, Duration.ofSeconds(2), 4);
        emitters.add(noTarget);
        emitters.add(noSecret);

        assertThat(failureOf(noTarget, firing("x"))).isExactlyInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("no callback target for topic orders");
        assertThat(failureOf(noSecret, firing("x"))).isExactlyInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("no signing secret for app app-1");
    }

    @Test
    @Timeout(20)
    void closedEmitterSendsNothing() {
        server.on("/hook", TestServer.status(200));
        HttpCallbackEmitter emitter = emitter(target("/hook", Duration.ofSeconds(5)), 4);
        emitter.close();

        assertThat(failureOf(emitter, firing("x"))).isInstanceOf(NotAttemptedException.class);
        assertThat(server.received).isEmpty();
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(HttpCallbackEmitter.retryAfterMillis("120", 0)).isEqualTo(120_000);
        assertThat(HttpCallbackEmitter.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_470_000L))
                .isEqualTo(10_000);
        assertThat(HttpCallbackEmitter.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_490_000L))
                .isZero();
        assertThat(HttpCallbackEmitter.retryAfterMillis("soon", 0)).isNull();
        assertThat(HttpCallbackEmitter.retryAfterMillis("-5", 0)).isNull();
        assertThat(HttpCallbackEmitter.retryAfterMillis(null, 0)).isNull();
    }
}
