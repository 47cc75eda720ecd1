package io.hourglass.admin.web;

import io.hourglass.admin.AppAdminService;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Set;

/** {@code /admin/api/v1/topics}: every topic some app may use, with those apps. */
@RestController
public class TopicsController {

    /** A topic and the apps allowed on it. */
    public record TopicView(String topic, Set<String> apps) {
    }

    private final AppAdminService apps;

    public TopicsController(AppAdminService apps) {
        this.apps = apps;
    }

    @GetMapping("/admin/api/v1/topics")
    public List<TopicView> topics() {
        return apps.topicGrants().entrySet().stream().map(e -> new TopicView(e.getKey(), e.getValue())).toList();
    }
}
