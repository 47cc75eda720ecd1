package io.hourglass.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * The submit calls over JDK {@link HttpClient}s (HTTP/1.1, keep-alive): a few client instances shared
 * round-robin by the submitting threads, each keeping a pool of persistent connections ({@code --client jdk}).
 * Costs far more CPU per request than {@link NettyApiClient}.
 */
final class JdkApiClient extends ApiClient {

    private final URI single;
    private final URI batch;
    private final Duration timeout;
    private final HttpClient[] clients;

    JdkApiClient(URI base, String appKey, String appSecret, int clientCount, Duration timeout) {
        super(base, appKey, appSecret);
        this.single = base.resolve(SINGLE_PATH);
        this.batch = base.resolve(BATCH_PATH);
        this.timeout = timeout;
        this.clients = new HttpClient[clientCount];
        for (int i = 0; i < clientCount; i++) {
            clients[i] = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }
    }

    @Override
    void probe() throws UnreachableException {
        HttpRequest request = request(base.resolve(PROBE_PATH)).timeout(PROBE_TIMEOUT).GET().build();
        HttpResponse<String> response;
        try {
            response = clients[0].send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            String why = e instanceof HttpConnectTimeoutException ? "connect timed out" : "connection refused";
            throw new UnreachableException("nothing answers at " + base + " (" + why + "). Is the server "
                    + "running? Start it with scripts/run.sh, or pass --base.", e);
        } catch (HttpTimeoutException e) {
            throw new UnreachableException("the server at " + base + " accepted a connection but did not answer "
                    + "within 10 s", e);
        } catch (IOException e) {
            throw new UnreachableException("cannot talk to " + base + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while probing " + base, e);
        }
        String refusal = probeRefusal(base, appKey, response.statusCode());
        if (refusal != null) {
            throw new UnreachableException(refusal, null);
        }
    }

    @Override
    Outcome submit(int thread, Message message) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = send(thread, single, JSON.writeValueAsBytes(message));
        } catch (IOException e) {
            return Outcome.failed("transport " + describe(e));
        }
        int status = response.statusCode();
        byte[] body = response.body();
        if (status / 100 != 2) {
            return Outcome.failed(problem(status, body, 0, body.length));
        }
        return SubmitJson.readAccepted(status, body, 0, body.length);
    }

    @Override
    List<Outcome> submitBatch(int thread, List<Message> messages) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = send(thread, batch, batchBody(messages));
        } catch (IOException e) {
            return allFailed(messages.size(), "transport " + describe(e));
        }
        int status = response.statusCode();
        byte[] body = response.body();
        if (status / 100 != 2) {
            return allFailed(messages.size(), problem(status, body, 0, body.length));
        }
        return batchOutcomes(status, body, 0, body.length, messages.size());
    }

    @Override
    String describeTransport() {
        return "jdk java.net.http.HttpClient x " + clients.length;
    }

    private HttpResponse<byte[]> send(int thread, URI uri, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = request(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return clients[thread % clients.length].send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri)
                .header("X-App-Key", appKey)
                .header("X-App-Secret", appSecret)
                .header("Accept", "application/json");
    }
}
