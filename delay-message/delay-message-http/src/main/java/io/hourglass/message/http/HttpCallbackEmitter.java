package io.hourglass.message.http;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.concurrent.NamedThreads;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.message.http.CallbackTargetGuard.TargetNotAllowedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers fired messages as HTTP callbacks: one request per message to its topic's {@link CallbackTarget}, signed
 * with the app's secret ({@link CallbackSignature}). The request layout and the receiver's side are in
 * {@code docs/callbacks.md}.
 *
 * <p>Outcome of each message's future:
 * <ul>
 *   <li>a 2xx answer within the target's timeout: completes normally (the engine marks the message DELIVERED);</li>
 *   <li>408, 429, 5xx, no answer within the timeout, or a connection broken after the request went out:
 *       {@link CallbackFailedException}, an attempt that counts; with a {@code Retry-After} (seconds or HTTP date) on
 *       the answer, a {@link MessageEmitter.RetryAfterException} with that delay instead;</li>
 *   <li>connection refused, host unreachable, name not resolvable, connect timeout:
 *       {@link MessageEmitter.TargetUnavailableException} (the receiver is down: no attempt is spent);</li>
 *   <li>any other 4xx, and every 3xx (redirects are never followed): {@link MessageEmitter.PermanentFailureException}
 *       with the status and an excerpt of the body (the message goes DEAD at once);</li>
 *   <li>a target the {@link CallbackTargetGuard} refuses at send time (host not allowed for the app, or its name now
 *       resolves to a private address): {@link MessageEmitter.PermanentFailureException}
 *       "target address not allowed: ...";</li>
 *   <li>no target for the topic, no signing secret for the app, the emitter closed:
 *       {@link MessageEmitter.NotAttemptedException} (a configuration gap: retried later without spending an
 *       attempt, so nothing goes DEAD while an operator fixes it).</li>
 * </ul>
 *
 * <p>Threading: {@link #emit} only looks the target and the secret up (from memory) and queues the request; it never
 * resolves a name, opens a connection or waits, so the firing thread returns at once. At most
 * {@code maxConcurrentPerHost} requests per host are in flight; the others wait for a permit asynchronously, in
 * order. Name resolution (the send-time address check) and the request run on the emitter's own daemon threads
 * ({@code hourglass-http-callback-N}), which are also the {@link HttpClient}'s executor; the futures complete on them,
 * so callers must not block in dependent stages. One shared client: HTTP/1.1, redirects never followed, connection
 * reuse across messages.
 */
public final class HttpCallbackEmitter implements MessageEmitter, AutoCloseable {

    /** Prefix of the reason of a message refused by the SSRF guard at send time. */
    public static final String NOT_ALLOWED = "target address not allowed: ";

    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    private static final int EXCERPT_BYTES = 512;
    private static final int EXCERPT_CHARS = 200;

    private final CallbackTargets targets;
    private final SigningSecrets secrets;
    private final CallbackTargetGuard guard;
    private final DelayClock clock;
    private final HostLimiter limiter;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final MeterRegistry registry;

    /** The timer of every callback, tagged by topic, host and outcome. */
    public static final String METRIC = "hourglass.callbacks";

    /**
     * @param targets              each topic's target
     * @param secrets              each app's signing secret
     * @param guard                the SSRF guard, asked again before every request
     * @param clock                the source of {@code X-Hourglass-Timestamp} and of "now" for a {@code Retry-After}
     *                             date
     * @param connectTimeout       how long opening a connection may take before the target counts as unavailable
     * @param maxConcurrentPerHost requests in flight per host at most; more wait
     */
    public HttpCallbackEmitter(CallbackTargets targets, SigningSecrets secrets, CallbackTargetGuard guard,
                               DelayClock clock, Duration connectTimeout, int maxConcurrentPerHost) {
        this(targets, secrets, guard, clock, connectTimeout, maxConcurrentPerHost, new CompositeMeterRegistry());
    }

    /**
     * @param registry where each callback is timed: {@value #METRIC} by {@code topic}, {@code host} and
     *                 {@code outcome} ({@code delivered}, {@code failed} — a retried attempt —, {@code permanent},
     *                 {@code unavailable}, {@code not-sent}), from the emit to its answer (waiting for a per-host
     *                 permit included)
     */
    public HttpCallbackEmitter(CallbackTargets targets, SigningSecrets secrets, CallbackTargetGuard guard,
                               DelayClock clock, Duration connectTimeout, int maxConcurrentPerHost,
                               MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limiter = new HostLimiter(maxConcurrentPerHost);
        // Unbounded but demand-driven: threads block only on name resolution, at most maxConcurrentPerHost per host.
        // After close() a task runs on the submitting thread instead of being dropped, so every future completes.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), NamedThreads.numbered("hourglass-http-callback"), (task, rejectedBy) -> task.run());
        this.executor = pool;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(pool)
                .build();
    }

    @Override
    public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
        List<CompletableFuture<Void>> futures = new ArrayList<>(messages.size());
        for (DelayMessage message : messages) {
            futures.add(emitOne(message));
        }
        return futures;
    }

    private CompletableFuture<Void> emitOne(DelayMessage message) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new NotAttemptedException("the HTTP callback emitter is closed", null));
        }
        try {
            Optional<CallbackTarget> found = targets.targetFor(message.topic());
            if (found.isEmpty()) {
                return CompletableFuture.failedFuture(
                        new NotAttemptedException("no callback target for topic " + message.topic(), null));
            }
            CallbackTarget target = found.get();
            byte[] secret = secrets.secretFor(message.appKey()).orElse(null);
            if (secret == null || secret.length == 0) {
                return CompletableFuture.failedFuture(
                        new NotAttemptedException("no signing secret for app " + message.appKey(), null));
            }
            guard.checkHost(message.appKey(), target);
            CompletableFuture<Void> result = new CompletableFuture<>();
            long start = System.nanoTime();
            limiter.acquire(target.host())
                    .thenComposeAsync(permit -> sendHolding(permit, message, target, secret), executor)
                    .whenComplete((ignored, error) -> {
                        record(message.topic(), target.host(), error == null ? null : unwrap(error), start);
                        if (error == null) {
                            result.complete(null);
                        } else {
                            result.completeExceptionally(unwrap(error)); // the engine sees our exception, unwrapped
                        }
                    });
            return result;
        } catch (TargetNotAllowedException e) {
            return CompletableFuture.failedFuture(new PermanentFailureException(NOT_ALLOWED + e.getMessage(), e));
        } catch (RuntimeException e) {
            // a lookup that broke is not the message's fault
            return CompletableFuture.failedFuture(new NotAttemptedException("callback not sent: " + e, e));
        }
    }

    /** Sends while holding {@code permit}, and releases it when the exchange is over, however it ends. */
    private CompletableFuture<Void> sendHolding(HostLimiter.Permit permit, DelayMessage message, CallbackTarget target,
                                                byte[] secret) {
        CompletableFuture<Void> sent;
        try {
            sent = send(message, target, secret);
        } catch (Throwable t) {
            sent = CompletableFuture.failedFuture(t);
        }
        return sent.whenComplete((ignored, error) -> permit.release());
    }

    private CompletableFuture<Void> send(DelayMessage message, CallbackTarget target, byte[] secret) {
        try {
            guard.checkAddresses(target); // resolves: we are on the emitter's thread, not the caller's
        } catch (UnknownHostException e) {
            return CompletableFuture.failedFuture(
                    new TargetUnavailableException("cannot resolve callback host " + target.host(), e));
        } catch (TargetNotAllowedException e) {
            return CompletableFuture.failedFuture(new PermanentFailureException(NOT_ALLOWED + e.getMessage(), e));
        }
        HttpRequest request;
        try {
            request = request(message, target, secret, Math.floorDiv(clock.now(), 1000));
        } catch (IllegalArgumentException e) {
            // a header name or value HTTP cannot carry: this message can never be sent as it is
            return CompletableFuture.failedFuture(
                    new PermanentFailureException("cannot build the callback request: " + e.getMessage(), e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        client.sendAsync(request, HttpCallbackEmitter::bodyFor)
                // HttpRequest#timeout ends with the headers; this also bounds a body that trickles in after them
                .orTimeout(target.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((response, error) -> {
                    Throwable failure = error != null ? failureOf(error, target) : failureOf(response, target);
                    if (failure == null) {
                        result.complete(null);
                    } else {
                        result.completeExceptionally(failure);
                    }
                });
        return result;
    }

    /**
     * The request for {@code message} sent at {@code timestampSeconds}: Hourglass's headers, then the target's
     * fixed ones, then the message's own (a name already present, an {@code X-Hourglass-} name or one the client
     * manages is left out); Content-Type from the message, else the target, else {@value #DEFAULT_CONTENT_TYPE}.
     */
    HttpRequest request(DelayMessage message, CallbackTarget target, byte[] secret, long timestampSeconds) {
        byte[] body = message.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(target.url())
                .timeout(target.timeout())
                .method(target.method().name(), HttpRequest.BodyPublishers.ofByteArray(body))
                .header(CallbackHeaders.ID, message.idString())
                .header(CallbackHeaders.DELIVER_AT, Long.toString(message.deliverAt()))
                .header(CallbackHeaders.APP, message.appKey())
                .header(CallbackHeaders.ATTEMPT, Integer.toString(message.attempts()))
                .header(CallbackHeaders.TIMESTAMP, Long.toString(timestampSeconds))
                .header(CallbackHeaders.SIGNATURE, CallbackSignature.header(secret, timestampSeconds, body));
        String contentType = headerValue(message.headers(), CallbackHeaders.CONTENT_TYPE)
                .or(() -> headerValue(target.headers(), CallbackHeaders.CONTENT_TYPE))
                .orElse(DEFAULT_CONTENT_TYPE);
        builder.header(CallbackHeaders.CONTENT_TYPE, contentType);
        Set<String> present = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        present.add(CallbackHeaders.CONTENT_TYPE);
        addHeaders(builder, target.headers(), present);
        addHeaders(builder, message.headers(), present);
        return builder.build();
    }

    private static void addHeaders(HttpRequest.Builder builder, Map<String, String> headers, Set<String> present) {
        headers.forEach((name, value) -> {
            if (!CallbackHeaders.isReserved(name) && !CallbackHeaders.isSetByClient(name) && present.add(name)) {
                try {
                    builder.header(name, value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("header '" + name + "' cannot be sent over HTTP", e);
                }
            }
        });
    }

    private static Optional<String> headerValue(Map<String, String> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst();
    }

    /** 2xx: the body is read and dropped (the connection is reused); otherwise an excerpt for the reason. */
    private static HttpResponse.BodySubscriber<String> bodyFor(HttpResponse.ResponseInfo info) {
        return isSuccess(info.statusCode()) ? HttpResponse.BodySubscribers.replacing("")
                : new ExcerptSubscriber(EXCERPT_BYTES);
    }

    /** The failure an answer stands for, or {@code null} for a delivered message. See the class comment. */
    private Throwable failureOf(HttpResponse<String> response, CallbackTarget target) {
        int status = response.statusCode();
        if (isSuccess(status)) {
            return null;
        }
        String reason = "callback " + target.method() + " " + target.url() + " answered " + status;
        if (status >= 300 && status < 400) {
            return new PermanentFailureException(reason + ": redirects are not followed"
                    + response.headers().firstValue("Location").map(l -> " (Location: " + excerpt(l) + ")").orElse(""),
                    null);
        }
        String withBody = response.body() == null || response.body().isEmpty() ? reason
                : reason + ": " + excerpt(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Long retryAfter = retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null), clock.now());
            return retryAfter == null ? new CallbackFailedException(withBody, status, null)
                    : new RetryAfterException(withBody + " (Retry-After " + retryAfter + " ms)", retryAfter, null);
        }
        if (status >= 400) {
            return new PermanentFailureException(withBody, null);
        }
        return new CallbackFailedException(withBody, status, null); // 1xx: not an answer we can act on
    }

    /** The failure a request that got no answer stands for. See the class comment. */
    private static Throwable failureOf(Throwable error, CallbackTarget target) {
        Throwable cause = unwrap(error);
        String where = target.method() + " " + target.url();
        if (cause instanceof HttpConnectTimeoutException) {
            return new TargetUnavailableException("callback host did not accept a connection in time: " + where, cause);
        }
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return new CallbackFailedException("no answer within " + target.timeout() + ": " + where, 0, cause);
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return new TargetUnavailableException("callback host unreachable (" + t + "): " + where, cause);
            }
        }
        return new CallbackFailedException("callback failed (" + cause + "): " + where, 0, cause);
    }

    /**
     * A {@code Retry-After} value in milliseconds from {@code now}: delta seconds or an HTTP date (a date in the past
     * gives 0); {@code null} when absent or unreadable.
     */
    static Long retryAfterMillis(String value, long now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Math.multiplyExact(Long.parseLong(v), 1000L);
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - now);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void record(String topic, String host, Throwable failure, long startNanos) {
        String outcome = failure == null ? "delivered"
                : failure instanceof PermanentFailureException ? "permanent"
                : failure instanceof TargetUnavailableException ? "unavailable"
                : failure instanceof NotAttemptedException ? "not-sent"
                : "failed";
        try {
            Timer.builder(METRIC).description("HTTP callbacks, from the emit to the answer")
                    .tag("topic", topic).tag("host", host).tag("outcome", outcome).register(registry)
                    .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            // a metric never fails a delivery
        }
    }

    private static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    private static String excerpt(String text) {
        return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** Requests of {@code host} waiting for a permit (for tests and metrics). */
    int waiting(String host) {
        return limiter.waiting(host);
    }

    /**
     * Refuses new messages (they fail with {@link MessageEmitter.NotAttemptedException}) and lets the threads go once
     * idle. Requests in flight finish or time out; their futures still complete. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.shutdown();
        }
    }
}
