package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.ProblemCode;
import io.hourglass.client.api.rpc.Problem;
import org.apache.dubbo.rpc.StatusRpcException;
import org.apache.dubbo.rpc.TriRpcStatus;

/**
 * A failed call in RPC terms: the gRPC status (code and description) and the problem details of the REST API,
 * which {@link ProblemTrailerHandler} writes to the trailer {@code hourglass-problem-bin}. A {@link StatusRpcException},
 * so that even without that handler the caller gets the right status code.
 */
final class ProblemStatusException extends StatusRpcException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final transient ProblemCode code;

    ProblemStatusException(ProblemCode code, Problem problem, Throwable cause) {
        super(TriRpcStatus.fromCode(code.grpcCode()).withDescription(problem.getDetail()).withCause(cause));
        this.code = code;
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }

    ProblemCode code() {
        return code;
    }

    /** The stack trace is the cause's, if any: a problem answer is not a server fault. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
