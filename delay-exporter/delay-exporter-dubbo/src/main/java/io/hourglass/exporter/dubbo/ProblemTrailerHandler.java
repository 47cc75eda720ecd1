package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.ProblemCode;
import io.hourglass.client.api.rpc.RpcConventions;
import org.apache.dubbo.common.extension.Activate;
import org.apache.dubbo.common.logger.Level;
import org.apache.dubbo.remoting.http12.ExceptionHandler;
import org.apache.dubbo.remoting.http12.HttpHeaders;
import org.apache.dubbo.rpc.model.MethodDescriptor;
import org.apache.dubbo.remoting.http12.RequestMetadata;

import java.util.Base64;

/**
 * Writes the trailers of a call that failed with a {@link ProblemStatusException}: {@code grpc-status} (the code),
 * {@code grpc-message} (the detail, percent-encoded as the gRPC spec asks and no more: {@link GrpcMessage}) and
 * {@code hourglass-problem-bin} (the serialized {@link io.hourglass.client.api.rpc.Problem}, base64 as gRPC binary
 * metadata is). A Dubbo extension (see {@code META-INF/dubbo/org.apache.dubbo.remoting.http12.ExceptionHandler}),
 * active for every Triple server of the JVM; it only handles our own exception type, so other Dubbo services are
 * unaffected.
 */
@Activate
public final class ProblemTrailerHandler implements ExceptionHandler<ProblemStatusException, Object> {

    @Override
    public Level resolveLogLevel(ProblemStatusException e) {
        // logged once by RpcProblems where it is a fault; Dubbo need not log problem answers again
        return e.code() == ProblemCode.INTERNAL_ERROR ? Level.ERROR : Level.DEBUG;
    }

    @Override
    public boolean resolveGrpcStatus(ProblemStatusException e, HttpHeaders headers, RequestMetadata metadata,
                                     MethodDescriptor descriptor) {
        headers.set("grpc-status", String.valueOf(e.code().grpcCode()));
        headers.set("grpc-message", GrpcMessage.encode(e.problem().getDetail()));
        headers.set(RpcConventions.PROBLEM_TRAILER, Base64.getEncoder().encodeToString(e.problem().toByteArray()));
        return true;
    }
}
