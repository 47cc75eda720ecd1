package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.rpc.MessageService;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayService;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The RPC exporter: {@code hourglass.delay.v1.MessageService} over Dubbo 3 Triple, callable by Dubbo consumers
 * ({@code delay-client-dubbo}) and by any gRPC client.
 *
 * <p>On when Dubbo is on the class path and the application has a {@link DelayService} and an {@link AppDirectory},
 * unless {@code delay.exporter.dubbo.enabled=false}. A {@link MessageService} bean of the application replaces the
 * implementation (it is still served here); the server itself is {@link DubboServer}.
 */
@AutoConfiguration
@ConditionalOnClass(DubboBootstrap.class)
@ConditionalOnProperty(prefix = DubboExporterProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean({DelayService.class, AppDirectory.class})
@EnableConfigurationProperties(DubboExporterProperties.class)
public class DubboExporterAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(MessageService.class)
    MessageService hourglassMessageRpcService(DelayService service, AppDirectory apps) {
        return new MessageRpcService(service, apps);
    }

    @Bean
    DubboServer hourglassDubboServer(DubboExporterProperties properties, MessageService service) {
        return new DubboServer(properties, service);
    }
}
