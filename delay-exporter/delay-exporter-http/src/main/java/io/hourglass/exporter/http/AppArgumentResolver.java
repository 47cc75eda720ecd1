package io.hourglass.exporter.http;

import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.model.App;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Supplies an {@link App} parameter of a handler method: the app authenticated by the {@code X-App-Key} and
 * {@code X-App-Secret} headers, or an {@code AuthenticationException} (401). {@link RequestGate} authenticates every
 * request of the app API before its body is read and leaves the app in a request attribute, taken from there.
 */
final class AppArgumentResolver implements HandlerMethodArgumentResolver {

    static final String APP_KEY_HEADER = "X-App-Key";
    static final String APP_SECRET_HEADER = "X-App-Secret";

    private final AppDirectory apps;

    AppArgumentResolver(AppDirectory apps) {
        this.apps = apps;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == App.class;
    }

    @Override
    public App resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
                               WebDataBinderFactory binderFactory) {
        Object gated = request.getAttribute(RequestGate.APP_ATTRIBUTE, NativeWebRequest.SCOPE_REQUEST);
        if (gated instanceof App app) {
            return app; // authenticated by the RequestGate before the body was read
        }
        return apps.authenticate(request.getHeader(APP_KEY_HEADER), request.getHeader(APP_SECRET_HEADER));
    }
}
