package io.hourglass.client.dubbo;

import io.hourglass.client.api.BatchItem;
import io.hourglass.client.api.BatchSubmitResponse;
import io.hourglass.client.api.CancelResponse;
import io.hourglass.client.api.DelayClient;
import io.hourglass.client.api.DelayClientBuilder;
import io.hourglass.client.api.DelayClientException;
import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.ProblemCode;
import io.hourglass.client.api.RedriveRequest;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.RescheduleResponse;
import io.hourglass.client.api.RetryPolicy;
import io.hourglass.client.api.ServiceUnavailableException;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;
import io.hourglass.client.api.rpc.BatchResult;
import io.hourglass.client.api.rpc.BatchSubmitMessagesRequest;
import io.hourglass.client.api.rpc.CancelMessageRequest;
import io.hourglass.client.api.rpc.CancelMessageResponse;
import io.hourglass.client.api.rpc.GetMessageRequest;
import io.hourglass.client.api.rpc.MessageService;
import io.hourglass.client.api.rpc.RedriveMessageRequest;
import io.hourglass.client.api.rpc.ReplayMessageRequest;
import io.hourglass.client.api.rpc.RescheduleMessageRequest;
import io.hourglass.client.api.rpc.RescheduleMessageResponse;
import io.hourglass.client.api.rpc.RpcConventions;
import io.hourglass.client.api.rpc.SubmitMessageRequest;
import io.hourglass.client.api.rpc.SubmitMessageResponse;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.RpcContext;
import org.apache.dubbo.rpc.RpcException;
import org.apache.dubbo.rpc.StatusRpcException;
import org.apache.dubbo.rpc.TriRpcStatus;
import org.apache.dubbo.rpc.model.FrameworkModel;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link DelayClient} over Dubbo 3 Triple, the RPC API {@code hourglass.delay.v1.MessageService} (HTTP/2, gRPC
 * wire protocol). It reaches the servers by a direct URL ({@code tri://host:50051}: one server, or a gRPC-aware load
 * balancer) or through a ZooKeeper registry where the servers register themselves (Dubbo then balances the calls
 * over the servers it finds and follows them as they come and go).
 *
 * <p>Behaves as {@code HttpDelayClient} does, checked by the same contract suite: the same answers, the same typed
 * exceptions (rebuilt from the problem details the server sends in the trailer {@code hourglass-problem-bin}), the
 * same retries: calls that got no answer or an {@code UNAVAILABLE} are retried up to {@code maxRetries} times with
 * exponential backoff and jitter ({@link RetryPolicy}); a submit without a caller-given idempotency key gets a
 * generated one that all its retries reuse; a re-time by {@code extendMs} is retried only when it surely was not
 * applied.
 *
 * <p>The app key and secret travel as the request metadata {@code x-app-key} / {@code x-app-secret}. Each client
 * is a Dubbo application of its own (without a QoS port), released on
 * {@link #close()}. Thread-safe; build one per server address (or registry) and app, and share it.
 *
 * <pre>{@code
 * try (DelayClient client = DubboDelayClient.builder()
 *         .address("tri://localhost:50051").appKey("demo").appSecret("demo-secret").build()) {
 *     SubmitResponse r = client.submit(SubmitRequest.delayed("demo", "cancel unpaid order 42", 5_000));
 * }
 * }</pre>
 */
public final class DubboDelayClient implements DelayClient {

    private final String appKey;
    private final String appSecret;
    private final RetryPolicy retryPolicy;
    private final DubboBootstrap bootstrap;
    private final MessageService stub;
    private final String target;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DubboDelayClient(Builder b) {
        if ((b.address == null) == (b.registryAddress == null)) {
            throw new IllegalArgumentException("set exactly one of address (tri://host:port) and registryAddress"
                    + " (zookeeper://host:port)");
        }
        this.appKey = b.appKey();
        this.appSecret = b.appSecret();
        this.retryPolicy = b.retryPolicy();
        this.target = b.address != null ? directUrl(b.address) : b.registryAddress;
        // an application of its own in Dubbo's default framework, not a framework of its own: destroying a framework
        // closes every Triple server of the JVM (Dubbo 3.3 keeps them in one static table), an application does not
        this.bootstrap = DubboBootstrap.newInstance(FrameworkModel.defaultModel());
        try {
            ApplicationConfig application = new ApplicationConfig("hourglass-client");
            application.setQosEnable(false);
            application.setEnableFileCache(false);

            ReferenceConfig<MessageService> reference = new ReferenceConfig<>();
            reference.setInterface(MessageService.class);
            reference.setProtocol("tri");
            reference.setTimeout((int) b.requestTimeout().toMillis());
            reference.setRetries(0); // retries are ours: with backoff, and only when safe
            reference.setFilter(ProblemTrailerFilter.NAME);
            reference.setCheck(false); // a server that is down now is a failed call later, not a failed build
            reference.setParameters(Map.of("connect.timeout", String.valueOf(b.connectTimeout().toMillis())));
            if (b.address != null) {
                reference.setUrl(target);
            } else {
                reference.setRegistry(new RegistryConfig(b.registryAddress));
            }
            bootstrap.application(application)
                    .registry(new RegistryConfig(b.registryAddress == null ? RegistryConfig.NO_AVAILABLE : b.registryAddress))
                    .reference(reference)
                    .start();
            this.stub = bootstrap.getCache().get(reference);
        } catch (RuntimeException e) {
            bootstrap.destroy();
            throw e;
        }
    }

    /** A builder; {@code appKey}, {@code appSecret} and one of {@code address} / {@code registryAddress} are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SubmitResponse submit(SubmitRequest request, String idempotencyKey) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        SubmitMessageRequest rpc = SubmitMessageRequest.newBuilder().setMessage(RpcConventions.toRpc(request))
                .setIdempotencyKey(idempotencyKey).build();
        SubmitMessageResponse r = call(() -> stub.submitMessageAsync(rpc), true);
        return new SubmitResponse(r.getId(), r.getDeliverAt(), RpcConventions.stateName(r.getState()));
    }

    @Override
    public BatchSubmitResponse submitBatch(List<SubmitRequest> requests, String idempotencyKey) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        BatchSubmitMessagesRequest.Builder rpc = BatchSubmitMessagesRequest.newBuilder().setIdempotencyKey(idempotencyKey);
        requests.forEach(r -> rpc.addMessages(RpcConventions.toRpc(r)));
        BatchSubmitMessagesRequest built = rpc.build();
        List<BatchItem> items = call(() -> stub.batchSubmitMessagesAsync(built), true).getResultsList().stream()
                .map(DubboDelayClient::item).toList();
        return new BatchSubmitResponse(items);
    }

    @Override
    public MessageView get(String id) {
        GetMessageRequest rpc = GetMessageRequest.newBuilder().setId(Objects.requireNonNull(id, "id")).build();
        return RpcConventions.toDto(call(() -> stub.getMessageAsync(rpc), true));
    }

    @Override
    public CancelResponse cancel(String id) {
        CancelMessageRequest rpc = CancelMessageRequest.newBuilder().setId(Objects.requireNonNull(id, "id")).build();
        CancelMessageResponse r = call(() -> stub.cancelMessageAsync(rpc), true);
        return new CancelResponse(r.getId(), RpcConventions.stateName(r.getState()));
    }

    @Override
    public RescheduleResponse reschedule(String id, RescheduleRequest request) {
        Objects.requireNonNull(request, "request");
        RescheduleMessageRequest.Builder rpc = RescheduleMessageRequest.newBuilder().setId(Objects.requireNonNull(id, "id"));
        if (request.deliverAt() != null) {
            rpc.setDeliverAt(request.deliverAt());
        }
        if (request.delayMs() != null) {
            rpc.setDelayMs(request.delayMs());
        }
        if (request.extendMs() != null) {
            rpc.setExtendMs(request.extendMs());
        }
        RescheduleMessageRequest built = rpc.build();
        // an extension is relative to the current due time: applying it twice moves the message twice
        RescheduleMessageResponse r = call(() -> stub.rescheduleMessageAsync(built), request.extendMs() == null);
        return new RescheduleResponse(r.getId(), r.getDeliverAt(), RpcConventions.stateName(r.getState()));
    }

    @Override
    public MessageView redrive(String id, RedriveRequest request) {
        Objects.requireNonNull(request, "request");
        RedriveMessageRequest.Builder rpc = RedriveMessageRequest.newBuilder().setId(Objects.requireNonNull(id, "id"));
        if (request.deliverAt() != null) {
            rpc.setDeliverAt(request.deliverAt());
        }
        if (request.delayMs() != null) {
            rpc.setDelayMs(request.delayMs());
        }
        RedriveMessageRequest built = rpc.build();
        // a second redrive of a redriven message is refused: retried only when the first surely was not applied
        return RpcConventions.toDto(call(() -> stub.redriveMessageAsync(built), false));
    }

    @Override
    public MessageView replay(String id) {
        ReplayMessageRequest rpc = ReplayMessageRequest.newBuilder().setId(Objects.requireNonNull(id, "id")).build();
        // each replay emits once more: retried only when the first surely emitted nothing
        return RpcConventions.toDto(call(() -> stub.replayMessageAsync(rpc), false));
    }

    /**
     * Closes the connections of this client. Dubbo's shared threads stay while another Dubbo application of the JVM
     * (another client, or the application's own Dubbo services) runs; they go with the last one.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            bootstrap.destroy();
        }
    }

    /**
     * One logical call: the first attempt plus the retries the policy allows. A call that is not idempotent is
     * retried only when the server surely did not act on it: an {@code UNAVAILABLE} answer of Hourglass, or a
     * connection that was never made.
     */
    private <T> T call(Supplier<CompletableFuture<T>> attempt, boolean idempotent) {
        if (closed.get()) {
            throw new IllegalStateException("client is closed");
        }
        for (int retries = 0; ; retries++) {
            try {
                RpcContext.getClientAttachment().setAttachment(RpcConventions.APP_KEY, appKey);
                RpcContext.getClientAttachment().setAttachment(RpcConventions.APP_SECRET, appSecret);
                return await(attempt.get());
            } catch (RpcException e) {
                DelayClientException failure = translate(e);
                if (!retryPolicy.shouldRetry(retries, failure) || !idempotent && mayHaveBeenApplied(failure)) {
                    throw failure;
                }
                pause(retryPolicy.backoff(retries + 1), failure);
            }
        }
    }

    /**
     * The answer of an attempt. Calls are made asynchronously and awaited here because only then does an answer
     * pass {@link ProblemTrailerFilter} with its trailers (a synchronous Dubbo call throws below the filters).
     */
    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RpcException r) {
                throw r;
            }
            throw new RpcException(cause instanceof TimeoutException ? RpcException.TIMEOUT_EXCEPTION
                    : RpcException.UNKNOWN_EXCEPTION, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted", e);
        }
    }

    /** The typed exception of a failed call: from the problem trailer, else from the gRPC status alone. */
    private DelayClientException translate(RpcException e) {
        if (e instanceof ProblemTrailerFilter.ProblemAnswer answer) {
            Problem problem = RpcConventions.toDto(answer.problem());
            return DelayClientException.from(problem.status(), problem);
        }
        TriRpcStatus status = e instanceof StatusRpcException s ? s.getStatus() : TriRpcStatus.getStatus(e);
        boolean noAnswer = e.isNetwork() || e.isTimeout() || e.isNoInvokerAvailableAfterFilter()
                || status.code == TriRpcStatus.Code.UNAVAILABLE || status.code == TriRpcStatus.Code.DEADLINE_EXCEEDED;
        if (noAnswer) {
            return new ServiceUnavailableException(target + ": " + e.getMessage(), e);
        }
        int httpStatus = ProblemCode.httpStatusOfGrpcCode(status.code.code);
        return DelayClientException.from(httpStatus, new Problem(null, null, httpStatus,
                status.code + ": " + status.description, null, null));
    }

    /**
     * Whether a call that got no answer may still have been applied: yes, unless Dubbo never had a connection to
     * send it on (no provider available). A 503 / UNAVAILABLE answer of Hourglass was not applied either.
     */
    private static boolean mayHaveBeenApplied(DelayClientException e) {
        return e.status() == DelayClientException.NO_RESPONSE
                && !(e.getCause() instanceof RpcException r && r.isNoInvokerAvailableAfterFilter());
    }

    private static void pause(Duration backoff, DelayClientException failure) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    private static BatchItem item(BatchResult r) {
        if (r.hasError()) {
            return BatchItem.failed(RpcConventions.toDto(r.getError()));
        }
        SubmitMessageResponse m = r.getMessage();
        return BatchItem.created(m.getId(), m.getDeliverAt(), RpcConventions.stateName(m.getState()));
    }

    /** {@code host:port} or {@code tri://host:port} as the URL Dubbo connects to. */
    private static String directUrl(String address) {
        String url = address.contains("://") ? address : "tri://" + address;
        if (!url.startsWith("tri://")) {
            throw new IllegalArgumentException("address must be tri://host:port or host:port, was " + address);
        }
        return url;
    }

    /** Settings of a {@link DubboDelayClient}: where the servers are, plus those of every {@link DelayClientBuilder}. */
    public static final class Builder extends DelayClientBuilder<Builder> {
        private String address;
        private String registryAddress;

        private Builder() {
        }

        /** One server or a gRPC-aware load balancer: {@code tri://host:50051} or {@code host:50051}. */
        public Builder address(String address) {
            this.address = address;
            return this;
        }

        /** A ZooKeeper registry where the servers register, such as {@code zookeeper://zk1:2181}. */
        public Builder registryAddress(String registryAddress) {
            this.registryAddress = registryAddress;
            return this;
        }

        /**
         * Starts the client's Dubbo consumer; it connects lazily, so a server that is down now does not fail this.
         *
         * @throws NullPointerException     when {@code appKey} or {@code appSecret} is missing
         * @throws IllegalArgumentException when not exactly one of {@code address} and {@code registryAddress} is set
         */
        public DubboDelayClient build() {
            return new DubboDelayClient(this);
        }
    }
}
