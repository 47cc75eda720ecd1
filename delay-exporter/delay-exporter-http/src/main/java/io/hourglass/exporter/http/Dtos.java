package io.hourglass.exporter.http;

import io.hourglass.client.api.CancelResponse;
import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.RedriveRequest;
import io.hourglass.client.api.RescheduleRequest;
import io.hourglass.client.api.RescheduleResponse;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;
import io.hourglass.core.engine.RedriveCommand;
import io.hourglass.core.engine.RescheduleCommand;
import io.hourglass.core.engine.SubmitCommand;
import io.hourglass.core.model.DelayMessage;

/** Conversions between the public DTOs and the core's commands and messages. */
final class Dtos {

    private Dtos() {
    }

    static SubmitCommand command(SubmitRequest r) {
        if (r == null) {
            // a JSON null entry in a batch: let the core name what is missing
            return new SubmitCommand(null, null, null, null, null, null, null);
        }
        return new SubmitCommand(r.topic(), r.key(), r.payload(), r.headers(), r.delayMs(), r.deliverAt(),
                r.repeatIntervalMs(), r.ttlMs(), r.expiresAt());
    }

    static RescheduleCommand command(RescheduleRequest r) {
        return new RescheduleCommand(r.deliverAt(), r.delayMs(), r.extendMs());
    }

    static RedriveCommand command(RedriveRequest r) {
        return r == null ? RedriveCommand.NOW : new RedriveCommand(r.deliverAt(), r.delayMs());
    }

    static SubmitResponse submitted(DelayMessage m) {
        return new SubmitResponse(m.idString(), m.deliverAt(), m.state().name());
    }

    static MessageView view(DelayMessage m) {
        return new MessageView(m.idString(), m.topic(), m.key(), m.payload(), m.headers(), m.deliverAt(),
                m.state().name(), m.attempts(), m.repeatIntervalMs(), m.createdAt(), m.updatedAt(),
                m.expiresAt() == 0 ? null : m.expiresAt());
    }

    static CancelResponse cancelled(DelayMessage m) {
        return new CancelResponse(m.idString(), m.state().name());
    }

    static RescheduleResponse rescheduled(DelayMessage m) {
        return new RescheduleResponse(m.idString(), m.deliverAt(), m.state().name());
    }
}
