package io.hourglass.admin.web;

import io.hourglass.admin.AdminException;
import io.hourglass.admin.AdminJobs;
import io.hourglass.admin.MessageAdminService;
import io.hourglass.admin.MessageView;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageStore.MessageQuery;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.List;
import java.util.Locale;

/**
 * {@code /admin/api/v1/messages}: search (keyset pages), detail, cancel, re-time, deliver now, redrive, replay,
 * purge, and the bulk actions by filter;
 * {@code /admin/api/v1/jobs}: the background jobs and their progress.
 */
@RestController
@RequestMapping("/admin/api/v1")
public class MessagesAdminController {

    /** The search filter of a bulk action; {@code state} is SCHEDULED when absent. */
    public record Filter(String appKey, String topic, String key, String state, Long dueFrom, Long dueTo) {
    }

    /** A new due time. */
    public record Retime(Long deliverAt) {
    }

    private final MessageAdminService messages;
    private final AdminJobs jobs;

    public MessagesAdminController(MessageAdminService messages, AdminJobs jobs) {
        this.messages = messages;
        this.jobs = jobs;
    }

    @GetMapping("/messages")
    public MessageAdminService.Page search(@RequestParam(required = false) String id,
                                           @RequestParam(required = false) String appKey,
                                           @RequestParam(required = false) String topic,
                                           @RequestParam(required = false) String key,
                                           @RequestParam(defaultValue = "SCHEDULED") String state,
                                           @RequestParam(required = false) Long dueFrom,
                                           @RequestParam(required = false) Long dueTo,
                                           @RequestParam(required = false) String cursor,
                                           @RequestParam(defaultValue = "50") int limit) {
        if (id != null && !id.isBlank()) {
            try {
                return new MessageAdminService.Page(List.of(messages.get(id)), null);
            } catch (AdminException e) {
                return new MessageAdminService.Page(List.of(), null);
            }
        }
        return messages.search(query(new Filter(appKey, topic, key, state, dueFrom, dueTo)), cursor, limit);
    }

    @GetMapping("/messages/{id}")
    public MessageView get(@PathVariable String id) {
        return messages.get(id);
    }

    @PostMapping("/messages/{id}/cancel")
    public MessageView cancel(@PathVariable String id, Principal who) {
        return messages.cancel(who.getName(), id);
    }

    @PatchMapping("/messages/{id}")
    public MessageView retime(@PathVariable String id, @RequestBody Retime body, Principal who) {
        if (body == null || body.deliverAt() == null) {
            throw AdminException.invalid("deliverAt", "required (epoch ms)");
        }
        return messages.retime(who.getName(), id, body.deliverAt());
    }

    @PostMapping("/messages/{id}/deliver-now")
    public MessageView deliverNow(@PathVariable String id, Principal who) {
        return messages.deliverNow(who.getName(), id);
    }

    @PostMapping("/messages/{id}/redrive")
    public MessageView redrive(@PathVariable String id, Principal who) {
        return messages.redrive(who.getName(), id);
    }

    @PostMapping("/messages/bulk-cancel")
    public ResponseEntity<AdminJobs.View> bulkCancel(@RequestBody Filter filter, Principal who) {
        requireNarrowed(filter);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(messages.bulkCancel(who.getName(), query(filter)).view());
    }

    /** Redrives the DEAD messages that match (the filter's state defaults to DEAD here) in a job: 202. */
    @PostMapping("/messages/bulk-redrive")
    public ResponseEntity<AdminJobs.View> bulkRedrive(@RequestBody Filter filter, Principal who) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(messages.bulkRedrive(who.getName(), deadOnes(filter)).view());
    }

    /** Deletes a DEAD message for good: 204; unknown 404; not DEAD 409. */
    @PostMapping("/messages/{id}/purge")
    public ResponseEntity<Void> purge(@PathVariable String id, Principal who) {
        messages.purge(who.getName(), id);
        return ResponseEntity.noContent().build();
    }

    /** Purges the DEAD messages that match (the filter's state defaults to DEAD here and must be DEAD) in a job: 202. */
    @PostMapping("/messages/bulk-purge")
    public ResponseEntity<AdminJobs.View> bulkPurge(@RequestBody Filter filter, Principal who) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(messages.bulkPurge(who.getName(), deadOnes(filter)).view());
    }

    /** The query of a bulk action on dead letters: narrowed, its state DEAD unless the filter names another. */
    private static MessageQuery deadOnes(Filter filter) {
        requireNarrowed(filter);
        Filter dead = filter.state() != null ? filter
                : new Filter(filter.appKey(), filter.topic(), filter.key(), "DEAD", filter.dueFrom(), filter.dueTo());
        return query(dead);
    }

    /** Replays a DELIVERED message (emitted again with x-delay-replay: true; the message is not changed). */
    @PostMapping("/messages/{id}/replay")
    public MessageView replay(@PathVariable String id, Principal who) {
        return messages.replay(who.getName(), id);
    }

    /**
     * Replays the DELIVERED messages of one app and topic due within a range (the filter's state defaults to
     * DELIVERED here and must be DELIVERED) in a job: 202.
     */
    @PostMapping("/messages/bulk-replay")
    public ResponseEntity<AdminJobs.View> bulkReplay(@RequestBody Filter filter, Principal who) {
        if (filter == null) {
            throw AdminException.invalid("filter", "required");
        }
        if (filter.appKey() == null || filter.appKey().isBlank()) {
            throw AdminException.invalid("appKey", "required: a replay names the app");
        }
        if (filter.topic() == null || filter.topic().isBlank()) {
            throw AdminException.invalid("topic", "required: a replay names the topic");
        }
        if (filter.dueFrom() == null || filter.dueTo() == null) {
            throw AdminException.invalid(filter.dueFrom() == null ? "dueFrom" : "dueTo",
                    "required: a replay names the range of due times");
        }
        Filter delivered = filter.state() != null ? filter : new Filter(filter.appKey(), filter.topic(), filter.key(),
                "DELIVERED", filter.dueFrom(), filter.dueTo());
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(messages.bulkReplay(who.getName(), query(delivered)).view());
    }

    /** A bulk action names at least one criterion besides the state: never "everything" by accident. */
    private static void requireNarrowed(Filter filter) {
        if (filter == null) {
            throw AdminException.invalid("filter", "required");
        }
        if (filter.appKey() == null && filter.topic() == null && filter.key() == null && filter.dueFrom() == null
                && filter.dueTo() == null) {
            throw AdminException.invalid("filter", "name at least one of appKey, topic, key, dueFrom, dueTo");
        }
    }

    @GetMapping("/jobs")
    public List<AdminJobs.View> jobs() {
        return jobs.list();
    }

    @GetMapping("/jobs/{id}")
    public AdminJobs.View job(@PathVariable String id) {
        return jobs.find(id).orElseThrow(() -> AdminException.notFound("Job", id));
    }

    private static MessageQuery query(Filter f) {
        MessageState state;
        try {
            state = MessageState.valueOf((f.state() == null ? "SCHEDULED" : f.state()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid("state", "one of SCHEDULED, FIRING, DELIVERED, CANCELLED, DEAD");
        }
        if (f.dueFrom() != null && f.dueTo() != null && f.dueTo() < f.dueFrom()) {
            throw AdminException.invalid("dueTo", "not before dueFrom");
        }
        return new MessageQuery(blank(f.appKey()), blank(f.topic()), blank(f.key()), state, f.dueFrom(), f.dueTo());
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
