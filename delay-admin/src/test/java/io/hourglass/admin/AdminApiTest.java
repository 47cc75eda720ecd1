package io.hourglass.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.admin.app.AdminTestApplication.RecordingProvisioner;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.SubmitCommand;
import io.hourglass.core.error.AppDisabledException;
import io.hourglass.core.error.AuthenticationException;
import io.hourglass.core.error.QuotaExceededException;
import io.hourglass.core.model.AdminRole;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.RecordingEmitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

class AdminApiTest extends AdminApiTestSupport {

    @Autowired
    AppDirectory directory;
    @Autowired
    DelayService service;
    @Autowired
    InMemoryMessageStore messages;
    @Autowired
    RecordingEmitter emitter;
    @Autowired
    RecordingProvisioner provisioner;

    private String newApp(String key) throws Exception {
        JsonNode created = call(body(post("/admin/api/v1/apps"), Map.of("appKey", key, "name", "Orders",
                "owner", "team-a", "description", "order timeouts")), AdminRole.ADMIN, 201);
        return created.get("secret").asText();
    }

    private static String key() {
        return "app-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createShowsTheSecretOnceAndItAuthenticates() throws Exception {
        String key = key();
        MvcResult r = mvc.perform(body(post("/admin/api/v1/apps"), Map.of("appKey", key, "name", "Orders"))
                .with(as(AdminRole.ADMIN))).andReturn();
        assertThat(r.getResponse().getStatus()).isEqualTo(201);
        assertThat(r.getResponse().getHeader("Location")).isEqualTo("/admin/api/v1/apps/" + key);
        JsonNode created = json.readTree(r.getResponse().getContentAsString());
        String secret = created.get("secret").asText();
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSizeGreaterThanOrEqualTo(32);
        assertThat(directory.authenticate(key, secret).appKey()).isEqualTo(key);

        String read = mvc.perform(get("/admin/api/v1/apps/" + key).with(as(AdminRole.ADMIN))).andReturn()
                .getResponse().getContentAsString();
        assertThat(read).doesNotContain(secret).doesNotContain("hash").doesNotContain("salt");
        assertThat(json.readTree(read).get("name").asText()).isEqualTo("Orders");
    }

    @Test
    void aSecondAppWithTheSameKeyIsAConflictAndABadKeyAClearError() throws Exception {
        String key = key();
        newApp(key);
        JsonNode conflict = call(body(post("/admin/api/v1/apps"), Map.of("appKey", key)), AdminRole.ADMIN, 409);
        assertThat(conflict.get("type").asText()).isEqualTo("https://hourglass.dev/problems/conflict");
        JsonNode bad = call(body(post("/admin/api/v1/apps"), Map.of("appKey", "has space")), AdminRole.ADMIN, 400);
        assertThat(bad.get("type").asText()).endsWith("/validation-failed");
        assertThat(bad.get("errors").get(0).get("field").asText()).isEqualTo("appKey");
    }

