package io.hourglass.client.contract;

import io.hourglass.client.api.AuthenticationFailedException;
import io.hourglass.client.api.BatchItem;
import io.hourglass.client.api.BatchSubmitResponse;
import io.hourglass.client.api.CancelResponse;
import io.hourglass.client.api.DelayClient;
import io.hourglass.client.api.DelayClientException;
import io.hourglass.client.api.ForbiddenException;
import io.hourglass.client.api.InvalidStateException;
import io.hourglass.client.api.MessageNotFoundException;
import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.RescheduleResponse;
import io.hourglass.client.api.ServiceUnavailableException;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;
import io.hourglass.client.api.ValidationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link DelayClient} does, whatever its transport: run against a real Hourglass server. A transport
 * (REST, Dubbo, ...) extends this class and says how to build its clients; the tests are the same for all.
 *
 * <p>The server must know an app whose {@link #client()} may use {@link #topic()} and may not use
 * {@link #forbiddenTopic()}, with the default limits (256 KiB payload, 365 days of delay), and must emit
 * messages (so that a due message becomes {@code DELIVERED}). Tests create their own messages and never depend on
 * each other, so the server may be shared by all of them.
 */
@Timeout(60)
public abstract class DelayClientContract {

    private static final long MINUTE = 60_000;

    /** A client of the app that owns {@link #topic()}, with valid credentials. May be shared between tests. */
    protected abstract DelayClient client();

    /** A client of the same server with the given credentials; the test closes it. */
    protected abstract DelayClient clientWithCredentials(String appKey, String appSecret);

    /**
     * A client of a server that is down (nothing listens on its port), with short backoffs, so that it gives up
     * within a few seconds; the test closes it.
     */
    protected abstract DelayClient clientOfUnreachableServer();

    /** The app key of {@link #client()}. */
    protected abstract String appKey();

    /** A topic registered for the app of {@link #client()}. */
    protected String topic() {
        return "demo";
    }

    /** A valid topic name that is not registered for the app of {@link #client()}. */
    protected String forbiddenTopic() {
        return "not-registered-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An id no message has. */
    protected String unknownId() {
        return "9000000000000000001";
    }

    private SubmitRequest inAnHour(String payload) {
        return SubmitRequest.delayed(topic(), payload, 60 * MINUTE);
    }

    // ---------------------------------------------------------------- submit and read

    @Test
    public void submittedMessageCanBeReadBackAsSubmitted() {
        long before = System.currentTimeMillis();
        SubmitRequest request = new SubmitRequest(topic(), "order-42", "cancel unpaid order 42",
                Map.of("tenant", "acme"), 10 * MINUTE, null, null);

        SubmitResponse created = client().submit(request);

        assertThat(created.id()).isNotBlank();
        assertThat(created.state()).isEqualTo("SCHEDULED");
        assertThat(created.deliverAt()).isBetween(before + 10 * MINUTE - 30_000, System.currentTimeMillis() + 10 * MINUTE + 30_000);
        MessageView view = client().get(created.id());
        assertThat(view.id()).isEqualTo(created.id());
        assertThat(view.topic()).isEqualTo(topic());
        assertThat(view.key()).isEqualTo("order-42");
        assertThat(view.payload()).isEqualTo("cancel unpaid order 42");
        assertThat(view.headers()).containsExactlyEntriesOf(Map.of("tenant", "acme"));
        assertThat(view.deliverAt()).isEqualTo(created.deliverAt());
        assertThat(view.state()).isEqualTo("SCHEDULED");
        assertThat(view.attempts()).isZero();
        assertThat(view.repeatIntervalMs()).isNull();
    }

    @Test
    public void submitAtAnAbsoluteTimeKeepsThatTime() {
        long at = System.currentTimeMillis() + 30 * MINUTE;

        SubmitResponse created = client().submit(SubmitRequest.at(topic(), "absolute", at));

        assertThat(created.deliverAt()).isEqualTo(at);
        assertThat(client().get(created.id()).deliverAt()).isEqualTo(at);
    }

    @Test
    public void dueMessageIsDelivered() {
        SubmitResponse created = client().submit(SubmitRequest.delayed(topic(), "now", 0));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client().get(created.id()).state(), "DELIVERED"::equals);
    }

    // ---------------------------------------------------------------- batch

    @Test
    public void batchStoresEachValidEntryAndRefusesOnlyTheInvalidOne() {
        BatchSubmitResponse r = client().submitBatch(List.of(
                inAnHour("first"),
                SubmitRequest.delayed(topic(), "bad", -1),
                inAnHour("third")));

        assertThat(r.results()).hasSize(3);
        BatchItem first = r.results().get(0);
        BatchItem bad = r.results().get(1);
        BatchItem third = r.results().get(2);
        assertThat(first.hasError()).isFalse();
        assertThat(third.hasError()).isFalse();
        assertThat(first.state()).isEqualTo("SCHEDULED");
        assertThat(client().get(first.id()).payload()).isEqualTo("first");
        assertThat(client().get(third.id()).payload()).isEqualTo("third");
        assertThat(bad.hasError()).isTrue();
        assertThat(bad.id()).isNull();
        assertThat(bad.error().code()).isEqualTo("validation-failed");
        assertThat(bad.error().errors()).extracting(Problem.FieldError::field).anyMatch(f -> f.endsWith("delayMs"));
    }

    @Test
    public void emptyBatchIsRefusedAsAWhole() {
        assertThatThrownBy(() -> client().submitBatch(List.of())).isInstanceOf(ValidationFailedException.class);
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    public void repeatedIdempotencyKeyReturnsTheFirstMessageAndCreatesNothing() {
        String key = "contract-" + UUID.randomUUID();

        SubmitRequest request = inAnHour("first body");
        SubmitResponse first = client().submit(request, key);
        SubmitResponse repeat = client().submit(request, key);

        assertThat(repeat.id()).isEqualTo(first.id());
        assertThat(repeat.deliverAt()).isEqualTo(first.deliverAt());
        assertThat(client().get(first.id()).payload()).as("the repeat stored nothing").isEqualTo("first body");
    }

    @Test
    public void anIdempotencyKeyReusedWithAnotherRequestIsRefused422() {
        String key = "contract-" + UUID.randomUUID();
        SubmitResponse first = client().submit(inAnHour("first body"), key);

        assertThatThrownBy(() -> client().submit(inAnHour("second body"), key))
                .isInstanceOfSatisfying(DelayClientException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("idempotency-key-reused");
                    assertThat(e.isRetryable()).isFalse();
                });
        assertThat(client().get(first.id()).payload()).as("nothing changed").isEqualTo("first body");
    }

    @Test
    public void repeatedBatchWithTheSameKeyCreatesNothingTwice() {
        String key = "contract-batch-" + UUID.randomUUID();
        List<SubmitRequest> batch = List.of(inAnHour("a"), inAnHour("b"));

        BatchSubmitResponse first = client().submitBatch(batch, key);
        BatchSubmitResponse repeat = client().submitBatch(batch, key);

        assertThat(repeat.results()).extracting(BatchItem::id)
                .containsExactlyElementsOf(first.results().stream().map(BatchItem::id).toList())
                .doesNotContainNull();
    }

    @Test
    public void submitsWithoutAKeyAreDistinctMessages() {
        assertThat(client().submit(inAnHour("same")).id()).isNotEqualTo(client().submit(inAnHour("same")).id());
    }

    // ---------------------------------------------------------------- cancel

    @Test
    public void cancelledMessageStaysCancelledAndCancellingAgainSucceeds() {
        String id = client().submit(inAnHour("to cancel")).id();

        CancelResponse cancelled = client().cancel(id);

        assertThat(cancelled).isEqualTo(new CancelResponse(id, "CANCELLED"));
        assertThat(client().get(id).state()).isEqualTo("CANCELLED");
        assertThat(client().cancel(id).state()).isEqualTo("CANCELLED");
    }

    @Test
    public void cancellingADeliveredMessageIsAnInvalidState() {
        String id = client().submit(SubmitRequest.delayed(topic(), "fires now", 0)).id();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client().get(id).state(), "DELIVERED"::equals);

        InvalidStateException e = catchThrowableOfType(() -> client().cancel(id), InvalidStateException.class);

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.code()).isEqualTo("invalid-state");
    }

    // ---------------------------------------------------------------- reschedule

    @Test
    public void rescheduleToAnAbsoluteTime() {
        String id = client().submit(inAnHour("move me")).id();
        long at = System.currentTimeMillis() + 2 * 60 * MINUTE;

        RescheduleResponse r = client().reschedule(id, RescheduleRequest.toDeliverAt(at));

        assertThat(r).isEqualTo(new RescheduleResponse(id, at, "SCHEDULED"));
        assertThat(client().get(id).deliverAt()).isEqualTo(at);
    }

    @Test
    public void rescheduleToADelayFromNow() {
        String id = client().submit(inAnHour("move me")).id();
        long before = System.currentTimeMillis();

        RescheduleResponse r = client().reschedule(id, RescheduleRequest.afterDelay(5 * MINUTE));

        assertThat(r.deliverAt()).isBetween(before + 5 * MINUTE - 30_000, System.currentTimeMillis() + 5 * MINUTE + 30_000);
        assertThat(client().get(id).deliverAt()).isEqualTo(r.deliverAt());
    }

    @Test
    public void rescheduleByExtendingTheDueTime() {
        SubmitResponse created = client().submit(inAnHour("extend me"));

        RescheduleResponse later = client().reschedule(created.id(), RescheduleRequest.extendBy(MINUTE));
        RescheduleResponse earlier = client().reschedule(created.id(), RescheduleRequest.extendBy(-2 * MINUTE));

        assertThat(later.deliverAt()).isEqualTo(created.deliverAt() + MINUTE);
        assertThat(earlier.deliverAt()).isEqualTo(created.deliverAt() - MINUTE);
        assertThat(client().get(created.id()).deliverAt()).isEqualTo(created.deliverAt() - MINUTE);
    }

    @Test
    public void reschedulingACancelledMessageIsAnInvalidState() {
        String id = client().submit(inAnHour("cancel then move")).id();
        client().cancel(id);

        assertThatThrownBy(() -> client().reschedule(id, RescheduleRequest.extendBy(MINUTE)))
                .isInstanceOf(InvalidStateException.class);
        assertThat(client().get(id).state()).isEqualTo("CANCELLED");
    }

    @Test
    public void rescheduleWithoutANewTimeIsAValidationFailure() {
        String id = client().submit(inAnHour("no new time")).id();

        assertThatThrownBy(() -> client().reschedule(id, new RescheduleRequest(null, null, null)))
                .isInstanceOf(ValidationFailedException.class);
    }

    // ---------------------------------------------------------------- errors

    @Test
    public void invalidSubmitIsAValidationFailureNamingTheField() {
        ValidationFailedException e = catchThrowableOfType(
                () -> client().submit(SubmitRequest.delayed(topic(), "p", -1)), ValidationFailedException.class);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("validation-failed");
        assertThat(e.fieldErrors()).extracting(Problem.FieldError::field).contains("delayMs");
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    public void payloadOverTheLimitIsAValidationFailure() {
        ValidationFailedException e = catchThrowableOfType(
                () -> client().submit(inAnHour("x".repeat(256 * 1024 + 1))), ValidationFailedException.class);

        assertThat(e.status()).isEqualTo(413);
        assertThat(e.code()).isEqualTo("payload-too-large");
    }

    @Test
    public void wrongSecretIsAnAuthenticationFailure() {
        try (DelayClient intruder = clientWithCredentials(appKey(), "wrong-secret")) {
            AuthenticationFailedException e = catchThrowableOfType(
                    () -> intruder.submit(inAnHour("nope")), AuthenticationFailedException.class);

            assertThat(e.status()).isEqualTo(401);
            assertThat(e.code()).isEqualTo("unauthenticated");
        }
    }

    @Test
    public void unregisteredTopicIsForbidden() {
        assertThatThrownBy(() -> client().submit(SubmitRequest.delayed(forbiddenTopic(), "p", MINUTE)))
                .isInstanceOf(ForbiddenException.class)
                .extracting(e -> ((DelayClientException) e).status()).isEqualTo(403);
    }

    @Test
    public void unknownMessageIsNotFoundForEveryCall() {
        String id = unknownId();

        assertThatThrownBy(() -> client().get(id)).isInstanceOf(MessageNotFoundException.class);
        assertThatThrownBy(() -> client().cancel(id)).isInstanceOf(MessageNotFoundException.class);
        assertThatThrownBy(() -> client().reschedule(id, RescheduleRequest.extendBy(1)))
                .isInstanceOf(MessageNotFoundException.class);
        assertThatThrownBy(() -> client().redrive(id)).isInstanceOf(MessageNotFoundException.class);
        assertThatThrownBy(() -> client().replay(id)).isInstanceOf(MessageNotFoundException.class);
    }

    // ---------------------------------------------------------------- TTL, redrive, replay

    @Test
    public void aTtlIsKeptAsTheMessagesExpiry() {
        long before = System.currentTimeMillis();
        SubmitResponse created = client().submit(inAnHour("expires").withTtlMs(2 * 60 * MINUTE));

        MessageView read = client().get(created.id());

        assertThat(read.expiresAt()).isBetween(before + 2 * 60 * MINUTE, System.currentTimeMillis() + 2 * 60 * MINUTE);
        assertThat(client().get(client().submit(inAnHour("forever")).id()).expiresAt()).isNull();
    }

    @Test
    public void aTtlThatEndsBeforeTheDueTimeIsAValidationFailure() {
        ValidationFailedException e = catchThrowableOfType(
                () -> client().submit(inAnHour("too short").withTtlMs(MINUTE)), ValidationFailedException.class);

        assertThat(e.fieldErrors()).extracting(Problem.FieldError::field).contains("ttlMs");
    }

    @Test
    public void redriveOfAMessageThatIsNotDeadIsAnInvalidState() {
        String id = client().submit(inAnHour("alive")).id();

        InvalidStateException e = catchThrowableOfType(() -> client().redrive(id), InvalidStateException.class);

        assertThat(e.code()).isEqualTo("invalid-state");
        assertThat(client().get(id).state()).isEqualTo("SCHEDULED");
    }

    @Test
    public void aDeliveredMessageCanBeReplayedAndStaysDelivered() {
        String id = client().submit(SubmitRequest.delayed(topic(), "replay me", 0)).id();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client().get(id).state(), "DELIVERED"::equals);

        MessageView replayed = client().replay(id);

        assertThat(replayed.id()).isEqualTo(id);
        assertThat(replayed.state()).isEqualTo("DELIVERED");
        assertThat(replayed.payload()).isEqualTo("replay me");
        assertThat(client().replay(id).state()).as("a replay can be repeated").isEqualTo("DELIVERED");
    }

    @Test
    public void replayOfAMessageThatIsNotDeliveredIsAnInvalidState() {
        String id = client().submit(inAnHour("not yet")).id();

        InvalidStateException e = catchThrowableOfType(() -> client().replay(id), InvalidStateException.class);

        assertThat(e.code()).isEqualTo("invalid-state");
        assertThat(client().get(id).state()).isEqualTo("SCHEDULED");
    }

    @Test
    @Timeout(20)
    public void serverDownIsServiceUnavailableAfterTheRetriesQuickly() {
        try (DelayClient down = clientOfUnreachableServer()) {
            long start = System.nanoTime();

            ServiceUnavailableException e = catchThrowableOfType(
                    () -> down.submit(inAnHour("nobody listens")), ServiceUnavailableException.class);

            assertThat(e.isRetryable()).isTrue();
            assertThat(e.status()).isEqualTo(DelayClientException.NO_RESPONSE);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
