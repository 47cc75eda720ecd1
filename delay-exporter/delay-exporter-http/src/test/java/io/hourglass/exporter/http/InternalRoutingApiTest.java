package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.core.engine.RescheduleCommand;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.PeerClient;
import io.hourglass.exporter.http.app.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The owner's internal endpoint and the {@link HttpPeerClient} that other servers of a cluster call it with. */
@TestPropertySource(properties = "delay.protocol.internal-token=" + InternalRoutingApiTest.TOKEN)
class InternalRoutingApiTest extends ApiTestSupport {

    static final String TOKEN = "cluster-token-for-tests-32-bytes-at-least";

    @Autowired
    PeerClient peers;

    @Autowired
    ObjectMapper json;

    private String self() {
        return "http://127.0.0.1:" + port;
    }

    @Test
    void getCancelAndRescheduleRunOnTheOwnerAndAnswerTheWholeMessage() {
        String id = submit(60_000);
        DelayMessage read = peers.get(self(), TestApplication.APP, id);
        assertThat(read.idString()).isEqualTo(id);
        assertThat(read.topic()).isEqualTo(TestApplication.TOPIC);
        assertThat(read.state()).isEqualTo(MessageState.SCHEDULED);

        DelayMessage moved = peers.reschedule(self(), TestApplication.APP, id, new RescheduleCommand(null, 120_000L, null));
        assertThat(moved.deliverAt()).isGreaterThan(read.deliverAt());
        assertThat(stored(id).deliverAt()).isEqualTo(moved.deliverAt());

        DelayMessage cancelled = peers.cancel(self(), TestApplication.APP, id);
        assertThat(cancelled.state()).isEqualTo(MessageState.CANCELLED);
        assertThat(stored(id).state()).isEqualTo(MessageState.CANCELLED);
    }

    @Test
    void theOwnersErrorsComeBackWithTheirCodeAndFields() {
        String id = submit(60_000);
        assertThatThrownBy(() -> peers.get(self(), TestApplication.OTHER_APP, id))
                .isInstanceOfSatisfying(DelayException.class, e -> assertThat(e.code()).isEqualTo("message-not-found"));
        assertThatThrownBy(() -> peers.reschedule(self(), TestApplication.APP, id, new RescheduleCommand(1L, null, null)))
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.errors()).extracting(ValidationException.FieldError::field).contains("deliverAt"));
        assertThat(stored(id).state()).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void aCallWithoutTheClusterTokenIsRefusedAndChangesNothing() {
        String id = submit(60_000);
        HttpPeerClient stranger = new HttpPeerClient(json, "not-the-token", Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThatThrownBy(() -> stranger.cancel(self(), TestApplication.APP, id))
                .isInstanceOfSatisfying(DelayException.class, e -> assertThat(e.code()).isEqualTo("unauthenticated"));
        assertProblem(call("DELETE", "/internal/v1/messages/" + id, null, "X-Hourglass-App-Key", TestApplication.APP),
                401, "unauthenticated");
        assertThat(stored(id).state()).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void anAddressWithoutTheInternalEndpointIsUnreachableNotAnAnswerAboutTheMessage() {
        String id = submit(60_000);
        // the API of a server that has no such path there (an older peer advertising its API port): 404 not-found
        assertThatThrownBy(() -> peers.cancel(self() + "/no-such-prefix", TestApplication.APP, id))
                .isInstanceOf(PeerClient.PeerUnreachableException.class);
        assertThat(stored(id).state()).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void anOwnerThatDoesNotListenIsReportedUnreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String id = submit(60_000);
        assertThatThrownBy(() -> peers.cancel("http://127.0.0.1:" + closed, TestApplication.APP, id))
                .isInstanceOf(PeerClient.PeerUnreachableException.class);
        assertThat(stored(id).state()).isEqualTo(MessageState.SCHEDULED);
    }
}
