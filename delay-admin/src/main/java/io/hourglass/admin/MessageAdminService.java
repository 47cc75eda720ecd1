package io.hourglass.admin;

import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.RedriveCommand;
import io.hourglass.core.engine.RescheduleCommand;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.InvalidStateException;
import io.hourglass.core.error.MessageNotFoundException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.MessageStore.MessagePage;
import io.hourglass.core.spi.MessageStore.MessageQuery;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The operators' view of messages: search (one page at a time, never everything), detail, and the actions cancel,
 * re-time and deliver now, each through the {@link DelayService} so that they keep the guarantees of the app API
 * (cancel wins, reschedule wins, routing to the slot's owner), plus bulk cancel by filter as a job; redrive, replay
 * and purge of finished messages, one or by filter.
 */
public final class MessageAdminService {

    static final int MAX_PAGE = 1000;
    private static final int BULK_PAGE = 500;

    /** A page of search results and where the next one starts (null: this was the last). */
    public record Page(List<MessageView> items, String next) {
    }

    private final MessageStore store;
    private final DelayService service;
    private final AuditLog audit;
    private final AdminJobs jobs;

    public MessageAdminService(MessageStore store, DelayService service, AuditLog audit, AdminJobs jobs) {
        this.store = store;
        this.service = service;
        this.audit = audit;
        this.jobs = jobs;
    }

    public Page search(MessageQuery query, String cursor, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw AdminException.invalid("limit", "between 1 and " + MAX_PAGE);
        }
        MessagePage page;
        try {
            page = store.search(query, cursor == null || cursor.isBlank() ? null : cursor, limit);
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid("cursor", "not a cursor of this search");
        }
        return new Page(page.messages().stream().map(m -> MessageView.of(m, false)).toList(), page.nextCursor());
    }

    public MessageView get(String id) {
        return MessageView.of(find(id), true);
    }

    public MessageView cancel(String actor, String id) {
        DelayMessage m = find(id);
        DelayMessage after = service.cancel(m.appKey(), id);
        audit.record(actor, "message.cancel", id, summary(m), summary(after));
        return MessageView.of(after, true);
    }

    public MessageView retime(String actor, String id, long deliverAt) {
        DelayMessage m = find(id);
        DelayMessage after = service.reschedule(m.appKey(), id, new RescheduleCommand(deliverAt, null, null));
        audit.record(actor, "message.retime", id, summary(m), summary(after));
        return MessageView.of(after, true);
    }

    public MessageView deliverNow(String actor, String id) {
        DelayMessage m = find(id);
        DelayMessage after = service.reschedule(m.appKey(), id, new RescheduleCommand(null, 0L, null));
        audit.record(actor, "message.deliver-now", id, summary(m), summary(after));
        return MessageView.of(after, true);
    }

    /** Redrive: a DEAD message scheduled again now, its attempts back to 0 (the app API's redrive). */
    public MessageView redrive(String actor, String id) {
        DelayMessage m = find(id);
        DelayMessage after = service.redrive(m.appKey(), id, RedriveCommand.NOW);
        audit.record(actor, "message.redrive", id, summary(m), summary(after));
        return MessageView.of(after, true);
    }

    /**
     * Purge: a DEAD message deleted for good, with its idempotency key (free again). Unknown: 404; not DEAD, or no
     * longer DEAD when the store deletes it (a redrive won): 409.
     *
     * <p>Unlike redrive, this does not go through the {@link DelayService} to the slot's owner: a DEAD message is in no
     * server's wheel (only SCHEDULED ones are), so no owner has anything to forget, and the store's delete is
     * conditional on DEAD, so it cannot remove a message that a redrive on the owner just scheduled again. Any server
     * may purge on its own.
     */
    public void purge(String actor, String id) {
        DelayMessage m = find(id);
        purgeDead(m);
        audit.record(actor, "message.purge", id, summary(m), null);
    }

    /**
     * Purges every DEAD message that matches, in a background job (see {@link #purge}: no routing). A message that is
     * no longer DEAD (redriven meanwhile) is counted as failed and left alone.
     */
    public AdminJobs.Job bulkPurge(String actor, MessageQuery filter) {
        return bulk("bulk-purge", MessageState.DEAD, actor, filter, this::purgeDead);
    }

    /**
     * Deletes {@code m} if it is still DEAD, else says why not: {@link InvalidStateException} (409), or
     * {@link MessageNotFoundException} (404) when it went meanwhile (purged by someone else).
     */
    private void purgeDead(DelayMessage m) {
        if (m.state() == MessageState.DEAD && store.purgeDead(m.id())) {
            return;
        }
        String id = MessageIds.format(m.id());
        Optional<DelayMessage> now = m.state() == MessageState.DEAD ? store.get(m.id()) : Optional.of(m);
        throw now.<DelayException>map(n -> new InvalidStateException(id, n.state(), "purged (only DEAD messages are)"))
                .orElseGet(() -> new MessageNotFoundException(id));
    }

    /**
     * Replay: a DELIVERED message emitted again to its topic with {@code x-delay-replay: true} (the app API's replay);
     * answered once the target acknowledged it. The message is not changed.
     */
    public MessageView replay(String actor, String id) {
        DelayMessage m = find(id);
        DelayMessage same = service.replay(m.appKey(), id);
        audit.record(actor, "message.replay", id, summary(m), null);
        return MessageView.of(same, true);
    }

    /**
     * Cancels every SCHEDULED message that matches, in a background job. A message that starts firing meanwhile is
     * counted as failed (it could not be cancelled), never emitted after a cancel that succeeded.
     */
    public AdminJobs.Job bulkCancel(String actor, MessageQuery filter) {
        return bulk("bulk-cancel", MessageState.SCHEDULED, actor, filter,
                m -> service.cancel(m.appKey(), MessageIds.format(m.id())));
    }

    /**
     * Redrives every DEAD message that matches, in a background job: each is scheduled again now with its attempts
     * back to 0. A message that is no longer DEAD (redriven meanwhile) is counted as failed and left alone.
     */
    public AdminJobs.Job bulkRedrive(String actor, MessageQuery filter) {
        return bulk("bulk-redrive", MessageState.DEAD, actor, filter,
                m -> service.redrive(m.appKey(), MessageIds.format(m.id()), RedriveCommand.NOW));
    }

    /**
     * Replays every DELIVERED message that matches (an app, a topic, a due range), in a background job: a page at a
     * time is emitted at once and its acknowledgements awaited. A message the target did not acknowledge, or that
     * cannot be replayed (its app disabled meanwhile), is counted as failed; a job can be started again, and then
     * emits every message once more.
     */
    public AdminJobs.Job bulkReplay(String actor, MessageQuery filter) {
        return bulkPages("bulk-replay", MessageState.DELIVERED, actor, filter, (page, job) -> {
            List<CompletableFuture<Void>> acks = service.replay(page);
            for (int i = 0; i < acks.size(); i++) {
                try {
                    DelayService.awaitReplay(acks.get(i), MessageIds.format(page.get(i).id()));
                    job.done(1);
                } catch (DelayException e) {
                    job.failed(1);
                }
            }
        });
    }

    /** One action on every message of {@code state} that matches, page by page, as an audited background job. */
    private AdminJobs.Job bulk(String kind, MessageState state, String actor, MessageQuery filter,
                               Consumer<DelayMessage> action) {
        return bulkPages(kind, state, actor, filter, (page, job) -> {
            for (DelayMessage m : page) {
                try {
                    action.accept(m);
                    job.done(1);
                } catch (DelayException e) {
                    job.failed(1); // its state changed meanwhile (InvalidStateException), or the store failed
                }
            }
        });
    }

    /** One action on every page of messages of {@code state} that match, as an audited background job. */
    private AdminJobs.Job bulkPages(String kind, MessageState state, String actor, MessageQuery filter,
                                    BiConsumer<List<DelayMessage>, AdminJobs.Job> action) {
        if (filter.state() != state) {
            throw AdminException.invalid("state", kind.replace('-', ' ') + " acts on " + state + " messages");
        }
        audit.record(actor, "message." + kind, filter.appKey() == null ? "*" : filter.appKey(), null, filter);
        return jobs.submit(kind, actor, filter, job -> {
            String cursor = null;
            do {
                MessagePage page = store.search(filter, cursor, BULK_PAGE);
                job.matched(page.messages().size());
                action.accept(page.messages(), job);
                cursor = page.nextCursor();
            } while (cursor != null && !Thread.currentThread().isInterrupted());
        });
    }

    private DelayMessage find(String id) {
        long parsed = MessageIds.parse(id);
        if (parsed < 0) {
            throw AdminException.notFound("Message", id);
        }
        return store.get(parsed).orElseThrow(() -> AdminException.notFound("Message", id));
    }

    private static java.util.Map<String, Object> summary(DelayMessage m) {
        return java.util.Map.of("appKey", m.appKey(), "topic", m.topic(), "state", m.state().name(),
                "deliverAt", m.deliverAt(), "version", m.version());
    }
}
