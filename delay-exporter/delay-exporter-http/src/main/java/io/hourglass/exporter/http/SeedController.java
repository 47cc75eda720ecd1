package io.hourglass.exporter.http;

import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.SubmitCommand;
import io.hourglass.core.error.MessageNotFoundException;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.App;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The two endpoints of the original delay-server, so that its clients can switch over unchanged:
 * {@code POST /delay/sendDelayMsg} and {@code POST /delay/cancelDelayMsg}, with a JSON body or form/query
 * parameters, answered in the {@link SeedEnvelope}. Errors use the same envelope with a non-zero
 * {@code errorCode} (see {@link ProblemHandler}).
 *
 * <p>Credentials as for the REST API ({@code X-App-Key}, {@code X-App-Secret}); when the {@code X-App-Key} header is
 * missing, the {@code appKey} query parameter names the app. Credentials are checked before the body is read
 * ({@link RequestGate}), so an {@code appKey} in the body no longer stands in for them; when present it must name
 * the authenticated app.
 */
@RestController
@RequestMapping(path = SeedController.BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "delay-server compatibility",
        description = "Endpoints of the original delay-server. Success: errorCode 000000; failure: the HTTP status"
                + " followed by 001 (400001 invalid input, 401001 credentials, 403001 topic, 404001 unknown message,"
                + " 409001 state, 413001 payload too large, 503001 unavailable or overloaded)")
public class SeedController {

    static final String BASE_PATH = "/delay";

    /** Core field name to the original API's. */
    private static final Map<String, String> ORIGINAL_FIELDS = Map.of(
            "payload", "message", "deliverAt", "execTime", "repeatIntervalMs", "repeatInterval");

    private static final String SEND_SUMMARY = "Schedule a message (original delay-server API; JSON body, form or query parameters)";
    private static final String CANCEL_SUMMARY = "Cancel a message (original delay-server API; JSON body, form or query parameters)";

    private final DelayService service;

    public SeedController(DelayService service) {
        this.service = service;
    }

    /** Whether a request path (with context path) is one of ours, whose errors use the envelope. */
    static boolean isSeedPath(String requestUri, String contextPath) {
        return requestUri != null && requestUri.startsWith(contextPath + BASE_PATH + "/");
    }

    /**
     * A send request of the original API.
     *
     * @param appKey         the app (used when the X-App-Key header is absent)
     * @param topic          target topic
     * @param message        the payload
     * @param execTime       due time, epoch ms
     * @param repeatInterval interval of a repeating message in ms; absent or 0 for a one-shot message
     */
    public record SendRequest(String appKey, String topic, String message, Long execTime, Long repeatInterval) {
    }

    /**
     * A cancel request of the original API.
     *
     * @param appKey    the app (used when the X-App-Key header is absent)
     * @param topic     topic of the message; when given, it must be the message's
     * @param messageId id returned by sendDelayMsg
     */
    public record CancelRequest(String appKey, String topic, String messageId) {
    }

    @PostMapping(path = "/sendDelayMsg", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = SEND_SUMMARY)
    @ApiResponse(responseCode = "200", description = "errorCode 000000, content.messageId",
            content = @Content(schema = @Schema(implementation = SeedEnvelope.class)))
    public CompletableFuture<SeedEnvelope> sendJson(
            @Parameter(hidden = true) App app,
            @Parameter(description = "App key; or the appKey query parameter")
            @RequestHeader(name = AppArgumentResolver.APP_KEY_HEADER, required = false) String appKeyHeader,
            @Parameter(description = "App secret (required)")
            @RequestHeader(name = AppArgumentResolver.APP_SECRET_HEADER, required = false) String secret,
            @RequestBody SendRequest body) {
        return send(app, body);
    }

