package io.hourglass.exporter.dubbo;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.MetadataUtils;
import io.hourglass.client.api.rpc.GetMessageRequest;
import io.hourglass.client.api.rpc.Message;
import io.hourglass.client.api.rpc.MessageServiceGrpc;
import io.hourglass.client.api.rpc.MessageSpec;
import io.hourglass.client.api.rpc.MessageState;
import io.hourglass.client.api.rpc.Problem;
import io.hourglass.client.api.rpc.RpcConventions;
import io.hourglass.client.api.rpc.SubmitMessageRequest;
import io.hourglass.client.api.rpc.SubmitMessageResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Triple endpoint seen by a plain grpc-java client (stubs generated from the same .proto, no Dubbo on its side):
 * calls succeed, and failures carry the gRPC status code of their problem and the problem itself in the trailer
 * {@code hourglass-problem-bin}.
 */
@Timeout(60)
class GrpcWireTest {

    private static final Metadata.Key<Problem> PROBLEM =
            Metadata.Key.of(RpcConventions.PROBLEM_TRAILER, ProtoUtils.metadataMarshaller(Problem.getDefaultInstance()));

    private static ConfigurableApplicationContext server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        int port = RpcTestApplication.freePort();
        server = new SpringApplicationBuilder(RpcTestApplication.class).web(WebApplicationType.NONE)
                .run("--delay.exporter.dubbo.port=" + port, "--delay.exporter.dubbo.host=::1");
        channel = ManagedChannelBuilder.forAddress("::1", port).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static MessageServiceGrpc.MessageServiceBlockingStub stub(String appKey, String secret) {
        Metadata credentials = new Metadata();
        credentials.put(Metadata.Key.of(RpcConventions.APP_KEY, Metadata.ASCII_STRING_MARSHALLER), appKey);
        credentials.put(Metadata.Key.of(RpcConventions.APP_SECRET, Metadata.ASCII_STRING_MARSHALLER), secret);
        return MessageServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(credentials))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void submittedMessageIsReadBack() {
        SubmitMessageResponse created = stub("demo", "demo-secret").submitMessage(SubmitMessageRequest.newBuilder()
                .setMessage(MessageSpec.newBuilder().setTopic("demo").setPayload("hello").setKey("k1")
                        .putHeaders("tenant", "acme").setDelayMs(60_000))
                .build());

        assertThat(created.getState()).isEqualTo(MessageState.MESSAGE_STATE_SCHEDULED);
        assertThat(created.getCreated()).isTrue();
        Message read = stub("demo", "demo-secret").getMessage(GetMessageRequest.newBuilder().setId(created.getId()).build());
        assertThat(read.getPayload()).isEqualTo("hello");
        assertThat(read.getKey()).isEqualTo("k1");
        assertThat(read.getHeadersMap()).containsEntry("tenant", "acme");
        assertThat(read.getDeliverAt()).isEqualTo(created.getDeliverAt());
        assertThat(read.hasRepeatIntervalMs()).isFalse();
    }

    @Test
    void invalidInputIsInvalidArgumentWithTheProblemInTheTrailer() {
        StatusRuntimeException e = catchThrowableOfType(() -> stub("demo", "demo-secret").submitMessage(
                SubmitMessageRequest.newBuilder().setMessage(MessageSpec.newBuilder().setTopic("demo")
                        .setPayload("p").setDelayMs(-1)).build()), StatusRuntimeException.class);

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("delayMs");
        Problem problem = e.getTrailers().get(PROBLEM);
        assertThat(problem).isNotNull();
        assertThat(problem.getType()).isEqualTo("https://hourglass.dev/problems/validation-failed");
        assertThat(problem.getStatus()).isEqualTo(400);
        assertThat(problem.getInstance()).isEqualTo("/hourglass.delay.v1.MessageService/SubmitMessage");
        assertThat(problem.getErrorsList()).anyMatch(f -> f.getField().equals("delayMs"));
        assertThat(e.getStatus().getDescription()).isEqualTo(problem.getDetail());
    }

    @Test
    void wrongSecretIsUnauthenticated() {
        StatusRuntimeException e = catchThrowableOfType(() -> stub("demo", "wrong").getMessage(
                GetMessageRequest.newBuilder().setId("1").build()), StatusRuntimeException.class);

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.getTrailers().get(PROBLEM).getStatus()).isEqualTo(401);
    }

    @Test
    void unknownMessageIsNotFound() {
        StatusRuntimeException e = catchThrowableOfType(() -> stub("demo", "demo-secret").getMessage(
                GetMessageRequest.newBuilder().setId("9000000000000000001").build()), StatusRuntimeException.class);

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getTrailers().get(PROBLEM).getType()).endsWith("/message-not-found");
    }

    @Test
    void overAQuotaIsResourceExhaustedWithStatus429InTheProblem() {
        SubmitMessageRequest request = SubmitMessageRequest.newBuilder().setMessage(MessageSpec.newBuilder()
                .setTopic("demo").setPayload("p").setDelayMs(60_000)).build();
        stub(RpcTestApplication.LIMITED_APP, RpcTestApplication.LIMITED_SECRET).submitMessage(request);

        StatusRuntimeException e = catchThrowableOfType(() -> stub(RpcTestApplication.LIMITED_APP,
                RpcTestApplication.LIMITED_SECRET).submitMessage(request), StatusRuntimeException.class);

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getTrailers().get(PROBLEM).getStatus()).isEqualTo(429);
        assertThat(e.getTrailers().get(PROBLEM).getType()).endsWith("/quota-exceeded");
    }
}
