package io.hourglass.admin.web;

import io.hourglass.admin.CallbackAdminService;
import io.hourglass.message.http.StoredCallbackSettings.StoredTarget;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/api/v1/apps/{appKey}/callbacks}: an app's allowed callback hosts and signing secret, and
 * {@code /admin/api/v1/apps/{appKey}/topics/{topic}/callback}: the callback target of one of its topics
 * (docs/callbacks.md).
 */
@RestController
@RequestMapping("/admin/api/v1/apps/{appKey}")
public class CallbacksController {

    /** The allowed host patterns: exact hosts or IP literals, or {@code *.domain}. */
    public record Hosts(List<String> hosts) {
    }

    /** A callback target; {@code method} POST (default) or PUT, {@code timeoutMs} the ttr (default 10 s). */
    public record Target(String url, String method, Map<String, String> headers, Long timeoutMs,
                         Boolean allowPrivateNetwork) {
    }

    private final CallbackAdminService callbacks;

    public CallbacksController(CallbackAdminService callbacks) {
        this.callbacks = callbacks;
    }

    @GetMapping("/callbacks")
    public CallbackAdminService.View get(@PathVariable String appKey) {
        return callbacks.get(appKey);
    }

    @PutMapping("/callbacks/allowed-hosts")
    public CallbackAdminService.View allowedHosts(@PathVariable String appKey, @RequestBody Hosts body,
                                                  Principal who) {
        return callbacks.setAllowedHosts(who.getName(), appKey, body == null ? null : body.hosts());
    }

    /** A new signing secret (ADMIN): answered this once, never shown again. */
    @PostMapping("/callbacks/signing-secret")
    public CallbackAdminService.NewSecret signingSecret(@PathVariable String appKey, Principal who) {
        return callbacks.newSigningSecret(who.getName(), appKey);
    }

    @PutMapping("/topics/{topic}/callback")
    public CallbackAdminService.View setTarget(@PathVariable String appKey, @PathVariable String topic,
                                               @RequestBody Target body, Principal who) {
        StoredTarget target = body == null ? null : new StoredTarget(appKey, body.url(), body.method(), body.headers(),
                body.timeoutMs() == null ? 0 : body.timeoutMs(), Boolean.TRUE.equals(body.allowPrivateNetwork()));
        return callbacks.setTarget(who.getName(), appKey, topic, target);
    }

    @DeleteMapping("/topics/{topic}/callback")
    public CallbackAdminService.View removeTarget(@PathVariable String appKey, @PathVariable String topic,
                                                  Principal who) {
        return callbacks.removeTarget(who.getName(), appKey, topic);
    }
}
