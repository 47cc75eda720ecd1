package io.hourglass.store.mysql;

import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.ExecutorType;
import org.apache.ibatis.session.SqlSessionFactory;
import org.mybatis.spring.SqlSessionTemplate;
import org.mybatis.spring.boot.autoconfigure.MybatisAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

/**
 * The MyBatis store ({@code delay.store.type=mysql}, the default): {@link MessageStore}, {@link AppStore} and
 * {@link AdminStore} on the application's {@code spring.datasource} (MySQL 8, MariaDB 10.11, or H2 in MODE=MySQL), with
 * the schema applied by Boot's Flyway from {@code classpath:db/migration}.
 *
 * <p>Nothing is asked of the application: the mappers are registered here on Boot's {@link SqlSessionFactory}
 * (no {@code @MapperScan}, so the application's own {@code @Mapper} scanning is left as it is), and the stores use
 * their own SIMPLE-executor {@link SqlSessionTemplate} and transaction manager on the same DataSource, so that neither
 * {@code mybatis.executor-type} nor a second transaction manager in the application changes how they behave. Each
 * bean backs off when the application declares its own.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
        MybatisAutoConfiguration.class})
@ConditionalOnClass({SqlSessionFactory.class, SqlSessionTemplate.class, JdbcTransactionManager.class})
@ConditionalOnProperty(name = "delay.store.type", havingValue = "mysql", matchIfMissing = true)
@EnableConfigurationProperties(MysqlStoreProperties.class)
public class MysqlStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(MessageStore.class)
    public MessageStore hourglassMessageStore(SqlSessionFactory sqlSessionFactory, MysqlStoreProperties properties) {
        H2Durability.enforceSynchronousCommits(dataSourceOf(sqlSessionFactory));
        TransactionTemplate tx = boundedTransactions(sqlSessionFactory, properties);
        MessageMapper mapper = mapper(sqlSessionFactory, MessageMapper.class);
        return new MybatisMessageStore(mapper, new SqlSessionTemplate(sqlSessionFactory, ExecutorType.BATCH), tx, properties);
    }

    @Bean
    @ConditionalOnMissingBean(AppStore.class)
    public AppStore hourglassAppStore(SqlSessionFactory sqlSessionFactory, MysqlStoreProperties properties) {
        return new MybatisAppStore(mapper(sqlSessionFactory, AppMapper.class),
                boundedTransactions(sqlSessionFactory, properties));
    }

    /** Store transactions of at most {@code delay.store.mysql.transaction-timeout}, network silence included. */
    private static TransactionTemplate boundedTransactions(SqlSessionFactory sqlSessionFactory,
                                                           MysqlStoreProperties properties) {
        TransactionTemplate tx = new TransactionTemplate(new BoundedTransactionManager(dataSourceOf(sqlSessionFactory)));
        tx.setTimeout(Math.toIntExact(Math.max(1, properties.transactionTimeout().toSeconds())));
        tx.setName("hourglass-store");
        return tx;
    }

    @Bean
    @ConditionalOnMissingBean(AdminStore.class)
    public AdminStore hourglassAdminStore(SqlSessionFactory sqlSessionFactory) {
        return new MybatisAdminStore(mapper(sqlSessionFactory, AdminMapper.class));
    }

    /** The DataSource MyBatis itself uses, so that our transactions and its statements share connections. */
    private static DataSource dataSourceOf(SqlSessionFactory sqlSessionFactory) {
        return sqlSessionFactory.getConfiguration().getEnvironment().getDataSource();
    }

    /** Registers the mapper (and the XML beside it) once, then hands out a thread-safe proxy. */
    private static <T> T mapper(SqlSessionFactory sqlSessionFactory, Class<T> type) {
        Configuration configuration = sqlSessionFactory.getConfiguration();
        synchronized (configuration) {
            if (!configuration.hasMapper(type)) {
                configuration.addMapper(type);
            }
        }
        return new SqlSessionTemplate(sqlSessionFactory, ExecutorType.SIMPLE).getMapper(type);
    }
}
