package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API contract as a new operator meets it, black-box over HTTP against the packaged server on a given
 * store: the first admin, an app created with its secret shown once, a topic allowed, a submit with the new key,
 * quotas (429 + Retry-After, nothing stored, other apps unaffected), search page by page, bulk cancel by filter as a
 * job, secret rotation with grace, disabling, and the audit log. Run by the standalone (H2) test and by the contract
 * of each external store (MariaDB, Cassandra).
 */
final class AdminApiScenario {

    /** The first admin's password the servers of these tests are started with. */
    static final String ADMIN_PASSWORD = "e2e-admin-password-1";
    static final String ADMIN_ARG = "--delay.admin.first-admin.password=" + ADMIN_PASSWORD;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    AdminApiScenario(String base) {
        this.base = base;
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    Answer admin(String method, String path, Object body) throws IOException, InterruptedException {
        String auth = Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return send(method, path, body, "Authorization", "Basic " + auth);
    }

    Answer app(String appKey, String secret, String method, String path, Object body)
            throws IOException, InterruptedException {
        return send(method, path, body, "X-App-Key", appKey, "X-App-Secret", secret);
    }

    private Answer send(String method, String path, Object body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    private static Object submitBody(String topic, String payload) {
        return java.util.Map.of("topic", topic, "payload", payload, "delayMs", 600_000);
    }

    void run() throws Exception {
        String key = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = key + "-topic";

        assertThat(send("GET", "/admin/api/v1/apps", null, "X-App-Key", "demo", "X-App-Secret", "demo-secret").status())
                .as("app credentials never open /admin").isEqualTo(401);

        Answer created = admin("POST", "/admin/api/v1/apps", java.util.Map.of("appKey", key, "name", "E2E",
                "owner", "tests"));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String secret = created.body().get("secret").asText();
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSizeGreaterThanOrEqualTo(32);
        assertThat(admin("POST", "/admin/api/v1/apps", java.util.Map.of("appKey", key)).status()).isEqualTo(409);
        assertThat(admin("GET", "/admin/api/v1/apps/" + key, null).raw().body()).doesNotContain(secret);

        assertThat(app(key, secret, "POST", "/api/v1/messages", submitBody(topic, "x")).status())
                .as("topic not allowed yet").isEqualTo(403);
        Answer allowed = admin("PUT", "/admin/api/v1/apps/" + key + "/topics/" + topic, null);
        assertThat(allowed.status()).as("%s", allowed.body()).isEqualTo(200);
        assertThat(admin("GET", "/admin/api/v1/topics", null).raw().body()).contains(topic);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Answer submitted = app(key, secret, "POST", "/api/v1/messages", submitBody(topic, "m" + i));
            assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
            ids.add(submitted.body().get("id").asText());
        }

        // quotas: at most 3 pending -> the 4th is refused, nothing stored; other apps go on
        Answer quota = admin("PATCH", "/admin/api/v1/apps/" + key, java.util.Map.of("quotas",
                java.util.Map.of("submitsPerSecond", 0, "maxPending", 3, "maxPayloadBytes", 0, "minRepeatIntervalMs", 0)));
        assertThat(quota.status()).as("%s", quota.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                app(key, secret, "POST", "/api/v1/messages", submitBody(topic, "over")).status() == 429);
        Answer over = app(key, secret, "POST", "/api/v1/messages", submitBody(topic, "over"));
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(over.body().get("type").asText()).endsWith("/quota-exceeded");
        assertThat(app("demo", "demo-secret", "POST", "/api/v1/messages", submitBody("demo", "other app")).status())
                .isEqualTo(201);

        // search page by page finds exactly the app's three messages
        List<String> found = new ArrayList<>();
        String cursor = null;
        do {
            Answer page = admin("GET", "/admin/api/v1/messages?state=SCHEDULED&limit=2&appKey=" + key
                    + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)), null);
            assertThat(page.status()).as("%s", page.body()).isEqualTo(200);
            page.body().get("items").forEach(m -> found.add(m.get("id").asText()));
            cursor = page.body().get("next").isNull() ? null : page.body().get("next").asText();
        } while (cursor != null);
        assertThat(found).containsExactlyInAnyOrderElementsOf(ids);

        // rotation with grace: both secrets work, the new one at once
        Answer rotated = admin("POST", "/admin/api/v1/apps/" + key + "/rotate-secret", java.util.Map.of("graceSeconds", 3600));
        assertThat(rotated.status()).isEqualTo(200);
        String fresh = rotated.body().get("secret").asText();
        assertThat(app(key, fresh, "GET", "/api/v1/messages/" + ids.get(0), null).status()).isEqualTo(200);
        assertThat(app(key, secret, "GET", "/api/v1/messages/" + ids.get(0), null).status()).isEqualTo(200);

        // disable with cancel: a tracked job cancels every scheduled message of the app
        Answer disabled = admin("POST", "/admin/api/v1/apps/" + key + "/disable", java.util.Map.of("cancelScheduled", true));
        assertThat(disabled.status()).as("%s", disabled.body()).isEqualTo(202);
        String job = disabled.body().get("job").get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                admin("GET", "/admin/api/v1/jobs/" + job, null).body().get("state").asText().equals("SUCCEEDED"));
        assertThat(admin("GET", "/admin/api/v1/jobs/" + job, null).body().get("done").asLong()).isEqualTo(3);
        for (String id : ids) {
            assertThat(app(key, fresh, "GET", "/api/v1/messages/" + id, null).body().get("state").asText())
                    .isEqualTo("CANCELLED");
        }
        Answer refused = app(key, fresh, "POST", "/api/v1/messages", submitBody(topic, "disabled"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().get("type").asText()).endsWith("/app-disabled");

        Answer audit = admin("GET", "/admin/api/v1/audit?target=" + key, null);
        List<String> actions = new ArrayList<>();
        audit.body().get("items").forEach(e -> actions.add(e.get("action").asText()));
        assertThat(actions).containsSubsequence("app.disable", "app.rotate-secret", "app.update", "topic.allow", "app.create");
        assertThat(audit.raw().body()).doesNotContain(secret).doesNotContain(fresh);
    }
}
