package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.ProblemCode;
import io.hourglass.client.api.rpc.FieldError;
import io.hourglass.client.api.rpc.Problem;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that turns errors into RPC answers: a {@link DelayException} of the core becomes the problem of
 * its {@link DelayException#code() code} (type, title and HTTP status from {@link ProblemCode}, the same table the
 * REST API answers by) with the gRPC status code of that table; anything else is an {@code internal-error},
 * logged here, whose details stay in the server log.
 */
final class RpcProblems {

    private static final Logger log = LoggerFactory.getLogger(RpcProblems.class);

    private RpcProblems() {
    }

    /** The exception that answers a failed call of {@code method} (such as {@code SubmitMessage}). */
    static ProblemStatusException failure(Throwable thrown, String method) {
        Throwable ex = unwrap(thrown);
        if (ex instanceof ProblemStatusException p) {
            return p;
        }
        ProblemCode code = codeOf(ex);
        Problem problem = problem(code, ex).toBuilder().setInstance(MessageRpcService.path(method)).build();
        log(code, ex, method);
        return new ProblemStatusException(code, problem, code == ProblemCode.INTERNAL_ERROR ? ex : null);
    }

    /** The inline problem of a refused batch entry. */
    static Problem entryProblem(Throwable thrown) {
        Throwable ex = unwrap(thrown);
        ProblemCode code = codeOf(ex);
        log(code, ex, "BatchSubmitMessages");
        return problem(code, ex);
    }

    private static ProblemCode codeOf(Throwable ex) {
        return ex instanceof DelayException e ? ProblemCode.of(e.code()) : ProblemCode.INTERNAL_ERROR;
    }

    private static Problem problem(ProblemCode code, Throwable ex) {
        Problem.Builder b = Problem.newBuilder().setType(code.type()).setTitle(code.title())
                .setStatus(code.httpStatus());
        if (ex instanceof DelayException e && e.publicDetail() != null) {
            b.setDetail(e.publicDetail());
        } else {
            b.setDetail("Internal error; the server log has the details");
        }
        if (ex instanceof ValidationException v) {
            v.errors().forEach(f -> b.addErrors(FieldError.newBuilder().setField(f.field()).setReason(f.reason())));
        }
        return b.build();
    }

    private static void log(ProblemCode code, Throwable ex, String method) {
        switch (code) {
            case INTERNAL_ERROR -> log.error("[rpc={}] call failed", method, ex);
            case STORE_UNAVAILABLE -> log.warn("[rpc={}] store unavailable: {}", method, ex.getMessage());
            default -> {
                // client errors and load shedding are the client's news
            }
        }
    }

    private static Throwable unwrap(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
