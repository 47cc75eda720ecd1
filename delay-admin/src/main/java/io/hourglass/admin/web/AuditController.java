package io.hourglass.admin.web;

import io.hourglass.admin.AdminException;
import io.hourglass.admin.AuditLog;
import io.hourglass.core.model.AuditEntry;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** {@code /admin/api/v1/audit}: who changed what, when; newest first, paged by {@code before}. */
@RestController
public class AuditController {

    /** A page; {@code next} is the {@code before} of the next (older) page, null on the last one. */
    public record Page(List<AuditEntry> items, String next) {
    }

    private final AuditLog audit;

    public AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/admin/api/v1/audit")
    public Page read(@RequestParam(required = false) Long before, @RequestParam(required = false) String target,
                     @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 500) {
            throw AdminException.invalid("limit", "between 1 and 500");
        }
        List<AuditEntry> items = audit.read(before == null ? Long.MAX_VALUE : before, target, limit + 1);
        boolean more = items.size() > limit;
        List<AuditEntry> page = more ? items.subList(0, limit) : items;
        return new Page(page, more ? Long.toString(page.get(page.size() - 1).id()) : null);
    }
}
