package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.rpc.BatchResult;
import io.hourglass.client.api.rpc.BatchSubmitMessagesRequest;
import io.hourglass.client.api.rpc.BatchSubmitMessagesResponse;
import io.hourglass.client.api.rpc.CancelMessageRequest;
import io.hourglass.client.api.rpc.CancelMessageResponse;
import io.hourglass.client.api.rpc.DubboMessageServiceTriple;
import io.hourglass.client.api.rpc.GetMessageRequest;
import io.hourglass.client.api.rpc.Message;
import io.hourglass.client.api.rpc.MessageService;
import io.hourglass.client.api.rpc.MessageSpec;
import io.hourglass.client.api.rpc.RedriveMessageRequest;
import io.hourglass.client.api.rpc.ReplayMessageRequest;
import io.hourglass.client.api.rpc.RescheduleMessageRequest;
import io.hourglass.client.api.rpc.RescheduleMessageResponse;
import io.hourglass.client.api.rpc.RpcConventions;
import io.hourglass.client.api.rpc.SubmitMessageRequest;
import io.hourglass.client.api.rpc.SubmitMessageResponse;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.RedriveCommand;
import io.hourglass.core.engine.RescheduleCommand;
import io.hourglass.core.engine.SubmitCommand;
import io.hourglass.core.engine.SubmitResult;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import org.apache.dubbo.rpc.RpcContext;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code hourglass.delay.v1.MessageService} over the core {@link DelayService}, with the semantics of the REST API:
 * the same validation, states and errors. Each call authenticates the app from the request metadata
 * {@code x-app-key} / {@code x-app-secret}; every failure leaves as a {@link ProblemStatusException}
 * ({@link RpcProblems}).
 *
 * <p>Submits answer futures completed after the group commit, so no Dubbo thread waits for the store (as the REST
 * controller does with servlet threads); reads, cancels and re-times run on the calling Dubbo thread.
 */
final class MessageRpcService extends DubboMessageServiceTriple.MessageServiceImplBase {

    static final int MAX_BATCH = 1000;

    private final DelayService service;
    private final AppDirectory apps;

    MessageRpcService(DelayService service, AppDirectory apps) {
        this.service = service;
        this.apps = apps;
    }

    /** The gRPC path of a method, such as {@code /hourglass.delay.v1.MessageService/SubmitMessage}. */
    static String path(String method) {
        return "/" + MessageService.SERVICE_NAME + "/" + method;
    }

    @Override
    public CompletableFuture<SubmitMessageResponse> submitMessageAsync(SubmitMessageRequest request) {
        return async("SubmitMessage", () -> service.submit(appKey(), command(request.getMessage()),
                emptyToNull(request.getIdempotencyKey())).thenApply(MessageRpcService::submitted));
    }

    @Override
    public SubmitMessageResponse submitMessage(SubmitMessageRequest request) {
        return submitMessageAsync(request).join();
    }

