package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.RedriveRequest;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.core.engine.RedriveCommand;
import io.hourglass.core.engine.RescheduleCommand;
import io.hourglass.core.error.PeerException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.PeerClient;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;

/**
 * {@link PeerClient} over the owner's {@link InternalMessagesController}: JDK HttpClient (HTTP/1.1, pooled
 * connections), the cluster's shared token, short timeouts.
 *
 * <p>What "unreachable" means: the request never reached the owner (connection refused or not made in time, unknown
 * host). Then the caller acts on the store itself. A request that was sent but not answered in time may have been
 * applied by the owner: get, cancel and an absolute or from-now reschedule are safe to repeat, so they are treated
 * as unreachable too; an {@code extendMs} reschedule is not (it would extend twice) and fails with
 * {@code store-unavailable} instead, so the client reads the message and decides.
 */
public final class HttpPeerClient implements PeerClient {

    private final HttpClient http;
    private final ObjectMapper json;
    private final String token;
    private final Duration requestTimeout;

    public HttpPeerClient(ObjectMapper json, String token, Duration connectTimeout, Duration requestTimeout) {
        this.json = json;
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    @Override
    public DelayMessage get(String address, String appKey, String id) {
        return call(request(address, appKey, id).GET(), true);
    }

    @Override
    public DelayMessage cancel(String address, String appKey, String id) {
        return call(request(address, appKey, id).DELETE(), true);
    }

    @Override
    public DelayMessage reschedule(String address, String appKey, String id, RescheduleCommand command) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(new RescheduleRequest(command.deliverAt(), command.delayMs(), command.extendMs()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder request = request(address, appKey, id).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
        return call(request, command.extendMs() == null);
    }

    @Override
    public DelayMessage redrive(String address, String appKey, String id, RedriveCommand command) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(new RedriveRequest(command.deliverAt(), command.delayMs()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder request = request(address, appKey, id + "/redrive").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // a repeat after the owner applied it answers 409 (no longer DEAD) and changes nothing
        return call(request, true);
    }

    private HttpRequest.Builder request(String address, String appKey, String id) {
        String base = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        return HttpRequest.newBuilder(URI.create(base + InternalMessagesController.BASE_PATH + "/" + id))
                .timeout(requestTimeout)
                .header(InternalMessagesController.TOKEN_HEADER, token)
                .header(InternalMessagesController.APP_KEY_HEADER, appKey)
                .header("Accept", "application/json, application/problem+json");
    }

    private DelayMessage call(HttpRequest.Builder request, boolean safeToRepeat) {
        HttpRequest built = request.build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw new PeerUnreachableException(built.uri().getAuthority() + ": " + e, e);
        } catch (IOException e) {
            if (safeToRepeat) {
                throw new PeerUnreachableException(built.uri().getAuthority() + ": " + e, e);
            }
            throw new StoreUnavailableException("The server owning the message did not answer in time; the change may"
                    + " or may not have been made: read the message before trying again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnreachableException("interrupted", e);
        }
        try {
            if (response.statusCode() / 100 == 2) {
                return json.readValue(response.body(), DelayMessage.class);
            }
            Problem problem = json.readValue(response.body(), Problem.class);
            if (problem.code() == null) {
                throw new PeerUnreachableException("answer " + response.statusCode() + " without a problem type", null);
            }
            if (ProblemType.NOT_FOUND.code().equals(problem.code())) {
                // no internal endpoint at that address (a peer of an older version advertising its API port, or a
                // port mapped elsewhere): not an answer about the message, so act on the store here
                throw new PeerUnreachableException("no internal endpoint at " + built.uri().getAuthority(), null);
            }
            List<ValidationException.FieldError> errors = problem.errors() == null ? List.of()
                    : problem.errors().stream().map(f -> new ValidationException.FieldError(f.field(), f.reason())).toList();
            throw PeerException.from(problem.code(), problem.detail(), errors);
        } catch (IOException e) {
            // not our API on the other side (a proxy's error page, another service on the port)
            throw new PeerUnreachableException("unreadable answer " + response.statusCode() + ": " + e.getMessage(), e);
        }
    }
}
