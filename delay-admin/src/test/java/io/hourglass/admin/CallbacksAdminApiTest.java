package io.hourglass.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.core.model.AdminRole;
import io.hourglass.message.http.AllowedHosts;
import io.hourglass.message.http.CallbackTargets;
import io.hourglass.message.http.SigningSecrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

/**
 * Callback hosts, signing secrets and targets through the admin API, as the server's emitter then sees them (its
 * {@link CallbackTargets}, {@link SigningSecrets} and {@link AllowedHosts} beans), with HTTP callbacks on.
 */
@TestPropertySource(properties = "delay.message.http.enabled=true")
class CallbacksAdminApiTest extends AdminApiTestSupport {

    @Autowired
    CallbackTargets targets;
    @Autowired
    SigningSecrets secrets;
    @Autowired
    AllowedHosts allowedHosts;

    private String newAppWithTopic(String topic) throws Exception {
        String key = "app-" + UUID.randomUUID().toString().substring(0, 8);
        call(body(post("/admin/api/v1/apps"), Map.of("appKey", key, "name", "Hooks")), AdminRole.ADMIN, 201);
        call(put("/admin/api/v1/apps/" + key + "/topics/" + topic), AdminRole.OPERATOR, 200);
        return key;
    }

    @Test
    @Timeout(60)
    void hostsSecretAndTargetSetThroughTheAdminApiAreWhatTheEmitterUses() throws Exception {
        String topic = "hooks-" + UUID.randomUUID().toString().substring(0, 6);
        String app = newAppWithTopic(topic);
        String base = "/admin/api/v1/apps/" + app;
        Map<String, Object> target = Map.of("url", "http://127.0.0.1:9/hook", "method", "PUT",
                "headers", Map.of("X-Team", "orders"), "timeoutMs", 5000, "allowPrivateNetwork", true);

        JsonNode empty = call(get(base + "/callbacks"), AdminRole.VIEWER, 200);
        assertThat(empty.get("allowedHosts")).isEmpty();
        assertThat(empty.get("signingSecretSet").asBoolean()).isFalse();

        // hosts: checked, set by operators
        call(body(put(base + "/callbacks/allowed-hosts"), Map.of("hosts", List.of("127.0.0.1", "bad host"))),
                AdminRole.OPERATOR, 400);
        call(body(put(base + "/callbacks/allowed-hosts"), Map.of("hosts", List.of("127.0.0.1"))), AdminRole.VIEWER, 403);
        JsonNode hosts = call(body(put(base + "/callbacks/allowed-hosts"),
                Map.of("hosts", List.of("127.0.0.1", "*.Example.com"))), AdminRole.OPERATOR, 200);
        assertThat(hosts.get("allowedHosts").toString()).contains("127.0.0.1", "*.example.com");
        assertThat(allowedHosts.allows(app, "a.example.com")).isTrue();
        assertThat(allowedHosts.allows(app, "evil.test")).isFalse();

        // no target without a signing secret
        call(body(put(base + "/topics/" + topic + "/callback"), target), AdminRole.OPERATOR, 409);

        // the secret: made by the server, shown once, admins only
        call(post(base + "/callbacks/signing-secret"), AdminRole.OPERATOR, 403);
        JsonNode made = call(post(base + "/callbacks/signing-secret"), AdminRole.ADMIN, 200);
        String secret = made.get("signingSecret").asText();
        assertThat(secret).matches("[0-9a-f]{64}");
        assertThat(secrets.secretFor(app)).hasValueSatisfying(
                bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(secret));
        JsonNode view = call(get(base + "/callbacks"), AdminRole.VIEWER, 200);
        assertThat(view.get("signingSecretSet").asBoolean()).isTrue();
        assertThat(view.toString()).doesNotContain(secret);

        // targets are checked like the properties' ones
        call(body(put(base + "/topics/" + topic + "/callback"), Map.of("url", "http://127.0.0.1:9/hook")),
                AdminRole.OPERATOR, 400); // loopback without allowPrivateNetwork
        call(body(put(base + "/topics/" + topic + "/callback"), Map.of("url", "http://10.1.2.3/x",
                "allowPrivateNetwork", true)), AdminRole.OPERATOR, 400); // not an allowed host
        call(body(put(base + "/topics/" + topic + "/callback"), Map.of("url", "ftp://127.0.0.1/x",
                "allowPrivateNetwork", true)), AdminRole.OPERATOR, 400);
        call(body(put(base + "/topics/" + topic + "/callback"), Map.of("url", "http://127.0.0.1:9/hook",
                "allowPrivateNetwork", true, "timeoutMs", 1000)), AdminRole.OPERATOR, 400); // not above connect-timeout
        java.util.Map<String, Object> nullHeader = new java.util.HashMap<>(target);
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        headers.put("X-Empty", null);
        nullHeader.put("headers", headers);
        call(body(put(base + "/topics/" + topic + "/callback"), nullHeader), AdminRole.OPERATOR, 400);
        call(body(put(base + "/topics/" + topic + "/callback"), Map.of("url", "http://127.0.0.1:9/hook",
                "allowPrivateNetwork", true, "headers", Map.of("X-Hourglass-Id", "forged"))), AdminRole.OPERATOR, 400);
        call(body(put(base + "/topics/" + topic + "/callback"), Map.of("url", "http://127.0.0.1:9/hook",
                "allowPrivateNetwork", true, "headers", Map.of("X-Big", "v".repeat(70_000)))), AdminRole.OPERATOR, 400);
        call(body(put(base + "/topics/not-allowed/callback"), target), AdminRole.OPERATOR, 409);
        call(body(put("/admin/api/v1/apps/no-such-app/topics/" + topic + "/callback"), target), AdminRole.OPERATOR, 404);
        assertThat(targets.targetFor(topic)).as("refused targets change nothing").isEmpty();

        JsonNode set = call(body(put(base + "/topics/" + topic + "/callback"), target), AdminRole.OPERATOR, 200);
        assertThat(set.get("targets").get(topic).get("url").asText()).isEqualTo("http://127.0.0.1:9/hook");
        assertThat(targets.targetFor(topic)).hasValueSatisfying(t -> {
            assertThat(t.url().toString()).isEqualTo("http://127.0.0.1:9/hook");
            assertThat(t.method().name()).isEqualTo("PUT");
            assertThat(t.headers()).containsEntry("X-Team", "orders");
            assertThat(t.timeout().toMillis()).isEqualTo(5000);
        });

        // one target per topic: another app cannot take it over
        String other = newAppWithTopic(topic);
        call(body(put("/admin/api/v1/apps/" + other + "/callbacks/allowed-hosts"), Map.of("hosts", List.of("127.0.0.1"))),
                AdminRole.OPERATOR, 200);
        call(post("/admin/api/v1/apps/" + other + "/callbacks/signing-secret"), AdminRole.ADMIN, 200);
        call(body(put("/admin/api/v1/apps/" + other + "/topics/" + topic + "/callback"), target), AdminRole.OPERATOR, 409);
        call(delete("/admin/api/v1/apps/" + other + "/topics/" + topic + "/callback"), AdminRole.OPERATOR, 404);

        call(delete(base + "/topics/" + topic + "/callback"), AdminRole.OPERATOR, 200);
        assertThat(targets.targetFor(topic)).as("back to Kafka").isEmpty();

        JsonNode audit = call(get("/admin/api/v1/audit"), AdminRole.VIEWER, 200);
        assertThat(audit.toString()).contains("callback.hosts", "callback.signing-secret", "callback.target.set",
                "callback.target.remove").doesNotContain(secret);
    }
}
