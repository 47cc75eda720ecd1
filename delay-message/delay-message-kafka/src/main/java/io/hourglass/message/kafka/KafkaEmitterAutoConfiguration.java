package io.hourglass.message.kafka;

import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.spi.TopicProvisioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.util.ClassUtils;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka {@link MessageEmitter}: selected by {@code delay.message.type=kafka} (the default), backs off when the
 * application declares its own {@link MessageEmitter} bean.
 *
 * <p>The producer is built from Boot's {@code spring.kafka.*} ({@link KafkaProperties}: bootstrap servers, security,
 * client id, {@code spring.kafka.producer.properties.*}) plus {@code delay.message.kafka.*}, which wins. It is the
 * emitter's own producer, not a bean, so Boot's {@code KafkaTemplate} (if the application uses one) keeps its own
 * settings. {@link DefaultKafkaProducerFactoryCustomizer} beans (Boot uses one to bind the producer's metrics to
 * Micrometer) are applied to it too.
 *
 * <p>The embedded broker of standalone mode is not started here but earlier, by
 * {@link io.hourglass.message.kafka.embedded.EmbeddedKafkaInitializer}, so that it is up before any bean.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass({KafkaTemplate.class, MessageEmitter.class})
@ConditionalOnProperty(name = "delay.message.type", havingValue = "kafka", matchIfMissing = true)
@EnableConfigurationProperties({KafkaMessageProperties.class, KafkaProperties.class})
public class KafkaEmitterAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KafkaEmitterAutoConfiguration.class);

    static final String DEFAULT_CLIENT_ID = "hourglass-emitter";

    /**
     * Creates the topics operators allow in the admin API, through Boot's {@code spring.kafka.*} admin settings
     * (bootstrap servers, security).
     */
    @Bean
    @ConditionalOnMissingBean(TopicProvisioner.class)
    public KafkaTopicProvisioner kafkaTopicProvisioner(KafkaProperties kafkaProperties,
                                                       ObjectProvider<SslBundles> sslBundles) {
        return new KafkaTopicProvisioner(() -> kafkaProperties.buildAdminProperties(sslBundles.getIfAvailable()),
                java.time.Duration.ofSeconds(10));
    }

    @Bean
    @ConditionalOnMissingBean(MessageEmitter.class)
    public KafkaMessageEmitter kafkaMessageEmitter(KafkaProperties kafkaProperties, KafkaMessageProperties properties,
                                                   ObjectProvider<SslBundles> sslBundles,
                                                   ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        Map<String, Object> config = producerConfig(kafkaProperties.buildProducerProperties(sslBundles.getIfAvailable()),
                properties);
        DefaultKafkaProducerFactory<byte[], byte[]> factory =
                new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        // whole seconds, rounded up: 500ms must not become "don't wait for the records in flight"
        factory.setPhysicalCloseTimeout(asInt((properties.closeTimeout().toMillis() + 999) / 1000));
        customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
        log.debug("Kafka emitter producer config: {}", config);
        return new KafkaMessageEmitter(factory);
    }

    /** Boot's producer properties with ours on top: the settings the delivery guarantees depend on always win. */
    static Map<String, Object> producerConfig(Map<String, Object> boot, KafkaMessageProperties properties) {
        Map<String, Object> config = new HashMap<>(boot);
        // a transactional producer would refuse sends outside a transaction; idempotence is what we need
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, DEFAULT_CLIENT_ID);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, properties.maxBlock().toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, asInt(properties.deliveryTimeout().toMillis()));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, asInt(properties.requestTimeout().toMillis()));
        config.put(ProducerConfig.LINGER_MS_CONFIG, asInt(properties.linger().toMillis()));
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, asInt(properties.batchSize().toBytes()));
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression(properties.compression()));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    private static String compression(String wanted) {
        if ("lz4".equals(wanted) && !ClassUtils.isPresent("net.jpountz.lz4.LZ4Factory",
                KafkaEmitterAutoConfiguration.class.getClassLoader())) {
            log.warn("{}.compression=lz4 but lz4-java is not on the classpath; sending uncompressed",
                    KafkaMessageProperties.PREFIX);
            return "none";
        }
        return wanted;
    }

    private static int asInt(long value) {
        return (int) Math.min(Integer.MAX_VALUE, value);
    }
}
