package io.hourglass.exporter.http;

import io.hourglass.client.api.BatchItem;
import io.hourglass.client.api.BatchSubmitRequest;
import io.hourglass.client.api.BatchSubmitResponse;
import io.hourglass.client.api.CancelResponse;
import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.RedriveRequest;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.RescheduleResponse;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.SubmitCommand;
import io.hourglass.core.engine.SubmitResult;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.App;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The REST API of messages, {@code /api/v1/messages}. Every call is authenticated by {@code X-App-Key} and
 * {@code X-App-Secret}; errors are answered by {@link ProblemHandler}. Submits return futures completed after the
 * group commit, so no servlet thread waits for the store.
 */
@RestController
@RequestMapping(path = MessagesController.BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Messages", description = "Schedule delay messages, read them, cancel them and move their due time")
public class MessagesController {

    static final String BASE_PATH = "/api/v1/messages";
    static final int MAX_BATCH = 1000;
    static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private final DelayService service;
    private final ProblemHandler problems;

    public MessagesController(DelayService service, ProblemHandler problems) {
        this.service = service;
        this.problems = problems;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Schedule a message",
            description = "Stores the message durably and answers once it is committed. The message is emitted to its"
                    + " topic at deliverAt (or now + delayMs), never before. Exactly one of delayMs and deliverAt.")
    @ApiResponse(responseCode = "201", description = "Scheduled",
            headers = @Header(name = "Location", description = "/api/v1/messages/{id}", schema = @Schema(type = "string")),
            content = @Content(schema = @Schema(implementation = SubmitResponse.class)))
    @ApiResponse(responseCode = "200", description = "Repeat of an Idempotency-Key: the message of the first submit; nothing new was stored",
            headers = @Header(name = "Location", description = "/api/v1/messages/{id}", schema = @Schema(type = "string")),
            content = @Content(schema = @Schema(implementation = SubmitResponse.class)))
    @ApiResponse(responseCode = "400", description = "Invalid input (validation-failed, malformed-json); nothing was stored")
    @ApiResponse(responseCode = "403", description = "The topic is not registered for the app (topic-forbidden)")
    @ApiResponse(responseCode = "413", description = "The payload exceeds delay.core.max-payload-bytes (payload-too-large)")
    public CompletableFuture<ResponseEntity<SubmitResponse>> submit(
            @Parameter(hidden = true) App app,
            @Parameter(description = "Makes the submit safe to retry: a repeat by the same app returns the first message (200)")
            @RequestHeader(name = IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody SubmitRequest body,
            HttpServletRequest request) {
        String location = request.getContextPath() + BASE_PATH + "/";
        return service.submit(app.appKey(), Dtos.command(body), idempotencyKey).thenApply(result ->
                ResponseEntity.status(result.created() ? HttpStatus.CREATED : HttpStatus.OK)
                        .location(URI.create(location + result.message().idString()))
                        .body(Dtos.submitted(result.message())));
    }

    @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Schedule up to 1000 messages",
            description = "Each entry is validated and stored on its own merit: the results hold, in input order, the"
                    + " scheduled message or the problem of a refused entry. With an Idempotency-Key, entry i is stored under a key of its own derived from it.")
    @ApiResponse(responseCode = "200", description = "One result per entry, in order",
            content = @Content(schema = @Schema(implementation = BatchSubmitResponse.class)))
    @ApiResponse(responseCode = "400", description = "No entries, more than 1000, or a body that is not a batch")
    public CompletableFuture<BatchSubmitResponse> submitBatch(
            @Parameter(hidden = true) App app,
            @Parameter(description = "Makes the batch safe to retry; entry i gets a key of its own derived from it")
            @RequestHeader(name = IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody BatchSubmitRequest body) {
        List<SubmitRequest> entries = body.messages();
        if (entries == null || entries.isEmpty() || entries.size() > MAX_BATCH) {
            throw new ValidationException("messages", "must hold 1 to " + MAX_BATCH + " entries, had "
                    + (entries == null ? 0 : entries.size()));
        }
        List<SubmitCommand> commands = entries.stream().map(Dtos::command).toList();
        List<CompletableFuture<BatchItem>> items = service.submitAll(app.appKey(), commands, idempotencyKey).stream()
                .map(f -> f.handle(this::item))
                .toList();
        return CompletableFuture.allOf(items.toArray(CompletableFuture[]::new))
                .thenApply(done -> new BatchSubmitResponse(items.stream().map(CompletableFuture::join).toList()));
    }

    private BatchItem item(SubmitResult result, Throwable error) {
        if (error != null) {
            return BatchItem.failed(problems.problemOf(error));
        }
        SubmitResponse stored = Dtos.submitted(result.message());
        return BatchItem.created(stored.id(), stored.deliverAt(), stored.state());
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a message")
    @ApiResponse(responseCode = "200", description = "The message",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    @ApiResponse(responseCode = "404", description = "No message with this id belongs to the app (message-not-found)")
    public MessageView get(@Parameter(hidden = true) App app, @PathVariable String id) {
        return Dtos.view(service.get(app.appKey(), id));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Cancel a message",
            description = "Once this answers 200 the message is never emitted. Cancelling a cancelled message answers 200 again.")
    @ApiResponse(responseCode = "200", description = "Cancelled",
            content = @Content(schema = @Schema(implementation = CancelResponse.class)))
    @ApiResponse(responseCode = "404", description = "No message with this id belongs to the app (message-not-found)")
    @ApiResponse(responseCode = "409", description = "Already FIRING, DELIVERED or DEAD (invalid-state)")
    public CancelResponse cancel(@Parameter(hidden = true) App app, @PathVariable String id) {
        return Dtos.cancelled(service.cancel(app.appKey(), id));
    }

    @PatchMapping(path = "/{id}", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/merge-patch+json"})
    @Operation(summary = "Move the due time of a scheduled message",
            description = "Exactly one of deliverAt (absolute), delayMs (from now) or extendMs (added to the current due"
                    + " time). Once this answers 200 the message fires at the new time, not the old one.")
    @ApiResponse(responseCode = "200", description = "Rescheduled",
            content = @Content(schema = @Schema(implementation = RescheduleResponse.class)))
    @ApiResponse(responseCode = "400", description = "None or several of the fields, or a time out of range (validation-failed)")
    @ApiResponse(responseCode = "404", description = "No message with this id belongs to the app (message-not-found)")
    @ApiResponse(responseCode = "409", description = "The message is no longer SCHEDULED (invalid-state)")
    public RescheduleResponse reschedule(@Parameter(hidden = true) App app, @PathVariable String id,
                                         @RequestBody RescheduleRequest body) {
        return Dtos.rescheduled(service.reschedule(app.appKey(), id, Dtos.command(body)));
    }

    @PostMapping(path = "/{id}/redrive")
    @Operation(summary = "Redrive a dead message",
            description = "Schedules a DEAD message again, its attempts back to 0: due now, or at deliverAt (absolute)"
                    + " or delayMs (from now) when the optional body names one. It then fires like any message.")
    @ApiResponse(responseCode = "200", description = "Scheduled again",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    @ApiResponse(responseCode = "400", description = "Both fields, or a time out of range (validation-failed)")
    @ApiResponse(responseCode = "404", description = "No message with this id belongs to the app (message-not-found)")
    @ApiResponse(responseCode = "409", description = "The message is not DEAD (invalid-state)")
    public MessageView redrive(@Parameter(hidden = true) App app, @PathVariable String id,
                               @RequestBody(required = false) RedriveRequest body) {
        return Dtos.view(service.redrive(app.appKey(), id, Dtos.command(body)));
    }

    @PostMapping(path = "/{id}/replay")
    @Operation(summary = "Replay a delivered message",
            description = "Emits a DELIVERED message again to its topic, with the same id and the header"
                    + " x-delay-replay: true, and answers once the target acknowledged it. The message stays DELIVERED"
                    + " (each call emits it once more); only messages within the store's retention can be replayed.")
    @ApiResponse(responseCode = "200", description = "Emitted again and acknowledged",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    @ApiResponse(responseCode = "404", description = "No message with this id belongs to the app (message-not-found)")
    @ApiResponse(responseCode = "409", description = "The message is not DELIVERED (invalid-state)")
    @ApiResponse(responseCode = "502", description = "The target refused the record for good (emit-refused)")
    @ApiResponse(responseCode = "503", description = "The target did not acknowledge it (target-unavailable); retry")
    public MessageView replay(@Parameter(hidden = true) App app, @PathVariable String id) {
        return Dtos.view(service.replay(app.appKey(), id));
    }
}