    @Override
    public CompletableFuture<BatchSubmitMessagesResponse> batchSubmitMessagesAsync(BatchSubmitMessagesRequest request) {
        return async("BatchSubmitMessages", () -> {
            String appKey = appKey();
            List<MessageSpec> entries = request.getMessagesList();
            if (entries.isEmpty() || entries.size() > MAX_BATCH) {
                throw new ValidationException("messages", "must hold 1 to " + MAX_BATCH + " entries, had " + entries.size());
            }
            List<CompletableFuture<BatchResult>> results = service.submitAll(appKey,
                            entries.stream().map(MessageRpcService::command).toList(),
                            emptyToNull(request.getIdempotencyKey())).stream()
                    .map(f -> f.handle(MessageRpcService::batchResult))
                    .toList();
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done ->
                    BatchSubmitMessagesResponse.newBuilder()
                            .addAllResults(results.stream().map(CompletableFuture::join).toList()).build());
        });
    }

    @Override
    public BatchSubmitMessagesResponse batchSubmitMessages(BatchSubmitMessagesRequest request) {
        return batchSubmitMessagesAsync(request).join();
    }

    @Override
    public Message getMessage(GetMessageRequest request) {
        return sync("GetMessage", () -> view(service.get(appKey(), request.getId())));
    }

    @Override
    public CancelMessageResponse cancelMessage(CancelMessageRequest request) {
        return sync("CancelMessage", () -> {
            DelayMessage m = service.cancel(appKey(), request.getId());
            return CancelMessageResponse.newBuilder().setId(m.idString()).setState(state(m)).build();
        });
    }

    @Override
    public RescheduleMessageResponse rescheduleMessage(RescheduleMessageRequest request) {
        return sync("RescheduleMessage", () -> {
            RescheduleCommand cmd = new RescheduleCommand(
                    request.hasDeliverAt() ? request.getDeliverAt() : null,
                    request.hasDelayMs() ? request.getDelayMs() : null,
                    request.hasExtendMs() ? request.getExtendMs() : null);
            DelayMessage m = service.reschedule(appKey(), request.getId(), cmd);
            return RescheduleMessageResponse.newBuilder().setId(m.idString()).setDeliverAt(m.deliverAt())
                    .setState(state(m)).build();
        });
    }

    @Override
    public Message redriveMessage(RedriveMessageRequest request) {
        return sync("RedriveMessage", () -> view(service.redrive(appKey(), request.getId(), new RedriveCommand(
                request.hasDeliverAt() ? request.getDeliverAt() : null,
                request.hasDelayMs() ? request.getDelayMs() : null))));
    }

    @Override
    public Message replayMessage(ReplayMessageRequest request) {
        return sync("ReplayMessage", () -> view(service.replay(appKey(), request.getId())));
    }

    /** The authenticated app, from this call's request metadata (read on the Dubbo thread that runs the call). */
    private String appKey() {
        return apps.authenticate(metadata(RpcConventions.APP_KEY), metadata(RpcConventions.APP_SECRET)).appKey();
    }

    private static String metadata(String name) {
        return RpcContext.getServerAttachment().getAttachment(name);
    }

    private static <T> T sync(String method, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw RpcProblems.failure(e, method);
        }
    }

    private static <T> CompletableFuture<T> async(String method, Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> started;
        try {
            started = call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(RpcProblems.failure(e, method));
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        started.whenComplete((value, error) -> {
            if (error != null) {
                answer.completeExceptionally(RpcProblems.failure(error, method));
            } else {
                answer.complete(value);
            }
        });
        return answer;
    }

    private static BatchResult batchResult(SubmitResult result, Throwable error) {
        return error != null
                ? BatchResult.newBuilder().setError(RpcProblems.entryProblem(error)).build()
                : BatchResult.newBuilder().setMessage(submitted(result)).build();
    }

    static SubmitCommand command(MessageSpec m) {
        // proto3 has no null: an absent topic arrives as "", which the core reports as missing, as REST does
        return new SubmitCommand(emptyToNull(m.getTopic()), m.hasKey() ? m.getKey() : null, m.getPayload(),
                m.getHeadersMap(), m.hasDelayMs() ? m.getDelayMs() : null, m.hasDeliverAt() ? m.getDeliverAt() : null,
                m.hasRepeatIntervalMs() ? m.getRepeatIntervalMs() : null, m.hasTtlMs() ? m.getTtlMs() : null,
                m.hasExpiresAt() ? m.getExpiresAt() : null);
    }

    static SubmitMessageResponse submitted(SubmitResult r) {
        DelayMessage m = r.message();
        return SubmitMessageResponse.newBuilder().setId(m.idString()).setDeliverAt(m.deliverAt()).setState(state(m))
                .setCreated(r.created()).build();
    }

    static Message view(DelayMessage m) {
        Message.Builder b = Message.newBuilder().setId(m.idString()).setTopic(m.topic()).setPayload(m.payload())
                .putAllHeaders(m.headers()).setDeliverAt(m.deliverAt()).setState(state(m)).setAttempts(m.attempts())
                .setCreatedAt(m.createdAt()).setUpdatedAt(m.updatedAt());
        if (m.key() != null) {
            b.setKey(m.key());
        }
        if (m.repeatIntervalMs() != null) {
            b.setRepeatIntervalMs(m.repeatIntervalMs());
        }
        if (m.expiresAt() != 0) {
            b.setExpiresAt(m.expiresAt());
        }
        return b.build();
    }

    private static io.hourglass.client.api.rpc.MessageState state(DelayMessage m) {
        return RpcConventions.state(m.state().name());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
