package io.hourglass.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.SubmitCommand;
import io.hourglass.core.model.AdminRole;
import io.hourglass.core.model.AppStatPoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

class OverviewApiTest extends AdminApiTestSupport {

    @Autowired
    ObjectMapper json;
    @Autowired
    AppDirectory directory;
    @Autowired
    DelayService service;
    @Autowired
    ClusterSnapshots snapshots;
    @Autowired
    AdminSampler sampler;
    @Autowired
    SimpleMeterRegistry registry;

    private JsonNode read(String path) throws Exception {
        var r = mvc.perform(get(path).with(as(AdminRole.VIEWER))).andReturn();
        assertThat(r.getResponse().getStatus()).as(r.getResponse().getContentAsString()).isEqualTo(200);
        return json.readTree(r.getResponse().getContentAsString());
    }

    @Test
    void pendingIsCountedByDueHorizonPerAppAndTopic() throws Exception {
        String app = "ov-" + UUID.randomUUID().toString().substring(0, 6);
        directory.ensureApp(app, "s", Set.of("t1", "t2"));
        // due well after the clock advance below, so the engine cannot fire any of them before they are counted
        long[] delays = {30_000, 30 * 60_000L, 2 * 3_600_000L, 2 * 86_400_000L, 3 * 86_400_000L};
        for (long d : delays) {
            service.submit(app, new SubmitCommand("t1", null, "p", Map.of(), d, null, null), null).join();
        }
        service.submit(app, new SubmitCommand("t2", null, "p", Map.of(), 30_000L, null, null), null).join();
        clock.advance(OverviewService.COUNT_CACHE_SECONDS * 1000L + 1); // past the count cache

        JsonNode pending = read("/admin/api/v1/overview").get("pending");
        JsonNode t1 = null;
        for (JsonNode c : pending.get("byAppAndTopic")) {
            if (c.get("appKey").asText().equals(app) && c.get("topic").asText().equals("t1")) {
                t1 = c;
            }
        }
        assertThat(t1).isNotNull();
        assertThat(t1.get("within1m").asLong()).isEqualTo(1);
        assertThat(t1.get("within1h").asLong()).isEqualTo(1);
        assertThat(t1.get("within24h").asLong()).isEqualTo(1);
        assertThat(t1.get("later").asLong()).isEqualTo(2);
        assertThat(pending.get("total").asLong()).isGreaterThanOrEqualTo(6);
        assertThat(read("/admin/api/v1/overview").get("states").get("SCHEDULED").asLong()).isGreaterThanOrEqualTo(6);
        JsonNode t2 = null;
        for (JsonNode t : read("/admin/api/v1/topics")) {
            if (t.get("topic").asText().equals("t2")) {
                t2 = t;
            }
        }
        assertThat(t2).isNotNull();
        assertThat(t2.get("apps").toString()).contains(app);
        assertThat(t2.get("pendingByApp").get(app).asLong()).isEqualTo(1);
    }

    @Test
    void submitsAreCountedInTenMinutePointsPerApp() throws Exception {
        String app = "st-" + UUID.randomUUID().toString().substring(0, 6);
        directory.ensureApp(app, "s", Set.of("t"));
        for (int i = 0; i < 3; i++) {
            service.submit(app, new SubmitCommand("t", null, "p", Map.of(), 600_000L, null, null), null).join();
        }
        snapshots.round();
        JsonNode stats = read("/admin/api/v1/stats?appKey=" + app);
        assertThat(stats.get("bucketMs").asLong()).isEqualTo(AppStatPoint.BUCKET_MS);
        assertThat(stats.get("points")).hasSize(1);
        assertThat(stats.get("points").get(0).get("submitted").asLong()).isEqualTo(3);
        assertThat(stats.get("points").get(0).get("bucketStart").asLong()).isEqualTo(AppStatPoint.bucketOf(clock.now()));
        assertThat(mvc.perform(get("/admin/api/v1/stats?from=0&to=" + clock.now()).with(as(AdminRole.VIEWER)))
                .andReturn().getResponse().getStatus()).as("more than 7 days").isEqualTo(400);
    }

    @Test
    @Timeout(30)
    void theLiveFiguresShowWhatThisServerFiredInTheLastMinute() throws Exception {
        String app = "lv-" + UUID.randomUUID().toString().substring(0, 6);
        String topic = "live-" + UUID.randomUUID().toString().substring(0, 6);
        directory.ensureApp(app, "s", Set.of(topic));
        for (int i = 0; i < LiveFigures.SAMPLES; i++) {
            sampler.round(); // every sample kept is of now: the window starts here (other tests moved the clock)
        }
        double fired = registry.get("hourglass.messages.fired").counter().count();
        service.submit(app, new SubmitCommand(topic, null, "p", Map.of(), 1_000L, null, null), null).join();
        clock.advance(1_000);
        await().until(() -> registry.get("hourglass.messages.fired").counter().count() > fired);
        clock.advance(4_000);
        sampler.round();

        JsonNode live = read("/admin/api/v1/live");

        assertThat(live.get("nodeId").asText()).isEqualTo("test-node");
        assertThat(live.get("sampledAt").asLong()).isEqualTo(clock.now());
        assertThat(live.get("windowSeconds").asLong()).isEqualTo(5);
        assertThat(live.get("firedPerSecond").asDouble()).isPositive();
        assertThat(live.get("firedPerSecondByTopic").get(topic).asDouble()).isEqualTo(0.2);
        assertThat(live.get("earlyTotal").asLong()).isZero();
        assertThat(live.get("latenessP50Ms").isNumber()).isTrue();
        JsonNode histogram = live.get("latenessHistogram");
        assertThat(histogram).hasSize(12);
        assertThat(histogram.get(0).get("leMs").asLong()).isEqualTo(1);
        assertThat(histogram.get(11).get("leMs").isNull()).isTrue();
        long counted = 0;
        for (JsonNode b : histogram) {
            counted += b.get("count").asLong();
        }
        assertThat(counted).isPositive();
        for (String field : List.of("acceptedPerSecond", "emitFailures", "dead", "latenessP99Ms")) {
            assertThat(live.has(field)).as(field).isTrue();
        }
    }

    @Test
    void theClusterViewShowsThisServerAndWhoOwnsEachSlot() throws Exception {
        snapshots.round();
        sampler.round();
        JsonNode cluster = read("/admin/api/v1/cluster");
        assertThat(cluster.get("slotCount").asInt()).isEqualTo(64);
        assertThat(cluster.get("unownedSlots").asInt()).isZero();
        assertThat(cluster.get("slotOwners").get(0).asText()).isEqualTo("test-node");
        JsonNode node = cluster.get("nodes").get(0);
        assertThat(node.get("nodeId").asText()).isEqualTo("test-node");
        assertThat(node.get("up").asBoolean()).isTrue();
        assertThat(node.get("ownedSlots").asInt()).isEqualTo(64);
        assertThat(node.get("heapMax").asLong()).isPositive();
        JsonNode rebalances = cluster.get("rebalances");
        assertThat(rebalances).as("standalone: the slots were taken once").hasSize(1);
        assertThat(rebalances.get(0).get("moved").asInt()).isEqualTo(64);
        JsonNode change = rebalances.get(0).get("changes").get(0);
        assertThat(change.get("from").isNull()).isTrue();
        assertThat(change.get("to").asText()).isEqualTo("test-node");
        assertThat(change.get("slots")).hasSize(64);
    }
}
