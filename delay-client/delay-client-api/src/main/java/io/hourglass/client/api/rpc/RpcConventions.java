package io.hourglass.client.api.rpc;

import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.Problem.FieldError;
import io.hourglass.client.api.SubmitRequest;

import java.util.List;

/**
 * What the RPC API ({@code hourglass.delay.v1.MessageService}, see {@code message_service.proto}) fixes beyond the
 * messages themselves: the metadata names, and the conversions between the RPC messages and the SDK's DTOs that
 * are the same on both sides of the wire. Needs {@code protobuf-java} (an optional dependency of this module).
 */
public final class RpcConventions {

    /** Request metadata with the app key; the REST API's {@code X-App-Key} header. */
    public static final String APP_KEY = "x-app-key";

    /** Request metadata with the app secret; the REST API's {@code X-App-Secret} header. */
    public static final String APP_SECRET = "x-app-secret";

    /**
     * The trailer of a failed call that holds its {@link io.hourglass.client.api.rpc.Problem}, serialized. gRPC
     * metadata whose name ends in {@code -bin} is binary (base64 on the wire); Dubbo hands it to a consumer as the
     * attachment {@link #PROBLEM_ATTACHMENT} with the decoded bytes.
     */
    public static final String PROBLEM_TRAILER = "hourglass-problem-bin";

    /** The Dubbo attachment name of {@link #PROBLEM_TRAILER} (Dubbo strips the {@code -bin} suffix). */
    public static final String PROBLEM_ATTACHMENT = "hourglass-problem";

    private static final String STATE_PREFIX = "MESSAGE_STATE_";

    private RpcConventions() {
    }

    /** The REST spelling of a state ({@code SCHEDULED}); an unknown future state keeps its RPC name. */
    public static String stateName(MessageState state) {
        String name = state.name();
        return name.startsWith(STATE_PREFIX) ? name.substring(STATE_PREFIX.length()) : name;
    }

    /** The RPC state of a REST state name ({@code SCHEDULED}). */
    public static MessageState state(String name) {
        return MessageState.valueOf(STATE_PREFIX + name);
    }

    /** The SDK's problem of an RPC problem; empty strings (proto3's "unset") become {@code null}. */
    public static io.hourglass.client.api.Problem toDto(Problem p) {
        List<FieldError> errors = p.getErrorsList().stream()
                .map(e -> new FieldError(e.getField(), e.getReason())).toList();
        return new io.hourglass.client.api.Problem(emptyToNull(p.getType()), emptyToNull(p.getTitle()), p.getStatus(),
                emptyToNull(p.getDetail()), emptyToNull(p.getInstance()), errors.isEmpty() ? null : errors);
    }

    /** The RPC form of a message to schedule; a {@code null} request is an empty one (the server names what is missing). */
    public static MessageSpec toRpc(SubmitRequest r) {
        MessageSpec.Builder b = MessageSpec.newBuilder();
        if (r == null) {
            return b.build();
        }
        if (r.topic() != null) {
            b.setTopic(r.topic());
        }
        if (r.key() != null) {
            b.setKey(r.key());
        }
        if (r.payload() != null) {
            b.setPayload(r.payload());
        }
        if (r.headers() != null) {
            b.putAllHeaders(r.headers());
        }
        if (r.delayMs() != null) {
            b.setDelayMs(r.delayMs());
        }
        if (r.deliverAt() != null) {
            b.setDeliverAt(r.deliverAt());
        }
        if (r.repeatIntervalMs() != null) {
            b.setRepeatIntervalMs(r.repeatIntervalMs());
        }
        if (r.ttlMs() != null) {
            b.setTtlMs(r.ttlMs());
        }
        if (r.expiresAt() != null) {
            b.setExpiresAt(r.expiresAt());
        }
        return b.build();
    }

    /** The SDK's view of an RPC message. */
    public static MessageView toDto(Message m) {
        return new MessageView(m.getId(), m.getTopic(), m.hasKey() ? m.getKey() : null, m.getPayload(),
                m.getHeadersMap(), m.getDeliverAt(), stateName(m.getState()), m.getAttempts(),
                m.hasRepeatIntervalMs() ? m.getRepeatIntervalMs() : null, m.getCreatedAt(), m.getUpdatedAt(),
                m.hasExpiresAt() ? m.getExpiresAt() : null);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
