package io.hourglass.admin.web;

import io.hourglass.admin.AppAdminService;
import io.hourglass.admin.OverviewService;
import io.hourglass.core.model.PendingCount;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code /admin/api/v1/topics}: every topic some app may use, with those apps and the SCHEDULED messages of each
 * app on it (the overview's cached count, at most a few seconds old).
 */
@RestController
public class TopicsController {

    /**
     * A topic, the apps allowed on it, and pending messages per app on it (apps may have pending messages on a topic
     * no longer allowed: they still fire).
     */
    public record TopicView(String topic, Set<String> apps, Map<String, Long> pendingByApp, long pending) {
    }

    private final AppAdminService apps;
    private final OverviewService overview;

    public TopicsController(AppAdminService apps, OverviewService overview) {
        this.apps = apps;
        this.overview = overview;
    }

    @GetMapping("/admin/api/v1/topics")
    public List<TopicView> topics() {
        Map<String, Map<String, Long>> pending = new HashMap<>();
        for (PendingCount c : overview.pending().byAppAndTopic()) {
            pending.computeIfAbsent(c.topic(), t -> new TreeMap<>()).merge(c.appKey(), c.total(), Long::sum);
        }
        Map<String, Set<String>> grants = new TreeMap<>(apps.topicGrants());
        pending.keySet().forEach(t -> grants.putIfAbsent(t, Set.of()));
        return grants.entrySet().stream().map(e -> {
            Map<String, Long> byApp = pending.getOrDefault(e.getKey(), Map.of());
            return new TopicView(e.getKey(), e.getValue(), byApp, byApp.values().stream().mapToLong(Long::longValue).sum());
        }).toList();
    }
}
