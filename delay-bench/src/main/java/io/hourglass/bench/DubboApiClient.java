package io.hourglass.bench;

import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.rpc.BatchResult;
import io.hourglass.client.api.rpc.BatchSubmitMessagesRequest;
import io.hourglass.client.api.rpc.GetMessageRequest;
import io.hourglass.client.api.rpc.MessageService;
import io.hourglass.client.api.rpc.MessageSpec;
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

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The submit calls over the RPC API ({@code hourglass.delay.v1.MessageService}, Dubbo Triple), the counterpart of
 * {@link NettyApiClient} for {@link RpcVsRest}: one Dubbo reference (Triple multiplexes every thread's calls over
 * one HTTP/2 connection), blocking unary calls, no idempotency key (as the REST clients send none), so that both
 * sides do the same server work and differ by the transport only.
 */
final class DubboApiClient extends ApiClient {

    private final String address;
    private final DubboBootstrap bootstrap;
    private final MessageService stub;

    /** @param address {@code tri://host:port}; the URI passed up is for the report only */
    DubboApiClient(String address, String appKey, String appSecret, Duration timeout) {
        super(URI.create(address), appKey, appSecret);
        this.address = address;
        ApplicationConfig application = new ApplicationConfig("hourglass-bench");
        application.setQosEnable(false);
        ReferenceConfig<MessageService> reference = new ReferenceConfig<>();
        reference.setInterface(MessageService.class);
        reference.setUrl(address);
        reference.setRetries(0);
        reference.setCheck(false);
        reference.setTimeout((int) timeout.toMillis());
        this.bootstrap = DubboBootstrap.newInstance(FrameworkModel.defaultModel())
                .application(application)
                .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
                .reference(reference)
                .start();
        this.stub = bootstrap.getCache().get(reference);
    }

    @Override
    void probe() throws UnreachableException {
        for (int attempt = 0; ; attempt++) {
            credentials();
            try {
                stub.getMessage(GetMessageRequest.newBuilder().setId("1").build());
                return;
            } catch (RpcException e) {
                TriRpcStatus.Code code = statusOf(e);
                if (code == TriRpcStatus.Code.NOT_FOUND) {
                    return;
                }
                if (code == TriRpcStatus.Code.UNAUTHENTICATED || code == TriRpcStatus.Code.PERMISSION_DENIED) {
                    throw new UnreachableException(address + " refused app key '" + appKey + "' (" + code + ")", e);
                }
                // the connection is made in the background: give it a few seconds before calling the server down
                if (code != null || attempt >= 50) {
                    throw new UnreachableException(address + ": " + describe(e), e);
                }
                try {
                    Thread.sleep(100); // bounded wait for the first connection, 5 s at most
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new UnreachableException("interrupted", ie);
                }
            }
        }
    }

    @Override
    Outcome submit(int thread, Message message) {
        credentials();
        try {
            SubmitMessageResponse r = stub.submitMessage(SubmitMessageRequest.newBuilder().setMessage(spec(message)).build());
            return new Outcome(r.getId(), r.getDeliverAt(), null);
        } catch (RpcException e) {
            return Outcome.failed(error(e));
        }
    }

    @Override
    List<Outcome> submitBatch(int thread, List<Message> messages) {
        credentials();
        BatchSubmitMessagesRequest.Builder request = BatchSubmitMessagesRequest.newBuilder();
        messages.forEach(m -> request.addMessages(spec(m)));
        try {
            List<Outcome> outcomes = new ArrayList<>(messages.size());
            for (BatchResult r : stub.batchSubmitMessages(request.build()).getResultsList()) {
                outcomes.add(r.hasMessage() ? new Outcome(r.getMessage().getId(), r.getMessage().getDeliverAt(), null)
                        : Outcome.failed("item " + r.getError().getType()));
            }
            return outcomes;
        } catch (RpcException e) {
            return allFailed(messages.size(), error(e));
        }
    }

    @Override
    String describeTransport() {
        return "Dubbo Triple (HTTP/2, protobuf), one shared connection, blocking unary calls";
    }

    @Override
    public void close() {
        bootstrap.destroy();
    }

    private void credentials() {
        RpcContext.getClientAttachment().setAttachment(RpcConventions.APP_KEY, appKey);
        RpcContext.getClientAttachment().setAttachment(RpcConventions.APP_SECRET, appSecret);
    }

    private static MessageSpec spec(Message m) {
        return RpcConventions.toRpc(new SubmitRequest(m.topic(), null, m.payload(), null, m.delayMs(), m.deliverAt(), null));
    }

    /** "rpc INVALID_ARGUMENT" for an answer, "transport ..." when nothing answered (as the HTTP clients count them). */
    private static String error(RpcException e) {
        TriRpcStatus.Code code = statusOf(e);
        return code != null && code != TriRpcStatus.Code.UNAVAILABLE ? "rpc " + code : "transport " + describe(e);
    }

    /** The gRPC status the server answered; a blocking Dubbo call wraps it in other exceptions. {@code null}: none. */
    private static TriRpcStatus.Code statusOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StatusRpcException s) {
                return s.getStatus().code;
            }
        }
        return null;
    }
}
