package io.hourglass.client.dubbo;

import com.google.protobuf.InvalidProtocolBufferException;
import io.hourglass.client.api.rpc.Problem;
import io.hourglass.client.api.rpc.RpcConventions;
import org.apache.dubbo.rpc.AppResponse;
import org.apache.dubbo.rpc.AsyncRpcResult;
import org.apache.dubbo.rpc.Filter;
import org.apache.dubbo.rpc.Invocation;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.Result;
import org.apache.dubbo.rpc.RpcException;

/**
 * Consumer filter of {@link DubboDelayClient}'s reference (named {@value #NAME}, never activated for other
 * references): when a call failed and its trailers hold the {@code hourglass-problem-bin} problem, it replaces the
 * answer's exception with a {@link ProblemAnswer} that carries the problem to the caller.
 *
 * <p>Dubbo keeps the trailers as attachments of the answer, but a failed answer reaches the caller as a bare status
 * exception, and Dubbo's own filters may turn it into an exceptional completion before a filter listener sees the
 * attachments. So this filter, the innermost of the chain (named filters come last), swaps the exception on the
 * answer future itself, before any other filter's callback runs.
 */
public final class ProblemTrailerFilter implements Filter {

    /** The name of this filter in {@code META-INF/dubbo/org.apache.dubbo.rpc.Filter}. */
    public static final String NAME = "hourglass-problem";

    @Override
    public Result invoke(Invoker<?> invoker, Invocation invocation) throws RpcException {
        Result result = invoker.invoke(invocation);
        if (result instanceof AsyncRpcResult async) {
            async.setResponseFuture(async.getResponseFuture().thenApply(ProblemTrailerFilter::withProblem));
        }
        return result;
    }

    private static AppResponse withProblem(AppResponse answer) {
        if (answer.hasException() && answer.getObjectAttachment(RpcConventions.PROBLEM_ATTACHMENT) instanceof byte[] raw) {
            try {
                answer.setException(new ProblemAnswer(Problem.parseFrom(raw), answer.getException()));
            } catch (InvalidProtocolBufferException e) {
                // not our trailer: keep Dubbo's exception, the client falls back on the status code
            }
        }
        return answer;
    }

    /** A failed call answered with Hourglass problem details. */
    static final class ProblemAnswer extends RpcException {

        private static final long serialVersionUID = 1L;

        private final transient Problem problem;

        ProblemAnswer(Problem problem, Throwable status) {
            super(BIZ_EXCEPTION, problem.getDetail(), status);
            this.problem = problem;
        }

        Problem problem() {
            return problem;
        }
    }
}
