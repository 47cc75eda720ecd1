package io.hourglass.admin.web;

import io.hourglass.admin.AppAdminService;
import io.hourglass.admin.AppView;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code /admin/api/v1/apps}: apps, their secrets, topics and quotas. */
@RestController
@RequestMapping(AppsController.BASE)
public class AppsController {

    static final String BASE = "/admin/api/v1/apps";

    /** Create an app. */
    public record CreateApp(String appKey, String name, String owner, String description, AppView.Quotas quotas) {
    }

    /** Rotate: the previous secret keeps working {@code graceSeconds} (default: delay.admin.secret-grace-period). */
    public record Rotate(Long graceSeconds) {
    }

    /** Disable; with {@code cancelScheduled} its SCHEDULED messages are cancelled by a background job. */
    public record Disable(Boolean cancelScheduled) {
    }

    /** A page of apps; {@code next} is the {@code after} of the next page, null on the last one. */
    public record Page(List<AppView> items, String next) {
    }

    private final AppAdminService apps;

    public AppsController(AppAdminService apps) {
        this.apps = apps;
    }

    @PostMapping
    public ResponseEntity<AppAdminService.Created> create(@RequestBody CreateApp body, Principal who) {
        AppAdminService.Created created = apps.create(who.getName(), body.appKey(), body.name(), body.owner(),
                body.description(), body.quotas());
        return ResponseEntity.created(URI.create(BASE + "/" + created.app().appKey())).body(created);
    }

    @GetMapping
    public Page list(@RequestParam(required = false) String after, @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 500) {
            throw io.hourglass.admin.AdminException.invalid("limit", "between 1 and 500");
        }
        List<AppView> items = apps.list(after, limit + 1);
        boolean more = items.size() > limit;
        List<AppView> page = more ? items.subList(0, limit) : items;
        return new Page(page, more ? page.get(page.size() - 1).appKey() : null);
    }

    @GetMapping("/{appKey}")
    public AppView get(@PathVariable String appKey) {
        return apps.get(appKey);
    }

    @PatchMapping("/{appKey}")
    public AppView update(@PathVariable String appKey, @RequestBody AppAdminService.Patch patch, Principal who) {
        return apps.update(who.getName(), appKey, patch);
    }

    @PostMapping("/{appKey}/rotate-secret")
    public AppAdminService.Rotated rotate(@PathVariable String appKey, @RequestBody(required = false) Rotate body,
                                          Principal who) {
        Long grace = body == null ? null : body.graceSeconds();
        if (grace != null && grace < 0) {
            throw io.hourglass.admin.AdminException.invalid("graceSeconds", ">= 0");
        }
        return apps.rotateSecret(who.getName(), appKey, grace == null ? null : Duration.ofSeconds(grace));
    }

    @PostMapping("/{appKey}/disable")
    public ResponseEntity<Map<String, Object>> disable(@PathVariable String appKey,
                                                       @RequestBody(required = false) Disable body, Principal who) {
        boolean cancel = body != null && Boolean.TRUE.equals(body.cancelScheduled());
        Map<String, Object> result = apps.setEnabled(who.getName(), appKey, false, cancel);
        return ResponseEntity.status(cancel ? HttpStatus.ACCEPTED : HttpStatus.OK).body(result);
    }

    @PostMapping("/{appKey}/enable")
    public Map<String, Object> enable(@PathVariable String appKey, Principal who) {
        return apps.setEnabled(who.getName(), appKey, true, false);
    }

    @PutMapping("/{appKey}/topics/{topic}")
    public AppView allowTopic(@PathVariable String appKey, @PathVariable String topic, Principal who) {
        return apps.allowTopic(who.getName(), appKey, topic);
    }

    @DeleteMapping("/{appKey}/topics/{topic}")
    public AppView revokeTopic(@PathVariable String appKey, @PathVariable String topic, Principal who) {
        return apps.revokeTopic(who.getName(), appKey, topic);
    }
}
