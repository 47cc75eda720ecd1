package io.hourglass.exporter.http;

import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.testing.InMemoryAppStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** App quotas (429 + Retry-After, nothing stored, other apps unaffected) and disabled apps (403) over REST. */
class QuotaAndDisabledAppTest extends ApiTestSupport {

    @Autowired
    InMemoryAppStore apps;
    @Autowired
    AppDirectory directory;

    private String[] newApp(UnaryOperator<App> edit) {
        String key = "q-" + UUID.randomUUID().toString().substring(0, 8);
        directory.ensureApp(key, "secret-" + key, Set.of("demo"));
        App app = apps.findApp(key).orElseThrow();
        assertThat(apps.updateApp(edit.apply(app).touched(app.updatedAt() + 1))).isTrue();
        directory.invalidate(key);
        return new String[] {"X-App-Key", key, "X-App-Secret", "secret-" + key};
    }

    private long storedOf(String appKey) {
        return store.all().stream().filter(m -> m.appKey().equals(appKey)).count();
    }

    private Reply submit(String[] auth, String payload) {
        return call("POST", "/api/v1/messages", json("topic", "demo", "payload", payload, "delayMs", 60_000), auth);
    }

    @Test
    void overTheRateQuotaIs429WithRetryAfterAndNothingStoredWhileOtherAppsGoOn() {
        String[] auth = newApp(a -> a.withQuotas(new AppQuotas(3, 0, 0, 0)));
        int accepted = 0;
        Reply refused = null;
        for (int i = 0; i < 20; i++) {
            Reply r = submit(auth, "p" + i);
            if (r.status() == 201) {
                accepted++;
            } else {
                refused = r;
                break;
            }
        }
        assertThat(refused).as("the quota refuses within 20 quick submits").isNotNull();
        assertProblem(refused, 429, "quota-exceeded");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(storedOf(auth[1])).isEqualTo(accepted);
        assertThat(accepted).isBetween(3, 19);

        Reply other = authed("POST", "/api/v1/messages", json("topic", "demo", "payload", "x", "delayMs", 60_000));
        assertThat(other.status()).isEqualTo(201);
    }

    @Test
    void overThePendingQuotaIs429AndABatchIsRefusedWhole() {
        String[] auth = newApp(a -> a.withQuotas(new AppQuotas(0, 3, 0, 0)));
        assertThat(submit(auth, "a").status()).isEqualTo(201);
        Reply batch = call("POST", "/api/v1/messages/batch", json("messages", List.of(
                Map.of("topic", "demo", "payload", "b1", "delayMs", 60_000),
                Map.of("topic", "demo", "payload", "b2", "delayMs", 60_000),
                Map.of("topic", "demo", "payload", "b3", "delayMs", 60_000))), auth);
        assertProblem(batch, 429, "quota-exceeded");
        assertThat(batch.header("Retry-After")).isNotNull();
        assertThat(storedOf(auth[1])).isEqualTo(1);
    }

    @Test
    void payloadAndRepeatQuotasRefuseBeforeStoring() {
        String[] auth = newApp(a -> a.withQuotas(new AppQuotas(0, 0, 10, 5_000)));
        assertProblem(submit(auth, "x".repeat(11)), 429, "quota-exceeded");
        Reply repeat = call("POST", "/api/v1/messages", json("topic", "demo", "payload", "p", "delayMs", 60_000,
                "repeatIntervalMs", 1_000), auth);
        assertProblem(repeat, 429, "quota-exceeded");
        assertThat(storedOf(auth[1])).isZero();
    }

    @Test
    void theSeedEndpointHonoursQuotasToo() {
        String[] auth = newApp(a -> a.withQuotas(new AppQuotas(0, 1, 0, 0)));
        long at = System.currentTimeMillis() + 60_000;
        Reply first = call("POST", "/delay/sendDelayMsg", json("appKey", auth[1], "topic", "demo", "message", "m1",
                "execTime", at), auth);
        assertThat(first.status()).isEqualTo(200);
        Reply second = call("POST", "/delay/sendDelayMsg", json("appKey", auth[1], "topic", "demo", "message", "m2",
                "execTime", at), auth);
        assertThat(second.status()).isEqualTo(429);
        assertThat(storedOf(auth[1])).isEqualTo(1);
    }

    @Test
    void aDisabledAppIsRefusedSubmitsAndRetimesWith403ButMayReadAndCancel() {
        String[] auth = newApp(UnaryOperator.identity());
        Reply created = submit(auth, "before");
        String id = created.text("/id");
        String id2 = submit(auth, "before-2").text("/id");
        App app = apps.findApp(auth[1]).orElseThrow();
        apps.updateApp(app.withEnabled(false).touched(app.updatedAt() + 1));
        directory.invalidate(auth[1]);

        assertProblem(submit(auth, "after"), 403, "app-disabled");
        assertProblem(call("PATCH", "/api/v1/messages/" + id, json("extendMs", 1000), auth), 403, "app-disabled");
        assertThat(call("GET", "/api/v1/messages/" + id, null, auth).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/v1/messages/" + id2, null, auth).status()).isEqualTo(200);
        assertThat(store.all().stream().filter(m -> m.appKey().equals(auth[1])).map(DelayMessage::payload))
                .containsExactlyInAnyOrder("before", "before-2");
    }
}
