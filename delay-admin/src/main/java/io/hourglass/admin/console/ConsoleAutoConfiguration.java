package io.hourglass.admin.console;

import io.hourglass.admin.AdminProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Import;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The operator console: static pages under {@code /admin/} that use the admin API only (docs/admin.md). Served only
 * while the admin side is on ({@code delay.admin.enabled}); the files live in {@code classpath:/hourglass/console/}
 * rather than Boot's {@code /static}, so that turning the admin off leaves nothing of it reachable.
 *
 * <p>Assets are answered with {@code Cache-Control: no-cache}: a browser revalidates them (Last-Modified) and so never
 * runs the pages of an older server against a newer API after an upgrade.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = AdminProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
@Import(ConsoleController.class)
public class ConsoleAutoConfiguration implements WebMvcConfigurer {

    static final String LOCATION = "classpath:/hourglass/console/";

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/admin/assets/**")
                .addResourceLocations(LOCATION + "assets/")
                .setCacheControl(CacheControl.noCache());
    }
}