    @Test
    void appsArePagedByKey() throws Exception {
        String prefix = "page-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        for (int i = 0; i < 5; i++) {
            newApp(prefix + i);
        }
        List<String> seen = new ArrayList<>();
        String after = prefix; // everything after the prefix itself
        for (int page = 0; page < 10 && after != null; page++) {
            JsonNode p = call(get("/admin/api/v1/apps").param("after", after).param("limit", "2"), AdminRole.VIEWER, 200);
            p.get("items").forEach(a -> seen.add(a.get("appKey").asText()));
            after = p.get("next").isNull() ? null : p.get("next").asText();
        }
        assertThat(seen.stream().filter(k -> k.startsWith(prefix)).toList())
                .containsExactly(prefix + 0, prefix + 1, prefix + 2, prefix + 3, prefix + 4);
    }

    @Test
    void rotationKeepsTheOldSecretUntilTheGraceEndsAndTheNewOneWorksAtOnce() throws Exception {
        String key = key();
        String old = newApp(key);
        JsonNode rotated = call(body(post("/admin/api/v1/apps/" + key + "/rotate-secret"), Map.of("graceSeconds", 60)),
                AdminRole.ADMIN, 200);
        String fresh = rotated.get("secret").asText();
        long graceEnd = rotated.get("previousSecretValidUntil").asLong();
        assertThat(graceEnd).isEqualTo(clock.now() + 60_000);

        assertThat(directory.authenticate(key, fresh)).isNotNull();
        assertThat(directory.authenticate(key, old)).isNotNull();
        clock.set(graceEnd - 1);
        directory.invalidate(key);
        assertThat(directory.authenticate(key, old)).isNotNull();
        clock.set(graceEnd);
        assertThatThrownBy(() -> directory.authenticate(key, old)).isInstanceOf(AuthenticationException.class);
        assertThat(directory.authenticate(key, fresh)).isNotNull();
    }

    @Test
    void rotationUsesTheConfiguredGraceOf24HoursByDefault() throws Exception {
        String key = key();
        newApp(key);
        JsonNode rotated = call(post("/admin/api/v1/apps/" + key + "/rotate-secret"), AdminRole.ADMIN, 200);
        assertThat(rotated.get("previousSecretValidUntil").asLong()).isEqualTo(clock.now() + 24 * 3_600_000L);
    }

    @Test
    void aDisabledAppIsRefusedNewSubmitsButItsMessagesStay() throws Exception {
        String key = key();
        newApp(key);
        call(put("/admin/api/v1/apps/" + key + "/topics/orders"), AdminRole.OPERATOR, 200);
        String id = io.hourglass.core.model.MessageIds.format(
                service.submit(key, cmd(), null).join().message().id());

        call(post("/admin/api/v1/apps/" + key + "/disable"), AdminRole.OPERATOR, 200);
        assertThatThrownBy(() -> service.submit(key, cmd(), null).join())
                .hasCauseInstanceOf(AppDisabledException.class);
        assertThat(service.get(key, id).state()).isEqualTo(MessageState.SCHEDULED);

        call(post("/admin/api/v1/apps/" + key + "/enable"), AdminRole.OPERATOR, 200);
        assertThat(service.submit(key, cmd(), null).join().created()).isTrue();
    }

    @Test
    @Timeout(30)
    void disablingWithCancelCancelsEveryScheduledMessageOfThatAppInATrackedJob() throws Exception {
        String key = key();
        String other = key();
        newApp(key);
        newApp(other);
        call(put("/admin/api/v1/apps/" + key + "/topics/orders"), AdminRole.OPERATOR, 200);
        call(put("/admin/api/v1/apps/" + other + "/topics/orders"), AdminRole.OPERATOR, 200);
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) { // more than one page of the job
            mine.add(service.submit(key, cmd(), null).join().message().id());
        }
        long others = service.submit(other, cmd(), null).join().message().id();

        JsonNode answer = call(body(post("/admin/api/v1/apps/" + key + "/disable"), Map.of("cancelScheduled", true)),
                AdminRole.OPERATOR, 202);
        String job = answer.get("job").get("id").asText();
        await().until(() -> call(get("/admin/api/v1/jobs/" + job), AdminRole.VIEWER, 200).get("state").asText(),
                s -> s.equals("SUCCEEDED"));
        JsonNode done = call(get("/admin/api/v1/jobs/" + job), AdminRole.VIEWER, 200);
        assertThat(done.get("done").asLong()).isEqualTo(1_200);
        assertThat(mine).allSatisfy(id -> assertThat(messages.get(id).orElseThrow().state()).isEqualTo(MessageState.CANCELLED));
        assertThat(messages.get(others).orElseThrow().state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(emitter.emittedIds()).doesNotContainAnyElementsOf(mine);
    }

    @Test
    void quotasSetThroughTheApiAreEnforcedOnSubmit() throws Exception {
        String key = key();
        newApp(key);
        call(put("/admin/api/v1/apps/" + key + "/topics/orders"), AdminRole.OPERATOR, 200);
        call(body(patch("/admin/api/v1/apps/" + key), Map.of("quotas", Map.of("submitsPerSecond", 0,
                "maxPending", 2, "maxPayloadBytes", 0, "minRepeatIntervalMs", 0))), AdminRole.OPERATOR, 200);
        service.submit(key, cmd(), null).join();
        service.submit(key, cmd(), null).join();
        assertThatThrownBy(() -> service.submit(key, cmd(), null).join())
                .hasCauseInstanceOf(QuotaExceededException.class);
        assertThat(messages.countScheduledOfApp(key)).isEqualTo(2);
    }

    @Test
    void allowingATopicCreatesItAtTheTargetAndRevokingWithdrawsIt() throws Exception {
        String key = key();
        newApp(key);
        String topic = "t-" + UUID.randomUUID().toString().substring(0, 6);
        JsonNode app = call(put("/admin/api/v1/apps/" + key + "/topics/" + topic), AdminRole.OPERATOR, 200);
        assertThat(app.get("topics").toString()).contains(topic);
        assertThat(provisioner.created).as("the topic and its dead-letter topic").contains(topic, topic + ".DLQ");
        JsonNode topics = call(get("/admin/api/v1/topics"), AdminRole.VIEWER, 200);
        assertThat(topics.toString()).contains(topic).contains(key);

        call(delete("/admin/api/v1/apps/" + key + "/topics/" + topic), AdminRole.OPERATOR, 200);
        assertThatThrownBy(() -> directory.checkTopic(key, topic)).isInstanceOf(io.hourglass.core.error.ForbiddenTopicException.class);
        call(delete("/admin/api/v1/apps/" + key + "/topics/" + topic), AdminRole.OPERATOR, 404);
        call(put("/admin/api/v1/apps/" + key + "/topics/bad%20topic"), AdminRole.OPERATOR, 400);
    }

    @Test
    void everyChangeIsAuditedWithoutItsSecret() throws Exception {
        String key = key();
        String secret = newApp(key);
        String rotated = call(post("/admin/api/v1/apps/" + key + "/rotate-secret"), AdminRole.ADMIN, 200)
                .get("secret").asText();
        call(body(patch("/admin/api/v1/apps/" + key), Map.of("description", "changed")), AdminRole.OPERATOR, 200);

        JsonNode audit = call(get("/admin/api/v1/audit").param("target", key), AdminRole.VIEWER, 200);
        List<String> actions = new ArrayList<>();
        audit.get("items").forEach(e -> actions.add(e.get("action").asText() + " by " + e.get("actor").asText()));
        assertThat(actions).containsExactly("app.update by operator", "app.rotate-secret by admin", "app.create by admin");
        assertThat(audit.toString()).doesNotContain(secret).doesNotContain(rotated).contains("changed");
    }

    @Test
    void usersAreManagedByAdminsAndTheLastAdminCannotBeRemoved() throws Exception {
        String name = "u-" + UUID.randomUUID().toString().substring(0, 6);
        call(body(post("/admin/api/v1/users"), Map.of("username", name, "password", "long-enough-pass", "role", "VIEWER")),
                AdminRole.ADMIN, 201);
        assertThat(mvc.perform(get("/admin/api/v1/apps").with(httpBasic(name, "long-enough-pass"))).andReturn()
                .getResponse().getStatus()).isEqualTo(200);
        call(body(post("/admin/api/v1/users"), Map.of("username", name + "2", "password", "short", "role", "VIEWER")),
                AdminRole.ADMIN, 400);
        String listed = call(get("/admin/api/v1/users"), AdminRole.ADMIN, 200).toString();
        assertThat(listed).contains(name).doesNotContain("bcrypt").doesNotContain("password");

        call(delete("/admin/api/v1/users/" + name), AdminRole.ADMIN, 204);
        assertThat(mvc.perform(get("/admin/api/v1/apps").with(httpBasic(name, "long-enough-pass"))).andReturn()
                .getResponse().getStatus()).isEqualTo(401);
        // demote every admin but one, then try to remove that one
        users.listUsers().stream().filter(u -> u.role() == AdminRole.ADMIN && !u.username().equals("admin"))
                .forEach(u -> users.deleteUser(u.username()));
        call(delete("/admin/api/v1/users/admin"), AdminRole.ADMIN, 409);
        call(body(patch("/admin/api/v1/users/admin"), Map.of("role", "VIEWER")), AdminRole.ADMIN, 409);
    }

    @Test
    void failedLoginsAreThrottledWithRetryAfter() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(mvc.perform(get("/admin/api/v1/apps").with(httpBasic("viewer", "wrong-" + i))).andReturn()
                    .getResponse().getStatus()).isEqualTo(401);
        }
        MvcResult throttled = mvc.perform(get("/admin/api/v1/apps").with(as(AdminRole.VIEWER))).andReturn();
        assertThat(throttled.getResponse().getStatus()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.getResponse().getHeader("Retry-After"))).isBetween(1L, 300L);
        clock.advance(5 * 60_000 + 1);
        assertThat(mvc.perform(get("/admin/api/v1/apps").with(as(AdminRole.VIEWER))).andReturn().getResponse()
                .getStatus()).isEqualTo(200);
    }

    @Test
    void aBrowserLogsInWithAFormAndSendsTheCsrfTokenWithChanges() throws Exception {
        MvcResult first = mvc.perform(get("/admin/api/v1/session")).andReturn();
        JsonNode anon = json.readTree(first.getResponse().getContentAsString());
        assertThat(anon.get("authenticated").asBoolean()).isFalse();
        String token = anon.get("csrfToken").asText();
        jakarta.servlet.http.Cookie csrfCookie = first.getResponse().getCookie("XSRF-TOKEN");
        assertThat(csrfCookie).isNotNull();

        MockHttpSession session = new MockHttpSession();
        MvcResult login = mvc.perform(post("/admin/login").session(session).cookie(csrfCookie)
                .header("X-XSRF-TOKEN", token)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .param("username", "operator").param("password", PASSWORD)).andReturn();
        assertThat(login.getResponse().getStatus()).isEqualTo(200);
        MockHttpSession loggedIn = (MockHttpSession) login.getRequest().getSession();

        String key = key();
        newApp(key);
        MvcResult withoutToken = mvc.perform(post("/admin/api/v1/apps/" + key + "/disable").session(loggedIn)).andReturn();
        assertThat(withoutToken.getResponse().getStatus()).isEqualTo(403);
        MvcResult session2 = mvc.perform(get("/admin/api/v1/session").session(loggedIn)).andReturn();
        JsonNode me = json.readTree(session2.getResponse().getContentAsString());
        assertThat(me.get("username").asText()).isEqualTo("operator");
        jakarta.servlet.http.Cookie cookie = session2.getResponse().getCookie("XSRF-TOKEN");
        MvcResult withToken = mvc.perform(post("/admin/api/v1/apps/" + key + "/disable").session(loggedIn)
                .cookie(cookie != null ? cookie : csrfCookie).header("X-XSRF-TOKEN", me.get("csrfToken").asText()))
                .andReturn();
        assertThat(withToken.getResponse().getStatus()).as(withToken.getResponse().getContentAsString()).isEqualTo(200);

        MvcResult wrong = mvc.perform(post("/admin/login").cookie(csrfCookie).header("X-XSRF-TOKEN", token)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .param("username", "operator").param("password", "nope")).andReturn();
        assertThat(wrong.getResponse().getStatus()).isEqualTo(401);
        assertThat(wrong.getResponse().getContentType()).startsWith("application/problem+json");
    }

    @Test
    void operatorsSearchMessagesPageByPageAndActOnThem() throws Exception {
        String key = key();
        newApp(key);
        call(put("/admin/api/v1/apps/" + key + "/topics/orders"), AdminRole.OPERATOR, 200);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(io.hourglass.core.model.MessageIds.format(service.submit(key,
                    new SubmitCommand("orders", "k" + i, "p" + i, Map.of(), 60_000L + i, null, null), null)
                    .join().message().id()));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var req = get("/admin/api/v1/messages").param("appKey", key).param("state", "SCHEDULED").param("limit", "3");
            if (cursor != null) {
                req.param("cursor", cursor);
            }
            JsonNode page = call(req, AdminRole.VIEWER, 200);
            page.get("items").forEach(m -> seen.add(m.get("id").asText()));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(ids);

        JsonNode cancelled = call(post("/admin/api/v1/messages/" + ids.get(0) + "/cancel"), AdminRole.OPERATOR, 200);
        assertThat(cancelled.get("state").asText()).isEqualTo("CANCELLED");
        long at = clock.now() + 3_600_000;
        JsonNode retimed = call(body(patch("/admin/api/v1/messages/" + ids.get(1)), Map.of("deliverAt", at)),
                AdminRole.OPERATOR, 200);
        assertThat(retimed.get("deliverAt").asLong()).isEqualTo(at);
        JsonNode now = call(post("/admin/api/v1/messages/" + ids.get(2) + "/deliver-now"), AdminRole.OPERATOR, 200);
        assertThat(now.get("deliverAt").asLong()).isEqualTo(clock.now());
        JsonNode detail = call(get("/admin/api/v1/messages/" + ids.get(3)), AdminRole.VIEWER, 200);
        assertThat(detail.get("payload").asText()).isEqualTo("p3");
        call(get("/admin/api/v1/messages/0000"), AdminRole.VIEWER, 404);
        call(get("/admin/api/v1/messages").param("state", "NOPE"), AdminRole.VIEWER, 400);
    }

    @Test
    @Timeout(30)
    void operatorsRedriveDeadMessagesOneByOneAndByFilterInATrackedJob() throws Exception {
        String key = appOnOrders();
        List<Long> dead = deadMessages(key, 5);
        long alive = service.submit(key, cmd(), null).join().message().id();

        JsonNode one = call(post("/admin/api/v1/messages/" + MessageIds.format(dead.get(0)) + "/redrive"),
                AdminRole.OPERATOR, 200);
        assertThat(one.get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(one.get("attempts").asInt()).isZero();
        call(post("/admin/api/v1/messages/" + MessageIds.format(alive) + "/redrive"), AdminRole.OPERATOR, 409);
        call(body(post("/admin/api/v1/messages/bulk-redrive"), Map.of()), AdminRole.OPERATOR, 400);

        JsonNode job = call(body(post("/admin/api/v1/messages/bulk-redrive"), Map.of("appKey", key)),
                AdminRole.OPERATOR, 202);
        JsonNode done = succeeded(job);
        assertThat(done.get("done").asLong()).as("the 4 still DEAD").isEqualTo(4);
        // redriven "now": the engine fires each of them again
        await().untilAsserted(() -> assertThat(emitter.emittedIds()).containsAll(dead));
        assertThat(dead).allSatisfy(m -> assertThat(messages.get(m).orElseThrow().state()).isNotEqualTo(MessageState.DEAD));
        assertThat(messages.get(alive).orElseThrow().attempts()).isZero();
        JsonNode audit = call(get("/admin/api/v1/audit"), AdminRole.VIEWER, 200);
        assertThat(audit.toString()).contains("message.redrive", "message.bulk-redrive");
    }

    @Test
    @Timeout(30)
    void operatorsReplayDeliveredMessagesOneByOneAndByAppTopicAndDueRangeInATrackedJob() throws Exception {
        String key = appOnOrders();
        List<Long> delivered = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            delivered.add(deliveredMessage(key));
        }
        long alive = service.submit(key, new io.hourglass.core.engine.SubmitCommand("orders", "k", "p", null,
                3_600_000L, null, null), null).join().message().id();
        int before = emitter.emitted().size();

        JsonNode one = call(post("/admin/api/v1/messages/" + MessageIds.format(delivered.get(0)) + "/replay"),
                AdminRole.OPERATOR, 200);
        assertThat(one.get("state").asText()).isEqualTo("DELIVERED");
        call(post("/admin/api/v1/messages/" + MessageIds.format(alive) + "/replay"), AdminRole.OPERATOR, 409);
        call(post("/admin/api/v1/messages/" + MessageIds.format(delivered.get(0)) + "/replay"), AdminRole.VIEWER, 403);
        // a replay job names the app, the topic and the due range
        call(body(post("/admin/api/v1/messages/bulk-replay"), Map.of("appKey", key, "topic", "orders")),
                AdminRole.OPERATOR, 400);
        call(body(post("/admin/api/v1/messages/bulk-replay"), Map.of("appKey", key, "dueFrom", 0, "dueTo", 1)),
                AdminRole.OPERATOR, 400);

        JsonNode job = call(body(post("/admin/api/v1/messages/bulk-replay"), Map.of("appKey", key, "topic", "orders",
                "dueFrom", 0, "dueTo", clock.now() + 7_200_000)), AdminRole.OPERATOR, 202);
        JsonNode done = succeeded(job);
        assertThat(done.get("done").asLong()).as("every DELIVERED message of the range").isEqualTo(4);

        List<DelayMessage> replays = emitter.emitted().subList(before, emitter.emitted().size()).stream()
                .map(RecordingEmitter.Emitted::message).filter(m -> m.appKey().equals(key)).toList(); // not other tests'

        assertThat(replays).extracting(DelayMessage::id).containsExactlyInAnyOrder(delivered.get(0), delivered.get(0),
                delivered.get(1), delivered.get(2), delivered.get(3));
        assertThat(replays).allSatisfy(r -> assertThat(r.headers()).containsEntry("x-delay-replay", "true"));
        assertThat(delivered).allSatisfy(m -> assertThat(messages.get(m).orElseThrow().state())
                .isEqualTo(MessageState.DELIVERED));
        assertThat(messages.get(alive).orElseThrow().state()).isEqualTo(MessageState.SCHEDULED);
        JsonNode audit = call(get("/admin/api/v1/audit"), AdminRole.VIEWER, 200);
        assertThat(audit.toString()).contains("message.replay", "message.bulk-replay");
    }

    @Test
    @Timeout(30)
    void operatorsPurgeDeadMessagesOneByOneAndByFilterInATrackedJob() throws Exception {
        String key = appOnOrders();
        List<Long> dead = deadMessages(key, 5);
        long alive = service.submit(key, cmd(), null).join().message().id();
        String first = MessageIds.format(dead.get(0));

        call(post("/admin/api/v1/messages/" + MessageIds.format(dead.get(1)) + "/purge"), AdminRole.VIEWER, 403);
        assertThat(call(post("/admin/api/v1/messages/" + first + "/purge"), AdminRole.OPERATOR, 204)).isNull();
        assertThat(messages.get(dead.get(0))).isEmpty();
        call(post("/admin/api/v1/messages/" + first + "/purge"), AdminRole.OPERATOR, 404);
        JsonNode notDead = call(post("/admin/api/v1/messages/" + MessageIds.format(alive) + "/purge"),
                AdminRole.OPERATOR, 409);
        assertThat(notDead.get("code").asText()).isEqualTo("invalid-state");
        call(post("/admin/api/v1/messages/0000/purge"), AdminRole.OPERATOR, 404);
        call(body(post("/admin/api/v1/messages/bulk-purge"), Map.of()), AdminRole.OPERATOR, 400);
        call(body(post("/admin/api/v1/messages/bulk-purge"), Map.of("appKey", key, "state", "SCHEDULED")),
                AdminRole.OPERATOR, 400);

        JsonNode job = call(body(post("/admin/api/v1/messages/bulk-purge"), Map.of("appKey", key)),
                AdminRole.OPERATOR, 202);
        JsonNode done = succeeded(job);
        assertThat(done.get("done").asLong()).as("the 4 still DEAD").isEqualTo(4);
        assertThat(dead).allSatisfy(m -> assertThat(messages.get(m)).isEmpty());
        assertThat(messages.get(alive).orElseThrow().state()).isEqualTo(MessageState.SCHEDULED);
        JsonNode audit = call(get("/admin/api/v1/audit").param("target", first), AdminRole.VIEWER, 200);
        assertThat(audit.toString()).contains("message.purge");
        assertThat(call(get("/admin/api/v1/audit"), AdminRole.VIEWER, 200).toString()).contains("message.bulk-purge");
    }

    @Test
    @Timeout(30)
    void deadLettersAreGroupedByAppTopicAndTheStartOfTheirLastErrorLargestFirst() throws Exception {
        String key = appOnOrders();
        call(put("/admin/api/v1/apps/" + key + "/topics/refunds"), AdminRole.OPERATOR, 200);
        List<Long> http500 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            http500.add(deadMessage(key, "orders", "HTTP 500 from the target"));
        }
        deadMessage(key, "orders", "x".repeat(250));
        deadMessage(key, "orders", "x".repeat(300) + " and more"); // the same first 200 characters
        long refund = deadMessage(key, "refunds", "HTTP 500 from the target");
        deadMessage(key, "refunds", "HTTP 500 from the target");
        clock.advance(OverviewService.COUNT_CACHE_SECONDS * 1000L + 1); // past the state counts' cache

        JsonNode report = call(get("/admin/api/v1/dead-letters").param("appKey", key), AdminRole.VIEWER, 200);

        assertThat(report.get("scanned").asInt()).isEqualTo(7);
        assertThat(report.get("complete").asBoolean()).isTrue();
        assertThat(report.get("totalDead").asLong()).as("of every app").isGreaterThanOrEqualTo(7);
        JsonNode groups = report.get("groups");
        assertThat(groups).hasSize(3);
        JsonNode top = groups.get(0);
        assertThat(top.get("appKey").asText()).isEqualTo(key);
        assertThat(top.get("topic").asText()).isEqualTo("orders");
        assertThat(top.get("lastError").asText()).isEqualTo("HTTP 500 from the target");
        assertThat(top.get("count").asLong()).isEqualTo(3);
        assertThat(top.get("firstDueAt").asLong()).isLessThanOrEqualTo(top.get("lastDueAt").asLong())
                .isEqualTo(messages.get(http500.get(0)).orElseThrow().deliverAt());
        assertThat(http500.stream().map(MessageIds::format)).contains(top.get("sampleId").asText());
        assertThat(groups.get(1).get("topic").asText()).isEqualTo("orders");
        assertThat(groups.get(1).get("lastError").asText()).isEqualTo("x".repeat(200));
        assertThat(groups.get(1).get("count").asLong()).isEqualTo(2);
        assertThat(groups.get(2).get("topic").asText()).isEqualTo("refunds");
        assertThat(groups.get(2).get("count").asLong()).isEqualTo(2);

        JsonNode refunds = call(get("/admin/api/v1/dead-letters").param("appKey", key).param("topic", "refunds"),
                AdminRole.VIEWER, 200);
        assertThat(refunds.get("groups")).hasSize(1);
        call(post("/admin/api/v1/messages/" + MessageIds.format(refund) + "/purge"), AdminRole.OPERATOR, 204);
        assertThat(call(get("/admin/api/v1/dead-letters").param("appKey", key).param("topic", "refunds"),
                AdminRole.VIEWER, 200).get("groups").get(0).get("count").asLong()).as("cached").isEqualTo(2);
        clock.advance(OverviewService.COUNT_CACHE_SECONDS * 1000L + 1);
        assertThat(call(get("/admin/api/v1/dead-letters").param("appKey", key).param("topic", "refunds"),
                AdminRole.VIEWER, 200).get("groups").get(0).get("count").asLong()).isEqualTo(1);
    }

    /** A new app allowed the topic {@code orders}: its key. */
    private String appOnOrders() throws Exception {
        String key = key();
        newApp(key);
        call(put("/admin/api/v1/apps/" + key + "/topics/orders"), AdminRole.OPERATOR, 200);
        return key;
    }

    /** The job of a 202 answer once it SUCCEEDED (waited for). */
    private JsonNode succeeded(JsonNode accepted) throws Exception {
        String id = accepted.get("id").asText();
        await().until(() -> call(get("/admin/api/v1/jobs/" + id), AdminRole.VIEWER, 200).get("state").asText(),
                st -> st.equals("SUCCEEDED"));
        return call(get("/admin/api/v1/jobs/" + id), AdminRole.VIEWER, 200);
    }

    /** A message of {@code app} on topic {@code orders} that was delivered (as the engine leaves it). */
    private long deliveredMessage(String app) {
        DelayMessage m = service.submit(app, new io.hourglass.core.engine.SubmitCommand("orders", "k", "p",
                Map.of("h", "v"), 3_600_000L, null, null), null).join().message();
        long token = 9L;
        assertThat(messages.claim(List.of(m.id()), m.deliverAt(), token)).hasSize(1);
        assertThat(messages.markDelivered(List.of(m.id()), token, m.deliverAt())).isEqualTo(1);
        return m.id();
    }

    /** {@code n} messages of {@code app} that went DEAD. */
    private List<Long> deadMessages(String app, int n) {
        List<Long> dead = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dead.add(deadMessage(app));
        }
        return dead;
    }

    /** A message of {@code app} that went DEAD, as the engine leaves it after its last attempt. */
    private long deadMessage(String app) {
        return deadMessage(app, "orders", "gave up after 3 attempts");
    }

    /** A message of {@code app} on {@code topic} that went DEAD with {@code error}. */
    private long deadMessage(String app, String topic, String error) {
        DelayMessage m = service.submit(app, new SubmitCommand(topic, null, "payload", Map.of(), 3_600_000L, null,
                null), null).join().message();
        long token = 7L;
        assertThat(messages.claim(List.of(m.id()), m.deliverAt(), token)).hasSize(1);
        assertThat(messages.markDead(List.of(m.id()), token, error, m.deliverAt())).isEqualTo(1);
        return m.id();
    }

    private static SubmitCommand cmd() {
        return new SubmitCommand("orders", null, "payload", Map.of(), 3_600_000L, null, null);
    }
}
