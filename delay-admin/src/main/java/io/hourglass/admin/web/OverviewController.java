package io.hourglass.admin.web;

import io.hourglass.admin.DeadLetterReport;
import io.hourglass.admin.LiveFigures;
import io.hourglass.admin.OverviewService;
import io.hourglass.core.model.AppStatPoint;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/api/v1/overview} (pending by due horizon, per app and topic; counts by state),
 * {@code /admin/api/v1/stats} (per-app 10-minute points), {@code /admin/api/v1/cluster} (servers, slot map, recent
 * rebalances), {@code /admin/api/v1/live} (this server's last minute) and {@code /admin/api/v1/dead-letters} (DEAD
 * messages grouped by app, topic and last error).
 */
@RestController
public class OverviewController {

    private final OverviewService overview;
    private final LiveFigures live;
    private final DeadLetterReport deadLetters;

    public OverviewController(OverviewService overview, LiveFigures live, DeadLetterReport deadLetters) {
        this.overview = overview;
        this.live = live;
        this.deadLetters = deadLetters;
    }

    @GetMapping("/admin/api/v1/overview")
    public Map<String, Object> overview() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pending", overview.pending());
        out.put("states", overview.states());
        return out;
    }

    @GetMapping("/admin/api/v1/stats")
    public Map<String, Object> stats(@RequestParam(required = false) String appKey,
                                     @RequestParam(required = false) Long from,
                                     @RequestParam(required = false) Long to) {
        List<AppStatPoint> points = overview.stats(appKey, from, to);
        return Map.of("bucketMs", AppStatPoint.BUCKET_MS, "points", points);
    }

    @GetMapping("/admin/api/v1/cluster")
    public OverviewService.Cluster cluster() {
        return overview.cluster();
    }

    @GetMapping("/admin/api/v1/live")
    public LiveFigures.Live live() {
        return live.live();
    }

    @GetMapping("/admin/api/v1/dead-letters")
    public DeadLetterReport.Report deadLetters(@RequestParam(required = false) String appKey,
                                               @RequestParam(required = false) String topic) {
        return deadLetters.report(blank(appKey), blank(topic));
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