    @PostMapping(path = "/sendDelayMsg")
    @Operation(summary = SEND_SUMMARY)
    @ApiResponse(responseCode = "200", description = "errorCode 000000, content.messageId",
            content = @Content(schema = @Schema(implementation = SeedEnvelope.class)))
    public CompletableFuture<SeedEnvelope> sendParams(
            @Parameter(hidden = true) App app,
            @RequestHeader(name = AppArgumentResolver.APP_KEY_HEADER, required = false) String appKeyHeader,
            @RequestHeader(name = AppArgumentResolver.APP_SECRET_HEADER, required = false) String secret,
            @RequestParam(required = false) String appKey,
            @RequestParam(required = false) String topic,
            @Parameter(description = "The payload") @RequestParam(required = false) String message,
            @Parameter(description = "Due time, epoch ms") @RequestParam(required = false) Long execTime,
            @Parameter(description = "Repeat interval in ms; 0 or absent for none")
            @RequestParam(required = false) Long repeatInterval) {
        return send(app, new SendRequest(appKey, topic, message, execTime, repeatInterval));
    }

    @PostMapping(path = "/cancelDelayMsg", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = CANCEL_SUMMARY)
    @ApiResponse(responseCode = "200", description = "errorCode 000000, content.messageId",
            content = @Content(schema = @Schema(implementation = SeedEnvelope.class)))
    public SeedEnvelope cancelJson(
            @Parameter(hidden = true) App app,
            @RequestHeader(name = AppArgumentResolver.APP_KEY_HEADER, required = false) String appKeyHeader,
            @RequestHeader(name = AppArgumentResolver.APP_SECRET_HEADER, required = false) String secret,
            @RequestBody CancelRequest body) {
        return cancel(app, body);
    }

    @PostMapping(path = "/cancelDelayMsg")
    @Operation(summary = CANCEL_SUMMARY)
    @ApiResponse(responseCode = "200", description = "errorCode 000000, content.messageId",
            content = @Content(schema = @Schema(implementation = SeedEnvelope.class)))
    public SeedEnvelope cancelParams(
            @Parameter(hidden = true) App app,
            @RequestHeader(name = AppArgumentResolver.APP_KEY_HEADER, required = false) String appKeyHeader,
            @RequestHeader(name = AppArgumentResolver.APP_SECRET_HEADER, required = false) String secret,
            @RequestParam(required = false) String appKey,
            @RequestParam(required = false) String topic,
            @RequestParam(required = false) String messageId) {
        return cancel(app, new CancelRequest(appKey, topic, messageId));
    }

    private CompletableFuture<SeedEnvelope> send(App authenticated, SendRequest r) {
        App app = matching(authenticated, r.appKey());
        if (r.execTime() == null) {
            throw new ValidationException("execTime", "is required (epoch ms)");
        }
        Long repeat = r.repeatInterval() == null || r.repeatInterval() == 0 ? null : r.repeatInterval();
        SubmitCommand command = new SubmitCommand(r.topic(), null, r.message(), null, null, r.execTime(), repeat);
        return service.submit(app.appKey(), command, null).handle((result, error) -> {
            if (error != null) {
                throw inOriginalTerms(error);
            }
            return SeedEnvelope.success(new SeedEnvelope.MessageIdContent(result.message().idString()));
        });
    }

    /** A validation error of the core, with the field names of the original API. */
    private static RuntimeException inOriginalTerms(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause.getClass() == ValidationException.class) {
            return new ValidationException(((ValidationException) cause).errors().stream()
                    .map(f -> new ValidationException.FieldError(ORIGINAL_FIELDS.getOrDefault(f.field(), f.field()), f.reason()))
                    .toList());
        }
        return cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }

    private SeedEnvelope cancel(App authenticated, CancelRequest r) {
        App app = matching(authenticated, r.appKey());
        if (r.messageId() == null || r.messageId().isBlank()) {
            throw new ValidationException("messageId", "is required");
        }
        if (r.topic() != null && !r.topic().isEmpty()
                && !service.get(app.appKey(), r.messageId()).topic().equals(r.topic())) {
            throw new MessageNotFoundException(r.messageId());
        }
        return SeedEnvelope.success(new SeedEnvelope.MessageIdContent(service.cancel(app.appKey(), r.messageId()).idString()));
    }

    /** The authenticated app, when the request's own {@code appKey} field (if any) names it too. */
    private static App matching(App app, String appKeyField) {
        if (appKeyField != null && !appKeyField.isEmpty() && !appKeyField.equals(app.appKey())) {
            throw new ValidationException("appKey", "does not match the app of the X-App-Key header");
        }
        return app;
    }
}
