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
 * {@code X-App-Secret} headers, or an {@code AuthenticationException} (401). Declared first in a handler's
 * parameters, it runs before the body is read, so a caller without credentials learns nothing else.
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
        return apps.authenticate(request.getHeader(APP_KEY_HEADER), request.getHeader(APP_SECRET_HEADER));
    }
}
