package io.hourglass.exporter.http;

import io.hourglass.core.engine.DelayService;
import io.hourglass.core.error.AuthenticationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.client.api.RedriveRequest;
import io.hourglass.client.api.RescheduleRequest;
import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The owner's side of routing (cluster mode): another server of the cluster passes on a get, cancel or reschedule
 * of a message whose slot this server owns. The caller authenticated the app; this endpoint trusts the app key it
 * names only when the request carries the cluster's shared token ({@code delay.protocol.internal-token}). It runs
 * the request here, without routing it further ({@link DelayService#local()}), and answers the whole message, or a
 * problem+json exactly as the public API would.
 */
@RestController
@Hidden
@RequestMapping(path = InternalMessagesController.BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
public class InternalMessagesController {

    public static final String BASE_PATH = "/internal/v1/messages";
    public static final String TOKEN_HEADER = "X-Hourglass-Internal-Token";
    public static final String APP_KEY_HEADER = "X-Hourglass-App-Key";

    private final DelayService service;
    private final byte[] token;

    public InternalMessagesController(DelayService service, String token) {
        this.service = service.local();
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @GetMapping("/{id}")
    public DelayMessage get(@RequestHeader(name = TOKEN_HEADER, required = false) String token,
                            @RequestHeader(name = APP_KEY_HEADER, required = false) String appKey,
                            @PathVariable String id) {
        return service.get(caller(token, appKey), id);
    }

    @DeleteMapping("/{id}")
    public DelayMessage cancel(@RequestHeader(name = TOKEN_HEADER, required = false) String token,
                               @RequestHeader(name = APP_KEY_HEADER, required = false) String appKey,
                               @PathVariable String id) {
        return service.cancel(caller(token, appKey), id);
    }

    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public DelayMessage reschedule(@RequestHeader(name = TOKEN_HEADER, required = false) String token,
                                   @RequestHeader(name = APP_KEY_HEADER, required = false) String appKey,
                                   @PathVariable String id, @RequestBody RescheduleRequest body) {
        return service.reschedule(caller(token, appKey), id, Dtos.command(body));
    }

    @PostMapping(path = "/{id}/redrive", consumes = MediaType.APPLICATION_JSON_VALUE)
    public DelayMessage redrive(@RequestHeader(name = TOKEN_HEADER, required = false) String token,
                                @RequestHeader(name = APP_KEY_HEADER, required = false) String appKey,
                                @PathVariable String id, @RequestBody RedriveRequest body) {
        return service.redrive(caller(token, appKey), id, Dtos.command(body));
    }

    /** The app key a peer vouches for, once the peer proved it is one (constant-time comparison). */
    private String caller(String presented, String appKey) {
        if (presented == null || !MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new AuthenticationException("Internal call without a valid " + TOKEN_HEADER);
        }
        if (appKey == null || appKey.isBlank()) {
            throw new AuthenticationException("Internal call without " + APP_KEY_HEADER);
        }
        return appKey;
    }
}
